"""Inbound JSON documents: parsed with a size cap, validated against a partner's JSON Schema.

The JSON counterpart of ``schemas/xml.py`` and ``schemas/loader.py``, for adapters that
declare JSON inbound types (kiosks, and the per-line messages of canteen order files).
Schemas (draft 2020-12) are named by their path under the ``schemas`` package, e.g.
``kiosks/order-v1.schema.json``, and compiled once per process.

Faults are reported as ``InvalidMessage`` with the place (``$.items[0].quantity``), the
line (for a syntax error) and the rule (``json-syntax``, or the JSON Schema keyword that
failed, such as ``required`` or ``minimum``), so a partner can fix its document from the
error alone.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from core_records.errors import InvalidMessage

SCHEMAS_ROOT = Path(__file__).resolve().parent
DEFAULT_MAX_BYTES = 1_048_576
MAX_DEPTH = 32
"""Deepest nesting of objects and arrays accepted; partner documents need a handful."""


def parse_json(body: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Any:
    """The JSON value in ``body`` (UTF-8); ``InvalidMessage`` for an oversized body, bytes
    that are not UTF-8, or text that is not JSON."""
    if len(body) > max_bytes:
        raise InvalidMessage(
            f"the body is {len(body):,} bytes, over the limit of {max_bytes:,} bytes",
            rule="size",
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidMessage(
            f"the body is not UTF-8: byte {error.start} cannot be decoded", rule="encoding"
        ) from None
    try:
        document = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise InvalidMessage(
            f"not JSON: {error.msg} at line {error.lineno} column {error.colno}",
            line=error.lineno,
            rule="json-syntax",
        ) from None
    except RecursionError:
        overflowed = True
    else:
        overflowed = False
    if overflowed or _deeper_than(document, MAX_DEPTH):
        # Hostile nesting: refused before a validator walks it (or the parser overflows).
        raise InvalidMessage(f"the document nests deeper than {MAX_DEPTH} levels", rule="depth")
    return document


def _deeper_than(value: Any, limit: int) -> bool:
    level = [value]
    for _ in range(limit):
        level = [
            child
            for item in level
            if isinstance(item, dict | list)
            for child in (item.values() if isinstance(item, dict) else item)
        ]
        if not level:
            return False
    return True


def _refuse_constant(name: str) -> Any:
    # NaN and Infinity are not JSON, though Python's parser takes them by default.
    raise json.JSONDecodeError(f"{name} is not a JSON value", name, 0)


def json_schema_file(schema_path: str) -> Path:
    """The file of a JSON Schema named by its path under the ``schemas`` package."""
    path = (SCHEMAS_ROOT / schema_path).resolve()
    if not path.is_relative_to(SCHEMAS_ROOT) or not path.name.endswith(".schema.json"):
        raise ValueError(f"{schema_path!r} is not a JSON Schema under the schemas package")
    if not path.is_file():
        raise FileNotFoundError(f"no schema {schema_path!r} under {SCHEMAS_ROOT}")
    return path


@cache
def load_json_schema(schema_path: str) -> Draft202012Validator:
    """The compiled validator for the schema at ``schema_path``, cached; checks the schema."""
    schema = json.loads(json_schema_file(schema_path).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    # No format checker: it doubles the cost of every validation, and Gatehouse's schemas
    # state forms with patterns, leaving what a pattern cannot check (a 30th of February)
    # to the translators.
    return Draft202012Validator(schema)


def validate_json(document: Any, schema_path: str) -> None:
    """Raise ``InvalidMessage`` for the most relevant way ``document`` breaks its schema."""
    errors = list(load_json_schema(schema_path).iter_errors(document))
    error = best_match(errors)
    if error is None:
        return
    more = len(errors) - 1
    after = f" (and {more} more fault{'s' if more > 1 else ''})" if more else ""
    raise InvalidMessage(
        f"{error.json_path}: {_message(error)}{after}",
        element=error.json_path,
        rule=str(error.validator),
    )


def _message(error: ValidationError) -> str:
    description = error.schema.get("description") if isinstance(error.schema, dict) else None
    if error.validator == "pattern" and description:
        return f"{error.instance!r} does not have the expected form: {description}"
    return error.message
