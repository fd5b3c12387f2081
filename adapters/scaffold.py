"""``gatehouse adapters new NAME``: a working adapter, generated from ``scaffold_template/``.

The adapter is a package of its own, with its schemas inside it (named ``package:path``, see
``schemas.loader``), so that it works in this repository (``--package adapters.NAME``) or
outside it (the default: a standalone project with its own ``pyproject.toml`` registering
the entry point). It translates a reception, renders custody updates, declares a policy,
and carries valid, invalid and rendered samples and tests that pass as generated; the
rendered samples are made by the generated renderer itself.
"""

from __future__ import annotations

import importlib
import importlib.util
import keyword
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from string import Template

from core_records.events import CanonicalEvent

TEMPLATE_DIR = Path(__file__).with_name("scaffold_template")
STANDALONE_PYPROJECT = "pyproject.toml.standalone.tmpl"
_NAME = re.compile(r"[a-z][a-z0-9_]{1,39}")
_PACKAGE = re.compile(r"[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*")


class ScaffoldError(ValueError):
    """The adapter cannot be generated as asked; the message says why."""


@dataclass(frozen=True)
class Scaffolded:
    package_dir: Path
    files: tuple[Path, ...]
    pyproject: Path | None
    """The standalone project's ``pyproject.toml``, when one was written."""


def _check(name: str, package: str, into: Path, taken: set[str]) -> Path:
    if not _NAME.fullmatch(name) or keyword.iskeyword(name):
        raise ScaffoldError(
            f"{name!r} is not an adapter name: lower-case letters, digits and _,"
            " starting with a letter, 2 to 40 characters"
        )
    if name in taken:
        raise ScaffoldError(f"an adapter called {name!r} is registered already")
    if not _PACKAGE.fullmatch(package) or any(keyword.iskeyword(p) for p in package.split(".")):
        raise ScaffoldError(f"{package!r} is not a Python package name")
    package_dir = into.joinpath(*package.split("."))
    if package_dir.exists():
        raise ScaffoldError(f"{package_dir} exists already; choose another name or directory")
    if "." not in package and importlib.util.find_spec(package) is not None:
        raise ScaffoldError(f"a package called {package!r} is installed already")
    return package_dir


def scaffold(
    name: str, into: Path, *, package: str | None = None, taken: Iterable[str] = ()
) -> Scaffolded:
    """Write the adapter ``name`` as the package ``package`` (default: ``name``) under the
    directory ``into``; ``taken`` are the adapter names already registered."""
    package = package or name
    package_dir = _check(name, package, into, set(taken))
    values = {"name": name, "package": package, "title": name.replace("_", " ").title()}
    written = []
    for template in sorted(TEMPLATE_DIR.rglob("*.tmpl")):
        relative = template.relative_to(TEMPLATE_DIR)
        if relative.name == STANDALONE_PYPROJECT:
            continue
        target = package_dir / relative.with_suffix("")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(Template(template.read_text()).substitute(values))
        written.append(target)
    pyproject = None
    if "." not in package and not (into / "pyproject.toml").exists():
        pyproject = into / "pyproject.toml"
        template = TEMPLATE_DIR / STANDALONE_PYPROJECT
        pyproject.write_text(Template(template.read_text()).substitute(values))
    written += _render_samples(package, package_dir, into)
    return Scaffolded(package_dir, tuple(written), pyproject)


def _render_samples(package: str, package_dir: Path, root: Path) -> list[Path]:
    """Render each sample event with the new adapter's own renderer, as its rendered sample."""
    added = str(root.resolve())
    sys.path.insert(0, added)
    try:
        module = importlib.import_module(package)
        written = []
        for event_file in sorted((package_dir / "samples" / "events").glob("*.json")):
            body = module.adapter.render(CanonicalEvent.from_json(event_file.read_bytes()))
            if body is None:
                raise ScaffoldError(f"the new adapter renders nothing for {event_file.name}")
            target = package_dir / "samples" / "rendered" / f"{event_file.stem}.xml"
            target.parent.mkdir(exist_ok=True)
            target.write_bytes(body)
            written.append(target)
        return written
    finally:
        sys.path.remove(added)
        for loaded in [m for m in sys.modules if m == package or m.startswith(f"{package}.")]:
            del sys.modules[loaded]
