"""The locks in requirements/ agree with pyproject.toml: each was made from the requirements
pyproject.toml has now (the fingerprint ``make lock`` writes), each of those requirements is
met by a pin, every pin carries hashes, and dev.lock installs what the image installs.
Run ``make lock`` after changing a dependency."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")


def lock_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("lock", ROOT / "requirements" / "lock.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


LOCK = lock_module()


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(text: str) -> dict[str, set[str]]:
    """Package → the versions the lock pins it at (one per marker, in a universal lock)."""
    found: dict[str, set[str]] = {}
    for line in text.splitlines():
        if match := PIN.match(line):
            found.setdefault(canonical(match[1]), set()).add(match[2])
    return found


def unmet(wanted: list[str], pinned: dict[str, set[str]]) -> list[str]:
    problems = []
    for line in wanted:
        requirement = Requirement(line)
        versions = pinned.get(canonical(requirement.name), set())
        if not any(requirement.specifier.contains(Version(v), prereleases=True) for v in versions):
            problems.append(f"{line} (locked: {', '.join(sorted(versions)) or 'nothing'})")
    return problems


@pytest.mark.parametrize("name", list(LOCK.LOCKS))
def test_each_lock_was_made_from_pyprojects_requirements_as_they_are(name: str) -> None:
    extras, _ = LOCK.LOCKS[name]
    wanted = LOCK.requirements(LOCK.read_pyproject(), extras)
    text = (ROOT / "requirements" / name).read_text(encoding="utf-8")
    assert text.startswith(LOCK.FINGERPRINT), f"requirements/{name} has no fingerprint line"
    made_from = text.splitlines()[0].removeprefix(LOCK.FINGERPRINT)
    assert made_from == LOCK.fingerprint(wanted), (
        f"pyproject.toml's requirements changed since requirements/{name} was written: "
        "run `make lock`"
    )
    assert unmet(wanted, pins(text)) == [], f"requirements/{name} does not meet pyproject.toml"


@pytest.mark.parametrize("name", list(LOCK.LOCKS))
def test_every_pin_carries_its_hashes(name: str) -> None:
    blocks = re.split(r"\n(?=[A-Za-z0-9])", (ROOT / "requirements" / name).read_text())
    unhashed = [b.split()[0] for b in blocks if PIN.match(b) and "--hash=sha256:" not in b]
    assert unhashed == []


def test_dev_lock_pins_the_hubs_dependencies_as_the_image_does() -> None:
    for name, (_, agree_with) in LOCK.LOCKS.items():
        if agree_with is None:
            continue
        ours = pins((ROOT / "requirements" / name).read_text())
        theirs = pins((ROOT / "requirements" / agree_with).read_text())
        differ = {p: (ours.get(p), v) for p, v in theirs.items() if ours.get(p) != v}
        assert differ == {}, f"{name} and {agree_with} pin these differently"


def test_a_lock_that_misses_a_requirement_is_caught() -> None:
    lock = "fastapi==0.136.3 \\\n    --hash=sha256:00\nredis==4.6.0 ; python_version < '4'\n"
    pinned = pins(lock)
    assert unmet(["fastapi>=0.115,<1", "redis>=5,<8", "pika>=1.3"], pinned) == [
        "redis>=5,<8 (locked: 4.6.0)",
        "pika>=1.3 (locked: nothing)",
    ]
