"""The README's configuration table, written from the settings model (``gatehouse/settings.py``):
one row per field, with its ``GATEHOUSE_*`` variable, type, default and description (the
field's ``description``, else the docstring under it).

``python -m gatehouse.settings_table`` rewrites the table in README.md between its two marker
comments; ``--check`` exits 1, changing nothing, when the README's table is not what it would
write. ``tests/unit/gatehouse/test_settings_table.py`` makes the same check.
"""

from __future__ import annotations

import ast
import inspect
import json
import re
import sys
from itertools import pairwise
from pathlib import Path
from typing import Any

from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from gatehouse.settings import Settings

README = Path(__file__).resolve().parents[1] / "README.md"
START = "<!-- settings-table:start -->"
END = "<!-- settings-table:end -->"
PREFIX = Settings.model_config.get("env_prefix", "")
NESTED = Settings.model_config.get("env_nested_delimiter", "__")


def docstrings(model: type = Settings) -> dict[str, str]:
    """The string literal under each annotated field of the class body, by field name."""
    tree = ast.parse(inspect.getsource(model))
    body = tree.body[0].body  # type: ignore[attr-defined]
    found = {}
    for field, after in pairwise(body):
        if (
            isinstance(field, ast.AnnAssign)
            and isinstance(field.target, ast.Name)
            and isinstance(after, ast.Expr)
            and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str)
        ):
            found[field.target.id] = inspect.cleandoc(after.value.value)
    return found


def descriptions() -> dict[str, str]:
    """Each field's description, in one line; empty where it has none."""
    written = docstrings()
    return {
        name: " ".join((field.description or written.get(name, "")).split())
        for name, field in Settings.model_fields.items()
    }


def type_name(annotation: Any) -> str:
    text = re.sub(r"<class '([\w.]+)'>", r"\1", str(annotation))
    return re.sub(r"\b(?:[a-z_]\w*\.)+(?=\w)", "", text)


def default_value(field: FieldInfo) -> Any:
    if field.default is PydanticUndefined and field.default_factory is not None:
        return field.default_factory()  # type: ignore[call-arg]
    return field.default


def shown_default(field: FieldInfo) -> str:
    value = default_value(field)
    if value is None:
        return "unset"
    if isinstance(value, bool):
        text = str(value).lower()
    elif isinstance(value, float):
        text = f"{value:g}"
    elif isinstance(value, tuple | list | dict):
        text = json.dumps(list(value) if isinstance(value, tuple) else value)
    else:
        text = str(value)
    return f"`{text}`"


def variable(name: str, annotation: Any) -> str:
    """The environment variable; a mapping's entries can be set one key at a time."""
    env = f"{PREFIX}{name}".upper()
    if str(annotation).startswith("dict["):
        return f"`{env}`, `{env}{NESTED}<KEY>`"
    return f"`{env}`"


def markdown_table() -> str:
    described = descriptions()
    rows = [
        "<!-- Written by `python -m gatehouse.settings_table` from gatehouse/settings.py. -->",
        "",
        "| variable | type | default | what it sets |",
        "|---|---|---|---|",
    ]
    for name, field in Settings.model_fields.items():
        cells = (
            variable(name, field.annotation),
            f"`{type_name(field.annotation)}`",
            shown_default(field),
            described[name],
        )
        rows.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(rows)


def with_table(readme: str) -> str:
    """The README text with the table between the markers written anew."""
    before, start, rest = readme.partition(START)
    _, end, after = rest.partition(END)
    if not start or not end:
        raise ValueError(f"README.md lacks the markers {START} and {END}")
    return f"{before}{START}\n{markdown_table()}\n{END}{after}"


def main(argv: list[str]) -> int:
    current = README.read_text(encoding="utf-8")
    wanted = with_table(current)
    if current == wanted:
        return 0
    if "--check" in argv:
        print("README.md's configuration table is stale: python -m gatehouse.settings_table")
        return 1
    README.write_text(wanted, encoding="utf-8")
    print("wrote the configuration table in README.md")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
