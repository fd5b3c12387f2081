"""Inbound JSON: parsed with a cap, validated with a clear place and rule for each fault."""

from __future__ import annotations

import pytest

from core_records.errors import InvalidMessage
from schemas.json_documents import json_schema_file, parse_json, validate_json

SCHEMA = "prison_shops/order-line-v1.schema.json"


@pytest.mark.parametrize(
    ("body", "rule", "why"),
    [
        (b'{"a": 1', "json-syntax", "line 1"),
        (b'{"a": NaN}', "json-syntax", "NaN is not a JSON value"),
        (b'{"a": "\xff"}', "encoding", "not UTF-8"),
        (b"[" * 10 + b"]" * 10 + b" " * 100, "size", "over the limit of 100 bytes"),
    ],
)
def test_a_body_that_is_not_json_is_refused_with_its_rule(body: bytes, rule: str, why: str) -> None:
    with pytest.raises(InvalidMessage) as refused:
        parse_json(body, max_bytes=100)
    assert refused.value.rule == rule
    assert why in refused.value.reason


def test_a_syntax_error_names_its_line() -> None:
    with pytest.raises(InvalidMessage) as refused:
        parse_json(b'{\n"a": 1,\n}')
    assert refused.value.line == 3


def test_a_schema_fault_names_the_place_and_the_keyword_and_counts_the_rest() -> None:
    document = {"version": 1, "lineNumber": 0}

    with pytest.raises(InvalidMessage) as refused:
        validate_json(document, SCHEMA)

    assert refused.value.rule in {"required", "minimum"}
    assert refused.value.element is not None and refused.value.element.startswith("$")
    assert "more faults" in refused.value.reason


def test_only_json_schemas_inside_the_schemas_package_are_loaded() -> None:
    with pytest.raises(ValueError, match="not a JSON Schema"):
        json_schema_file("../pyproject.toml")
    with pytest.raises(FileNotFoundError):
        json_schema_file("prison_shops/none.schema.json")


@pytest.mark.parametrize("depth", [33, 100_000])
def test_hostile_nesting_is_refused_without_overflowing(depth: int) -> None:
    with pytest.raises(InvalidMessage) as refused:
        parse_json(b"[" * depth + b"]" * depth, max_bytes=1_000_000)
    assert refused.value.rule == "depth"


def test_nesting_within_the_limit_and_a_bare_null_are_read() -> None:
    assert parse_json(b"[" * 32 + b"]" * 32) is not None
    assert parse_json(b"null") is None
