"""The event catalogue: a schema for every event type, and raised events checked against it."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from core_records import events
from core_records.events import PRISONER_RECEIVED, person_event
from core_records.identifiers import NOMS, Identifier
from core_records.store.outbox import outbox_row
from schemas import catalogue
from schemas.catalogue import (
    EventSchemaViolation,
    MissingEventSchema,
    event_types,
    payload_schema,
    validate_event,
)

RECEIVED = {
    "nomsNumber": "A1234BC",
    "prisonId": "MDI",
    "reason": "NEW_ADMISSION",
    "movementType": "ADM",
    "movementReasonCode": "N",
    "nomisMovementReasonCode": "N",
    "currentLocation": "IN_PRISON",
    "currentPrisonStatus": "UNDER_PRISON_CARE",
    "bookingId": 7,
    "bookNumber": "B00001",
}


def _event(information: dict[str, object], event_type: str = PRISONER_RECEIVED):
    at = datetime(2024, 5, 1, 9, 15, tzinfo=UTC)
    return person_event(event_type, at, [Identifier(NOMS, "A1234BC")], information)


def test_the_event_types_are_those_core_records_names() -> None:
    found = event_types()
    assert PRISONER_RECEIVED in found
    assert events.CANTEEN_TRANSACTION_REFUSED in found
    assert all("." in t and t == t.lower() for t in found)


@pytest.mark.parametrize("event_type", event_types())
def test_every_event_type_has_a_schema_in_the_catalogue(event_type: str) -> None:
    schema = payload_schema(event_type)
    assert schema["type"] == "object"
    assert schema["description"]


def test_every_schema_file_is_for_an_event_type() -> None:
    files = {p.name.removesuffix(".schema.json") for p in catalogue.CATALOGUE_DIR.iterdir()}
    stray = files - set(event_types()) - {"envelope"}
    assert not stray, f"schemas for no event type: {sorted(stray)}"


def test_a_valid_event_passes() -> None:
    validate_event(_event(RECEIVED))


def test_a_payload_breaking_its_schema_is_refused_naming_the_place_and_file() -> None:
    with pytest.raises(EventSchemaViolation) as raised:
        validate_event(_event({**RECEIVED, "bookingId": "seven"}))
    reason = str(raised.value)
    assert "prisoner.received" in reason
    assert "$.additionalInformation.bookingId" in reason
    assert "schemas/events/prisoner.received.schema.json" in reason


@pytest.mark.parametrize(
    "domain_name", ["nomisMovementReasonCode", "currentLocation", "currentPrisonStatus"]
)
def test_a_movement_without_the_justice_domain_s_names_is_refused(domain_name: str) -> None:
    without = {k: v for k, v in RECEIVED.items() if k != domain_name}
    with pytest.raises(EventSchemaViolation, match=domain_name):
        validate_event(_event(without))


def test_an_unknown_key_is_refused() -> None:
    with pytest.raises(EventSchemaViolation, match="favouriteColour"):
        validate_event(_event({**RECEIVED, "favouriteColour": "N"}))


def test_an_event_type_with_no_schema_names_the_file_to_add() -> None:
    with pytest.raises(MissingEventSchema) as raised:
        validate_event(_event({}, "prisoner.teleported"))
    assert "'prisoner.teleported'" in str(raised.value)
    assert "schemas/events/prisoner.teleported.schema.json" in str(raised.value)


def test_the_outbox_refuses_an_invalid_event_in_the_test_suite() -> None:
    # tests/conftest.py installs the catalogue check, as GATEHOUSE_VALIDATE_EVENTS does.
    at = datetime.now(UTC)
    row = outbox_row(_event(RECEIVED), correlation_id="c", causation_id="m", created_at=at)
    assert json.loads(str(row["body"]))["eventType"] == PRISONER_RECEIVED
    with pytest.raises(EventSchemaViolation):
        outbox_row(_event({"prisonId": 3}), correlation_id="c", causation_id="m", created_at=at)


def test_the_catalogue_lists_each_event_with_its_description_and_schema() -> None:
    entries = {e["eventType"]: e for e in catalogue.catalogue()}
    assert set(entries) == set(event_types())
    received = entries[PRISONER_RECEIVED]
    assert received["schema"]["properties"]["prisonId"]
    assert "nomisMovementReasonCode" in received["namingNote"]


@pytest.mark.parametrize(
    "domain_name",
    ["non-associations.created", "non-associations.amended", "non-associations.closed",
     "prisoner.alerts-updated", "nomisMovementReasonCode"],
)  # fmt: skip
def test_the_catalogue_says_where_gatehouse_departs_from_a_justice_domain_name(
    domain_name: str,
) -> None:
    assert any(domain_name in note for note in catalogue.NAMING_NOTES.values())


def test_naming_notes_are_for_event_types_gatehouse_raises() -> None:
    assert set(catalogue.NAMING_NOTES) <= set(event_types())
    # Its own events, with no justice-domain counterpart, say so.
    for own in ("prisoner.unmerged", "prisoner.court-hearing.listed", "alert.security.raised"):
        assert "No justice-domain" in catalogue.NAMING_NOTES[own]
