"""The event catalogue: one JSON Schema per event type for its ``additionalInformation``.

Each event type named in ``core_records.events`` has a schema beside the envelope's, at
``schemas/events/<event type>.schema.json`` (``prisoner.received.schema.json``). A raised
event is checked against both (``validate_event``) where it is written to the outbox, when
``GATEHOUSE_VALIDATE_EVENTS`` is on (always in the test suite): checking every event of an
80,000-row batch drop costs seconds, so production leaves it to the tests.

The catalogue is published as an AsyncAPI 3 document (``schemas.asyncapi``) and as the
dashboard's events page.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from core_records import events
from core_records.errors import InvalidMessage
from core_records.events import CanonicalEvent
from schemas.events import validate_event_envelope

CATALOGUE_DIR = Path(__file__).resolve().parent / "events"
EVENT_TYPE = re.compile(r"^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$")


class MissingEventSchema(InvalidMessage):
    """An event type with no schema in the catalogue."""


class EventSchemaViolation(InvalidMessage):
    """A raised event whose payload breaks its event type's schema."""


def event_types() -> tuple[str, ...]:
    """Every event type ``core_records.events`` names (its upper-case string constants in
    the dotted event-type form), sorted. Deriving the list keeps a new event type from
    being left out of the catalogue by forgetting to add it to a second list."""
    return tuple(
        sorted(
            {
                value
                for name, value in vars(events).items()
                if name.isupper() and isinstance(value, str) and EVENT_TYPE.match(value)
            }
        )
    )


def schema_file(event_type: str) -> Path:
    """Where the schema of ``event_type``'s ``additionalInformation`` is (or belongs)."""
    if not EVENT_TYPE.match(event_type):
        raise ValueError(f"{event_type!r} is not an event type")
    return CATALOGUE_DIR / f"{event_type}.schema.json"


@cache
def payload_schema(event_type: str) -> dict[str, Any]:
    """The JSON Schema of ``event_type``'s ``additionalInformation``; ``MissingEventSchema``
    naming the file to add when there is none."""
    path = schema_file(event_type)
    if not path.is_file():
        relative = path.relative_to(CATALOGUE_DIR.parent.parent)
        raise MissingEventSchema(
            f"the event type {event_type!r} has no schema in the event catalogue: add"
            f" {relative} describing its additionalInformation (see the README, 'Subscribing"
            " to events')",
            rule="catalogue",
        )
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return schema


@cache
def _validator(event_type: str) -> Draft202012Validator:
    return Draft202012Validator(payload_schema(event_type))


def validate_payload(event_type: str, information: Any) -> None:
    """``EventSchemaViolation`` naming the event type, the place, the fault and the schema
    file, if ``information`` is not a valid ``additionalInformation`` of ``event_type``."""
    errors = list(_validator(event_type).iter_errors(information))
    error = best_match(errors)
    if error is None:
        return
    place = "$.additionalInformation" + error.json_path[1:]
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    raise EventSchemaViolation(
        f"{event_type} event: {place}: {error.message}{more}; the catalogue's schema is"
        f" schemas/events/{event_type}.schema.json (fix the schema if the payload is right)",
        element=place,
        rule=str(error.validator),
    )


def validate_event(event: CanonicalEvent) -> None:
    """Check a raised event: its envelope, and its payload against its type's schema."""
    validate_event_envelope(event.to_envelope())
    validate_payload(event.event_type, dict(event.additional_information))


NAMING_NOTES: dict[str, str] = {
    "prisoner.received": (
        "The justice domain publishes prisoner-offender-search.prisoner.received with"
        " nomisMovementReasonCode; Gatehouse's own name, movementReasonCode, stays for the"
        " partners that already read it (its codes are Gatehouse's reference data, whichever"
        " system recorded the movement), with the domain's name alongside on every movement,"
        " as currentLocation and currentPrisonStatus are. No publisher prefix: Gatehouse is"
        " the one publisher of its events."
    ),
    "prisoner.released": (
        "As prisoner.received: movementReasonCode, with nomisMovementReasonCode alongside"
        " on every movement, and no publisher prefix."
    ),
    "prisoner.merged": (
        "The justice domain's prison-offender-events.prisoner.merged carries nomsNumber and"
        " removedNomsNumber; Gatehouse keeps those names and drops the publisher prefix."
    ),
    "prisoner.non-association.created": (
        "The justice domain names these non-associations.created; Gatehouse keeps them under"
        " prisoner.* so that a partner subscribed to prisoner.# receives them, and names the"
        " other person otherPrisonNumber. There is no amended (the domain's"
        " non-associations.amended): a pair's reason changes by a close and a new create."
    ),
    "prisoner.non-association.closed": (
        "The justice domain's non-associations.closed, under prisoner.* as for created."
    ),
    "person.alert.created": (
        "The justice domain's name, one event per alert. Gatehouse raises no"
        " prisoner.alerts-updated (the domain's summary of a person's alerts changing): a"
        " partner keeps its list from these and person.alert.inactive, or reads the person's"
        " active alerts at detailUrl."
    ),
    "person.alert.inactive": (
        "The justice domain's name; as person.alert.created, in place of prisoner.alerts-updated."
    ),
    "alert.security.raised": (
        "No justice-domain name: security alerts are kept out of person.alert.* and"
        " prisoner.*, under alert.security.*, so that no pattern a partner subscribes to"
        " reaches them unless its policy is security-cleared."
    ),
    "alert.security.closed": "As alert.security.raised: security-classified by its prefix.",
    "prisoner.updated": (
        "As the domain's prisoner-offender-search.prisoner.updated, without the publisher"
        " prefix: raised when names or the date of birth change (a PNC amendment)."
    ),
    "prisoner.unmerged": (
        "No justice-domain event undoes a merge; Gatehouse's own, the reverse of"
        " prisoner.merged: nomsNumber survives, restoredNomsNumber is in use again."
    ),
    "prisoner.court-hearing.listed": (
        "No justice-domain event; Gatehouse's own, under prisoner.* with the court movements'"
        " reasons (SENT_TO_COURT, RETURN_FROM_COURT) on prisoner.released and .received."
    ),
    "prisoner.sentence-dates-changed": (
        "Named as the justice domain's prisoner-offender-search.prisoner.sentence-dates-changed"
        " without the publisher prefix; all current key dates are given, not only the changed."
    ),
    "prisoner.police-identifiers.changed": (
        "No justice-domain event exists for PNC changes; one event with a reason (ASSIGNED,"
        " LOOKUP, AMENDED, MERGED) rather than one per kind of change."
    ),
}
"""Where Gatehouse's names differ from the justice domain's convention, and why."""


def catalogue() -> list[dict[str, Any]]:
    """Every event type with its description, payload schema (None when missing) and
    naming note, for the AsyncAPI document and the dashboard."""
    entries = []
    for event_type in event_types():
        try:
            schema: dict[str, Any] | None = payload_schema(event_type)
        except MissingEventSchema:
            schema = None
        description = (schema or {}).get("description") or events.EVENT_DESCRIPTIONS.get(
            event_type, ""
        )
        entries.append(
            {
                "eventType": event_type,
                "description": description,
                "schema": schema,
                "namingNote": NAMING_NOTES.get(event_type, ""),
            }
        )
    return entries
