"""Rendering custody-status documents for Delius: what it must do for each kind of release,
and every document valid against the schema."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from lxml import etree

from adapters.delius import adapter
from adapters.delius.actions import downstream_action
from adapters.delius.custody_status import NAMESPACE, SCHEMA, render_custody_status
from core_records.errors import InvalidMessage
from core_records.events import (
    PRISONER_RECEIVED,
    PRISONER_RELEASED,
    TEMPORARY_MOVEMENT_REASONS,
    CanonicalEvent,
)
from core_records.identifiers import Identifier
from schemas.loader import validate
from schemas.xml import parse_xml
from tests.unit.adapters.delius.events import renderable_events

BST = timezone(timedelta(hours=1))


def released(code: str, reason: str = "RELEASED", **information: str) -> CanonicalEvent:
    return CanonicalEvent(
        event_type=PRISONER_RELEASED,
        occurred_at=datetime(2024, 5, 9, 5, 52, tzinfo=BST),
        person_identifiers=(Identifier("NOMS", "G2210VN"), Identifier("CRN", "E118064")),
        additional_information={
            "prisonId": "LGI",
            "reason": reason,
            "movementReasonCode": code,
            **information,
        },
    )


def field(body: bytes, name: str) -> str | None:
    return parse_xml(body).findtext(f".//{{{NAMESPACE}}}{name}")


@pytest.mark.parametrize(
    ("code", "reason", "action"),
    [
        ("DEC", "RELEASED", "DEATH"),
        ("HP", "RELEASED_TO_HOSPITAL", "HOSPITAL_TRANSFER"),
        ("DD", "RELEASED", "DEPORTATION"),
        ("UAL", "RELEASED", "ABSCONDED"),
        ("ESCP", "RELEASED", "ABSCONDED"),
        ("CR", "RELEASED", "RELEASE"),
        ("SC", "RELEASED", "RELEASE"),
        ("BL", "RELEASED", "RELEASE"),
    ],
)
def test_a_release_tells_delius_the_action_its_reason_calls_for(
    code: str, reason: str, action: str
) -> None:
    body = render_custody_status(released(code, reason))
    assert body is not None
    assert field(body, "Action") == action
    assert field(body, "MovementReasonCode") == code
    assert field(body, "CustodyEvent") == "RELEASED"


@pytest.mark.parametrize(
    ("reason", "action"),
    [("NEW_ADMISSION", "RECEPTION"), ("READMISSION", "RECEPTION"), ("TRANSFERRED", "TRANSFER")],
)
def test_a_reception_is_a_reception_unless_it_ends_a_transfer(reason: str, action: str) -> None:
    assert downstream_action(PRISONER_RECEIVED, reason, "INT") == action


def test_a_release_to_hospital_is_a_hospital_transfer_whatever_its_code() -> None:
    assert downstream_action(PRISONER_RELEASED, "RELEASED_TO_HOSPITAL", "CR") == "HOSPITAL_TRANSFER"


def test_the_leaving_half_of_a_transfer_is_not_sent_to_delius() -> None:
    event = released("NOTR", "TRANSFERRED", toPrisonId="LEI")
    assert render_custody_status(event) is None
    assert adapter.render(event) is None


def test_a_rendered_document_carries_the_event_and_the_canonical_identifiers() -> None:
    event = released("DEC")
    body = render_custody_status(event)
    assert body is not None
    root = parse_xml(body)
    assert root.tag == f"{{{NAMESPACE}}}CustodyStatus"
    assert field(body, "EventId") == event.event_id
    assert field(body, "OccurredAt") == "2024-05-09T05:52:00+01:00"
    assert field(body, "NomsNumber") == "G2210VN"
    assert field(body, "Crn") == "E118064"
    assert field(body, "PncId") is None
    assert field(body, "EstablishmentCode") == "LGI"


@given(renderable_events())
def test_every_rendered_document_validates_against_the_schema(event: CanonicalEvent) -> None:
    body = adapter.render(event)
    if (
        event.event_type == PRISONER_RELEASED
        and event.additional_information["reason"] == "TRANSFERRED"
    ) or event.additional_information["reason"] in TEMPORARY_MOVEMENT_REASONS:
        assert body is None
        return
    assert body is not None
    validate(parse_xml(body), SCHEMA)


@pytest.mark.parametrize(
    ("change", "missing"),
    [
        ({"person_identifiers": (Identifier("CRN", "E118064"),)}, "no NOMS number"),
        (
            {"additional_information": {"reason": "RELEASED", "movementReasonCode": "CR"}},
            "prisonId",
        ),
        (
            {"additional_information": {"prisonId": "LGI", "reason": "RELEASED"}},
            "movementReasonCode",
        ),
        ({"occurred_at": datetime(2024, 5, 9, 5, 52)}, "no offset from UTC"),
        ({"event_type": "prisoner.merged"}, "no prisoner.merged events"),
    ],
)
def test_an_event_lacking_what_the_document_needs_cannot_be_rendered(
    change: dict[str, object], missing: str
) -> None:
    event = replace(released("CR"), **change)  # type: ignore[arg-type]
    with pytest.raises(InvalidMessage, match=missing) as caught:
        render_custody_status(event)
    assert event.event_id in caught.value.reason


def test_the_document_is_utf8_xml_with_a_declaration() -> None:
    body = render_custody_status(released("CR"))
    assert body is not None
    assert body.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert etree.fromstring(body).nsmap == {None: NAMESPACE}
