"""Validation of canonical event envelopes against ``events/envelope.schema.json``.

The schema (JSON Schema draft 2020-12) describes the envelope exactly as
``core_records.events.CanonicalEvent.to_envelope`` produces it; partners can validate what
they receive with the same file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from core_records.errors import InvalidMessage

ENVELOPE_SCHEMA_PATH = Path(__file__).resolve().parent / "events" / "envelope.schema.json"


@lru_cache(maxsize=1)
def envelope_schema() -> dict[str, Any]:
    """The envelope's JSON Schema, as a dict."""
    schema: dict[str, Any] = json.loads(ENVELOPE_SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return schema


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    return Draft202012Validator(envelope_schema())


def _message(error: ValidationError) -> str:
    description = error.schema.get("description") if isinstance(error.schema, dict) else None
    if error.validator == "pattern" and description:
        return f"{error.instance!r} does not have the expected form: {description}"
    return error.message


def validate_event_envelope(envelope: Mapping[str, Any]) -> None:
    """Raise ``InvalidMessage`` naming the JSON path, the rule and the fault, if ``envelope``
    is not a valid canonical event envelope."""
    error = best_match(_validator().iter_errors(envelope))
    if error is None:
        return
    raise InvalidMessage(
        f"{error.json_path}: {_message(error)}",
        element=error.json_path,
        rule=str(error.validator),
    )
