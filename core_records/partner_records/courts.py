"""What courts tell the record: hearings listed a day ahead, and each defendant's result.

A listed hearing is stored; for a person the hub holds in custody it raises
``prisoner.court-hearing.listed``, from which the court is told where the person is held so
that they can be produced. A result for a person in custody is their court movement and its
outcome (``core_records.custody.temporary_movements``): out to court (CRT OUT), then back
(CRT IN, reason REM, COM or SENT, with the sentence's key dates for a sentence) or released
there (REL: BL bailed, NG acquitted, DS discharged). A custodial result naming someone the
hub does not hold is a reception into the prison the court committed them to, through
identity matching as every reception is. Every result is stored, whoever it names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from core_records.commands import PersonParticulars, RecordReception
from core_records.custody.handlers import record_reception
from core_records.custody.person_record import IN_PRISON, UNDER_PRISON_CARE, PersonState
from core_records.custody.temporary_movements import (
    COURT,
    RecordReleaseWhileAway,
    RecordTemporaryMovementIn,
    RecordTemporaryMovementOut,
    record_movement_in,
    record_movement_out,
    record_release_while_away,
)
from core_records.errors import BusinessRuleViolation, InvalidMessage
from core_records.events import COURT_HEARING_LISTED, CanonicalEvent
from core_records.identifiers import NOMS, Identifier
from core_records.identity.numbers import person_from_holders
from core_records.partner_records.commands import RecordSentence
from core_records.partner_records.court_tables import court_hearing, court_result
from core_records.partner_records.facts import partner_event
from core_records.partner_records.sentences import record_sentence
from core_records.store.unit_of_work import UnitOfWork

REMANDED = "REMANDED_IN_CUSTODY"
COMMITTED = "COMMITTED"
SENTENCED = "SENTENCED"
BAILED = "BAILED"
ACQUITTED = "ACQUITTED"
DISCHARGED = "DISCHARGED"

CUSTODIAL = {REMANDED: "REM", COMMITTED: "COM", SENTENCED: "SENT"}
"""A result that keeps the person in custody, to the CRT reason of their return."""
RECEPTION_REASONS = {REMANDED: "N", COMMITTED: "N", SENTENCED: "I"}
"""A custodial result for someone not held, to the ADM reason of their reception."""
LEGAL_STATUSES = {REMANDED: "REMAND", COMMITTED: "REMAND", SENTENCED: "SENTENCED"}
RELEASES = {BAILED: "BL", ACQUITTED: "NG", DISCHARGED: "DS"}
"""A result that frees the person at court, to the REL reason of their release."""
OUTCOMES = frozenset({*CUSTODIAL, *RELEASES})


@dataclass(frozen=True)
class RecordListedHearing:
    """A court listed a hearing for a defendant (one command per defendant of a list)."""

    person: tuple[Identifier, ...]
    court: str
    hearing_date: date
    case_reference: str
    occurred_at: datetime


@dataclass(frozen=True)
class RecordHearingResult:
    """A court's result for one defendant."""

    person: tuple[Identifier, ...]
    particulars: PersonParticulars
    """Who the court says the defendant is: what a reception matches on."""
    court: str
    case_reference: str
    outcome: str
    occurred_at: datetime
    """When the result was given: the return to prison, or the release at court."""
    left_prison_at: datetime | None = None
    """When a defendant in custody left the prison for the hearing."""
    committed_to: str | None = None
    """The prison a custodial result sends someone the hub does not hold to."""
    key_dates: tuple[tuple[str, date], ...] = ()
    """A sentence's key dates (code, date)."""


def _require_court(work: UnitOfWork, code: str) -> None:
    if work.reference.require_agency(code).agency_type != "CRT":
        raise BusinessRuleViolation(f"{code} is not a court")


def _held(work: UnitOfWork, identifiers: tuple[Identifier, ...]) -> PersonState | None:
    """The person the identifiers name, if the hub holds them with an open booking."""
    person_id = person_from_holders(identifiers, work.holders(identifiers))
    if person_id is None:
        return None
    current = work.load_person(person_id)
    return current if current.active_booking is not None else None


def record_listed_hearing(work: UnitOfWork, command: RecordListedHearing) -> list[CanonicalEvent]:
    """Store the listing; tell the court where a person in custody is held."""
    _require_court(work, command.court)
    held = _held(work, command.person)
    work.writing()
    row = {
        "person_id": None if held is None else held.id,
        "court_code": command.court,
        "hearing_date": command.hearing_date,
        "case_reference": command.case_reference,
        "identifiers": " ".join(f"{i.type}:{i.value}" for i in command.person),
        "listed_at": command.occurred_at,
        "message_id": work.message_id,
    }
    work.add_rows(court_hearing, [row])
    if held is None:
        return []
    information = {
        "courtId": command.court,
        "hearingDate": command.hearing_date.isoformat(),
        "caseReference": command.case_reference,
        "currentLocation": held.custody_status,
        "currentPrisonStatus": UNDER_PRISON_CARE,
    }
    return [partner_event(work, held, COURT_HEARING_LISTED, command.occurred_at, information)]


def record_hearing_result(work: UnitOfWork, command: RecordHearingResult) -> list[CanonicalEvent]:
    """The court movement and outcome of a person in custody; a reception for a custodial
    result naming someone the hub does not hold; nothing more for anyone else."""
    if command.outcome not in OUTCOMES:
        raise InvalidMessage(f"unknown hearing outcome {command.outcome!r}")
    _require_court(work, command.court)
    held = _held(work, command.person)
    if held is not None:
        events = _in_custody(work, command, held)
        person_id = held.id
    elif command.outcome in CUSTODIAL:
        events = _received(work, command)
        person_id = _held(work, _prison_number(events)).id  # type: ignore[union-attr]
    else:
        work.writing()
        events, person_id = [], None
    work.add_rows(
        court_result,
        [
            {
                "person_id": person_id,
                "court_code": command.court,
                "case_reference": command.case_reference,
                "outcome": command.outcome,
                "committed_to": command.committed_to,
                "occurred_at": command.occurred_at,
                "message_id": work.message_id,
            }
        ],
    )
    return events


def _prison_number(events: list[CanonicalEvent]) -> tuple[Identifier, ...]:
    return (Identifier(NOMS, str(events[0].additional_information["nomsNumber"])),)


def _in_custody(
    work: UnitOfWork, command: RecordHearingResult, held: PersonState
) -> list[CanonicalEvent]:
    prison = held.current_establishment
    if prison is None:
        raise BusinessRuleViolation(f"{held.prison_number} has no prison on record")
    who = (Identifier(NOMS, held.prison_number),)
    events: list[CanonicalEvent] = []
    if held.custody_status == IN_PRISON:
        out = RecordTemporaryMovementOut(
            who, prison, COURT, "CRT", command.left_prison_at or command.occurred_at, command.court
        )
        events += record_movement_out(work, out)
    if command.outcome in RELEASES:
        release = RecordReleaseWhileAway(
            who, prison, RELEASES[command.outcome], command.occurred_at, command.court
        )
        return events + record_release_while_away(work, release)
    back = RecordTemporaryMovementIn(
        who, prison, COURT, CUSTODIAL[command.outcome], command.occurred_at, command.court
    )
    events += record_movement_in(work, back)
    if command.outcome == SENTENCED:
        events += _sentence(work, command, who, prison)
    return events


def _sentence(
    work: UnitOfWork,
    command: RecordHearingResult,
    who: tuple[Identifier, ...],
    prison: str,
    legal_status: str | None = LEGAL_STATUSES[SENTENCED],
) -> list[CanonicalEvent]:
    sentence = RecordSentence(who, prison, command.key_dates, command.occurred_at, legal_status)
    return record_sentence(work, sentence)


def _received(work: UnitOfWork, command: RecordHearingResult) -> list[CanonicalEvent]:
    if command.committed_to is None:
        raise InvalidMessage(
            f"a {command.outcome} result for someone not in custody must name the prison"
            " they are committed to",
            rule="committed-to",
        )
    reception = RecordReception(
        person=command.particulars,
        establishment=command.committed_to,
        reason_code=RECEPTION_REASONS[command.outcome],
        occurred_at=command.occurred_at,
        from_agency=command.court,
        legal_status=LEGAL_STATUSES[command.outcome],
    )
    events = record_reception(work, reception)
    if command.outcome == SENTENCED and command.key_dates:
        # The reception has already recorded them as sentenced: the key dates alone.
        events += _sentence(work, command, _prison_number(events), command.committed_to, None)
    return events


HANDLERS: dict[type, Callable[[UnitOfWork, Any], list[CanonicalEvent]]] = {
    RecordListedHearing: record_listed_hearing,
    RecordHearingResult: record_hearing_result,
}
