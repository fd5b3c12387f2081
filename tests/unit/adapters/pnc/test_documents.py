"""PNC's documents in detail: which events become which document, the licence notice, the
lookup request, and the simulated PNC's answers reading back as valid replies."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters import testing
from adapters.pnc import adapter
from adapters.pnc.simulator import PncSimulator
from core_records.commands import RecordPoliceLookup
from core_records.events import CanonicalEvent
from core_records.identifiers import Identifier, parse_identifier
from schemas.xml import parse_xml

PERSON = {"surname": "PRITCHARD", "forenames": "GARETH", "dateOfBirth": "1990-06-30", "sex": "M"}
WITH_PNC = (Identifier("NOMS", "A1234BC"), Identifier("PNC", "2011/1187342F"))


def _event(
    event_type: str, code: str, reason: str, identifiers=WITH_PNC, **extra
) -> CanonicalEvent:  # type: ignore[no-untyped-def]
    return CanonicalEvent(
        event_type=event_type,
        occurred_at=datetime(2024, 5, 7, 9, 45, tzinfo=UTC),
        person_identifiers=identifiers,
        additional_information={
            "prisonId": "LEI",
            "reason": reason,
            "movementReasonCode": code,
            **extra,
        },
    )


def _root(body: bytes | None) -> str:
    assert body is not None
    return parse_xml(body).tag.split("}")[1]


@pytest.mark.parametrize(
    ("code", "licence"),
    [
        ("CR", "CONDITIONAL_RELEASE"),
        ("HR", "HOME_DETENTION_CURFEW"),
        ("HU", "HOME_DETENTION_CURFEW"),
    ],
)
def test_a_release_on_licence_carries_a_licence_notice(code: str, licence: str) -> None:
    body = adapter.render(_event("prisoner.released", code, "RELEASED"))
    assert body is not None
    assert f"<LicenceType>{licence}</LicenceType>".encode() in body


@pytest.mark.parametrize("code", ["SC", "DEC", "DD", "BL", "UAL"])
def test_a_release_not_on_licence_has_no_licence_notice(code: str) -> None:
    body = adapter.render(_event("prisoner.released", code, "RELEASED"))
    assert _root(body) == "CustodyStatus"
    assert b"LicenceNotice" not in body  # type: ignore[operator]


def test_a_reception_without_a_pnc_id_asks_pnc_who_the_person_is() -> None:
    noms_only = (Identifier("NOMS", "A1234BC"),)
    event = _event("prisoner.received", "N", "NEW_ADMISSION", noms_only, person=PERSON)
    assert _root(adapter.render(event)) == "LookupRequest"


def test_a_reception_with_a_pnc_id_tells_pnc_the_custody_status() -> None:
    event = _event("prisoner.received", "N", "NEW_ADMISSION", person=PERSON)
    body = adapter.render(event)
    assert _root(body) == "CustodyStatus"
    assert b"<Status>RECEIVED</Status>" in body  # type: ignore[operator]
    assert b"PRITCHARD" not in body  # type: ignore[operator]


def test_pnc_hears_nothing_of_a_release_it_cannot_place_or_the_leaving_half_of_a_transfer() -> None:
    noms_only = (Identifier("NOMS", "A1234BC"),)
    assert adapter.render(_event("prisoner.released", "SC", "RELEASED", noms_only)) is None
    assert adapter.render(_event("prisoner.released", "NOTR", "TRANSFERRED")) is None
    transfer_in = _event("prisoner.received", "NOTR", "TRANSFERRED", noms_only)
    assert adapter.render(transfer_in) is None


def test_the_simulated_pnc_answers_a_lookup_with_ids_that_translate() -> None:
    pnc = PncSimulator(assign_unknown=True)
    event = _event(
        "prisoner.received", "N", "NEW_ADMISSION", (Identifier("NOMS", "A1234BC"),), person=PERSON
    )
    request = adapter.render(event)
    assert request is not None
    [(message_type, reply)] = pnc.respond("prisoner.received", request)
    (command,) = testing.accept(adapter, message_type, reply, adapter.partners["pnc"])
    assert isinstance(command, RecordPoliceLookup)
    assert command.outcome == "FOUND"
    assert command.person == (Identifier("NOMS", "A1234BC"),)
    assert command.pnc_id is not None and command.pnc_id.value.startswith("2024/")
    assert command.cro_number is not None
    assert parse_identifier("CRO", command.cro_number.value) == command.cro_number
    assert pnc.lookups[0]["RequestId"] == event.event_id


def test_the_simulated_pnc_does_not_know_a_stranger_unless_told_to_assign() -> None:
    pnc = PncSimulator()
    event = _event(
        "prisoner.received", "N", "NEW_ADMISSION", (Identifier("NOMS", "A1234BC"),), person=PERSON
    )
    [(message_type, reply)] = pnc.respond("prisoner.received", adapter.render(event) or b"")
    (command,) = testing.accept(adapter, message_type, reply, adapter.partners["pnc"])
    assert isinstance(command, RecordPoliceLookup)
    assert (command.outcome, command.pnc_id) == ("NOT_FOUND", None)


def test_the_simulated_pnc_keeps_the_custody_statuses_it_was_told() -> None:
    pnc = PncSimulator()
    assert (
        pnc.respond(
            "prisoner.released",
            adapter.render(_event("prisoner.released", "CR", "RELEASED")) or b"",
        )
        == []
    )
    assert pnc.custody == [
        {
            "EventId": pnc.custody[0]["EventId"],
            "OccurredAt": "2024-05-07T09:45:00+00:00",
            "PncId": "2011/1187342F",
            "PrisonNumber": "A1234BC",
            "Status": "RELEASED",
            "EstablishmentCode": "LEI",
            "MovementReasonCode": "CR",
            "LicenceType": "CONDITIONAL_RELEASE",
            "ReleasedOn": "2024-05-07",
        }
    ]
