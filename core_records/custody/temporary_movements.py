"""Court (CRT) and temporary-absence (TAP) movements out of a prison and back, and a release
while away (at court): one set of commands and handlers for every partner that records them.

A person who leaves for court or on temporary absence stays in the prison's care and count:
they become OUTSIDE_PRISON but stay UNDER_PRISON_CARE, their booking stays open at the prison
and ``current_establishment`` stays the prison. The events are the justice domain's
``prisoner.released`` (reason SENT_TO_COURT, TEMPORARY_ABSENCE_RELEASE) and
``prisoner.received`` (RETURN_FROM_COURT, TEMPORARY_ABSENCE_RETURN), their payload naming
``nomisMovementReasonCode``, ``currentLocation`` and ``currentPrisonStatus`` as the domain
does. A court that releases the person (bail, acquittal, charges withdrawn) ends the booking
with a REL movement: ``prisoner.released`` with reason RELEASED.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core_records.custody.handlers import movement_information, record_movement
from core_records.custody.person_record import (
    IN_PRISON,
    OUTSIDE_PRISON,
    UNDER_PRISON_CARE,
    Booking,
    PersonState,
)
from core_records.errors import BusinessRuleViolation
from core_records.events import (
    PRISONER_RECEIVED,
    PRISONER_RELEASED,
    RETURN_FROM_COURT,
    SENT_TO_COURT,
    TEMPORARY_ABSENCE_RELEASE,
    TEMPORARY_ABSENCE_RETURN,
    CanonicalEvent,
    person_event,
)
from core_records.identifiers import Identifier
from core_records.identity.numbers import person_from_holders
from core_records.store.unit_of_work import UnitOfWork

COURT = "CRT"
TEMPORARY_ABSENCE = "TAP"
REASONS = {
    (COURT, "OUT"): SENT_TO_COURT,
    (COURT, "IN"): RETURN_FROM_COURT,
    (TEMPORARY_ABSENCE, "OUT"): TEMPORARY_ABSENCE_RELEASE,
    (TEMPORARY_ABSENCE, "IN"): TEMPORARY_ABSENCE_RETURN,
}
"""Movement type and direction to the canonical reason of the event."""


@dataclass(frozen=True)
class RecordTemporaryMovementOut:
    """A person left their prison for court (``CRT``) or on temporary absence (``TAP``)."""

    person: tuple[Identifier, ...]
    establishment: str
    movement_type: str
    reason_code: str
    """CRT reason (CRT, SENT, TRIAL, COM, BAIL, REM, VL) or TAP reason (C3, R2, ...)."""
    occurred_at: datetime
    to_agency: str | None = None


@dataclass(frozen=True)
class RecordTemporaryMovementIn:
    """A person away from their prison came back to it."""

    person: tuple[Identifier, ...]
    establishment: str
    movement_type: str
    reason_code: str
    occurred_at: datetime
    from_agency: str | None = None


@dataclass(frozen=True)
class RecordReleaseWhileAway:
    """A person away from their prison (at court) was released there: bailed (BL), found not
    guilty (NG), charges withdrawn (DS), ..."""

    person: tuple[Identifier, ...]
    establishment: str
    reason_code: str
    """A REL movement reason."""
    occurred_at: datetime
    at_agency: str | None = None


def _held(
    work: UnitOfWork, identifiers: tuple[Identifier, ...], establishment: str, *, away: bool
) -> tuple[PersonState, Booking]:
    """The person with an open booking at ``establishment``, in the prison (``away`` False)
    or away from it; refused in the same words otherwise, as ``person_in_custody_at`` is."""
    person_id = person_from_holders(identifiers, work.holders(identifiers))
    current = None if person_id is None else work.load_person(person_id)
    wanted = OUTSIDE_PRISON if away else IN_PRISON
    if (
        current is None
        or current.active_booking is None
        or current.current_establishment != establishment
        or current.custody_status != wanted
    ):
        described = ", ".join(f"{i.type} {i.value}" for i in identifiers) or "no identifiers"
        where = "away from" if away else "in custody at"
        raise BusinessRuleViolation(f"no one {where} {establishment} has {described}")
    return current, current.active_booking


def _check_type(movement_type: str) -> None:
    if movement_type not in (COURT, TEMPORARY_ABSENCE):
        raise BusinessRuleViolation(f"{movement_type} is not a court or temporary-absence move")


def record_movement_out(
    work: UnitOfWork, command: RecordTemporaryMovementOut
) -> list[CanonicalEvent]:
    """Out to court or on temporary absence: out of prison, still in its care."""
    _check_type(command.movement_type)
    work.reference.require_prison(command.establishment)
    work.reference.require_movement_reason(command.movement_type, command.reason_code)
    if command.to_agency is not None:
        work.reference.require_agency(command.to_agency)
    current, booking = _held(work, command.person, command.establishment, away=False)
    work.writing()
    person = work.change_custody(
        current,
        custody_status=OUTSIDE_PRISON,
        establishment=command.establishment,
        care_status=UNDER_PRISON_CARE,
    )
    record_movement(
        work,
        person,
        booking,
        command.movement_type,
        "OUT",
        command,
        command.establishment,
        command.to_agency,
    )
    reason = REASONS[command.movement_type, "OUT"]
    information = movement_information(
        person,
        command.establishment,
        reason,
        command.movement_type,
        command.reason_code,
        in_care=True,  # away, the booking still open at the prison
    )
    if command.to_agency is not None:
        information["toAgency"] = command.to_agency
    identifiers = work.identifiers_of(person.id)
    return [person_event(PRISONER_RELEASED, command.occurred_at, identifiers, information)]


def record_movement_in(
    work: UnitOfWork, command: RecordTemporaryMovementIn
) -> list[CanonicalEvent]:
    """Back from court or temporary absence, to the prison that holds the booking."""
    _check_type(command.movement_type)
    work.reference.require_prison(command.establishment)
    work.reference.require_movement_reason(command.movement_type, command.reason_code)
    if command.from_agency is not None:
        work.reference.require_agency(command.from_agency)
    current, booking = _held(work, command.person, command.establishment, away=True)
    work.writing()
    person = work.change_custody(
        current, custody_status=IN_PRISON, establishment=command.establishment
    )
    record_movement(
        work,
        person,
        booking,
        command.movement_type,
        "IN",
        command,
        command.from_agency,
        command.establishment,
    )
    reason = REASONS[command.movement_type, "IN"]
    information = movement_information(
        person,
        command.establishment,
        reason,
        command.movement_type,
        command.reason_code,
        in_care=True,  # back, the booking open all the while
    )
    if command.from_agency is not None:
        information["fromAgency"] = command.from_agency
    identifiers = work.identifiers_of(person.id)
    return [person_event(PRISONER_RECEIVED, command.occurred_at, identifiers, information)]


def record_release_while_away(
    work: UnitOfWork, command: RecordReleaseWhileAway
) -> list[CanonicalEvent]:
    """Released where the person is (at court): out of the prison's care, booking ended."""
    work.reference.require_prison(command.establishment)
    work.reference.require_movement_reason("REL", command.reason_code)
    if command.at_agency is not None:
        work.reference.require_agency(command.at_agency)
    current, booking = _held(work, command.person, command.establishment, away=True)
    work.writing()
    person = work.change_custody(current, custody_status=OUTSIDE_PRISON, establishment=None)
    work.move_booking(booking, establishment=command.establishment, ended_at=command.occurred_at)
    record_movement(
        work, person, booking, "REL", "OUT", command, command.establishment, command.at_agency
    )
    information = movement_information(
        person, command.establishment, "RELEASED", "REL", command.reason_code, in_care=False
    )
    if command.at_agency is not None:
        information["toAgency"] = command.at_agency
    identifiers = work.identifiers_of(person.id)
    return [person_event(PRISONER_RELEASED, command.occurred_at, identifiers, information)]


HANDLERS: dict[type, Callable[[UnitOfWork, Any], list[CanonicalEvent]]] = {
    RecordTemporaryMovementOut: record_movement_out,
    RecordTemporaryMovementIn: record_movement_in,
    RecordReleaseWhileAway: record_release_while_away,
}
