"""The canonical event envelope's JSON Schema describes exactly what ``to_envelope`` makes,
and a fault is named by its JSON path and rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from adapters.testing import IDENTIFIER_TYPES
from core_records.errors import InvalidMessage
from core_records.events import PRISONER_RECEIVED, CanonicalEvent
from core_records.identifiers import Identifier
from schemas.events import envelope_schema, validate_event_envelope

BST = timezone(timedelta(hours=1))


def received(**changes: Any) -> dict[str, Any]:
    event = CanonicalEvent(
        event_type=PRISONER_RECEIVED,
        occurred_at=datetime(2024, 5, 1, 9, 5, tzinfo=BST),
        person_identifiers=(Identifier("NOMS", "A1234BC"), Identifier("PNC", "2003/0412876Y")),
        additional_information={"prisonId": "DNI", "reason": "NEW_ADMISSION", "bookingId": 7},
    )
    return {**event.to_envelope(), **changes}


def the_fault(envelope: dict[str, Any]) -> InvalidMessage:
    with pytest.raises(InvalidMessage) as caught:
        validate_event_envelope(envelope)
    return caught.value


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    Draft202012Validator.check_schema(envelope_schema())
    assert envelope_schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_an_envelope_made_by_to_envelope_is_valid() -> None:
    validate_event_envelope(received())


def test_an_envelope_without_a_prison_number_has_no_detail_url_and_is_valid() -> None:
    event = CanonicalEvent(
        PRISONER_RECEIVED, datetime.now(UTC), (Identifier("PNC", "2003/0412876Y"),), {}
    )
    envelope = event.to_envelope()
    assert "detailUrl" not in envelope
    validate_event_envelope(envelope)


def test_a_missing_field_is_named() -> None:
    envelope = received()
    del envelope["eventType"]
    error = the_fault(envelope)
    assert (error.element, error.rule) == ("$", "required")
    assert "'eventType' is a required property" in error.reason


def test_a_time_without_an_offset_is_named_by_its_path() -> None:
    error = the_fault(received(occurredAt="2024-05-01T09:05:00"))
    assert (error.element, error.rule) == ("$.occurredAt", "pattern")
    assert "states its offset from UTC" in error.reason


def test_a_field_the_envelope_does_not_have_is_refused() -> None:
    error = the_fault(received(offenderId="123"))
    assert error.rule == "additionalProperties"
    assert "offenderId" in error.reason


def test_a_bad_identifier_is_named_by_its_index() -> None:
    envelope = received()
    envelope["personReference"]["identifiers"][1]["value"] = ""
    error = the_fault(envelope)
    assert error.element == "$.personReference.identifiers[1].value"
    assert error.rule == "minLength"


def test_an_event_type_must_be_dotted() -> None:
    error = the_fault(received(eventType="PrisonerReceived"))
    assert (error.element, error.rule) == ("$.eventType", "pattern")


def test_the_version_is_a_positive_integer() -> None:
    assert the_fault(received(version="1")).rule == "type"
    assert the_fault(received(version=0)).rule == "minimum"


@pytest.mark.parametrize("identifier_type", sorted(IDENTIFIER_TYPES))
def test_every_identifier_type_gatehouse_records_fits_the_schema(identifier_type: str) -> None:
    envelope = received()
    envelope["personReference"]["identifiers"] = [{"type": identifier_type, "value": "X1"}]
    validate_event_envelope(envelope)


prison_numbers = st.from_regex(r"[A-Z][0-9]{4}[A-Z]{2}", fullmatch=True)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=8,
)


@given(
    event_type=st.from_regex(r"[a-z][a-z-]{0,10}(\.[a-z][a-z0-9-]{0,10}){1,3}", fullmatch=True),
    occurred_at=st.datetimes(timezones=st.timezones()),
    identifiers=st.lists(
        st.builds(Identifier, st.just("NOMS"), prison_numbers)
        | st.builds(
            Identifier, st.sampled_from(sorted(IDENTIFIER_TYPES - {"NOMS"})), st.text(min_size=1)
        ),
        max_size=4,
    ),
    information=st.dictionaries(st.text(max_size=12), json_values, max_size=4),
    version=st.integers(1, 5),
)
def test_every_envelope_to_envelope_makes_is_valid(
    event_type: str,
    occurred_at: datetime,
    identifiers: list[Identifier],
    information: dict[str, Any],
    version: int,
) -> None:
    event = CanonicalEvent(
        event_type, occurred_at, tuple(identifiers), information, version=version
    )
    validate_event_envelope(event.to_envelope())
