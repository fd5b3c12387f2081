"""Command handlers: apply one command to the record and return the events it produced.

Each handler checks everything that can make the command wrong (reference codes, who the
person is, where they are) before it writes anything, and says when it starts writing
with ``work.writing()`` (see ``core_records.store.unit_of_work``). It reads and writes the record
through the batch's unit of work, inside the caller's transaction. See DOMAIN.md,
"Movements".

This module holds custody's handlers (receptions, releases, transfers), named in
``HANDLERS``; ``core_records.registry`` gathers them with every other area's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from core_records.commands import RecordReception, RecordRelease, RecordTransfer
from core_records.custody.in_custody import person_in_custody_at
from core_records.custody.person_record import (
    IN_PRISON,
    NOT_UNDER_PRISON_CARE,
    OUTSIDE_PRISON,
    UNDER_PRISON_CARE,
    Booking,
    PersonState,
)
from core_records.errors import BusinessRuleViolation
from core_records.events import PRISONER_RECEIVED, PRISONER_RELEASED, CanonicalEvent, person_event
from core_records.identifiers import BOOKING, NOMS, Identifier
from core_records.identity.matching import LINK, NEW, REVIEW
from core_records.identity.numbers import person_from_holders
from core_records.identity.resolution import HeldForReview, Resolution, resolve
from core_records.store.unit_of_work import UnitOfWork

DIED = "DEC"
"""The REL movement reason of a death in custody."""
DEAD = "DEAD"
"""The legal status of a person who died in custody."""


def record_reception(work: UnitOfWork, command: RecordReception) -> list[CanonicalEvent]:
    """Receive a person into a prison: a new person, or one on record and out of prison."""
    reference = work.reference
    reference.require_prison(command.establishment)
    reference.require_movement_reason("ADM", command.reason_code)
    if command.from_agency is not None:
        reference.require_agency(command.from_agency)
    if command.legal_status is not None:
        reference.require_legal_status(command.legal_status)

    given = command.person.identifiers
    holders = work.holders(given)
    person_id = person_from_holders(given, holders)
    for identifier, holder in holders.items():
        if holder.person_id != person_id:
            raise BusinessRuleViolation(
                f"{identifier.type} {identifier.value} is recorded against "
                f"{holder.prison_number}, not the person received"
            )
    resolution: Resolution | None = None
    if person_id is None:
        person_id, resolution = _resolve_by_particulars(work, command)
    current = None if person_id is None else work.load_person(person_id)
    unrecorded = [i for i in dict.fromkeys(given) if i not in holders]
    own_number = next((i.value for i in unrecorded if i.type == NOMS), None)
    if current is not None:
        _check_readmission(work, current, own_number)

    work.writing()
    book_number = next((i.value for i in unrecorded if i.type == BOOKING), None)
    book_number = book_number or work.next_number(BOOKING)
    if current is None:
        person = work.new_person(
            own_number or work.next_number(NOMS),
            command.person,
            establishment=command.establishment,
            legal_status=command.legal_status,
        )
        work.add_names(person, (command.person.name, *command.person.aliases))
        reason = "NEW_ADMISSION"
    else:
        person = work.change_custody(
            current,
            custody_status=IN_PRISON,
            establishment=command.establishment,
            legal_status=command.legal_status,
        )
        reason = "TRANSFERRED" if command.reason_code == "INT" else "READMISSION"
    known = work.identifiers_of(person.id) if current is not None else frozenset()
    added = {*unrecorded, Identifier(NOMS, person.prison_number), Identifier(BOOKING, book_number)}
    work.add_identifiers(person, sorted(added - known))
    _record_decision(work, resolution, person.prison_number)
    booking = work.open_booking(person, book_number, command.establishment, command.occurred_at)
    record_movement(
        work, person, booking, "ADM", "IN", command, command.from_agency, command.establishment
    )
    information = movement_information(
        person, command.establishment, reason, "ADM", command.reason_code, in_care=True
    )
    information.update(bookingId=booking.id, bookNumber=booking.book_number)
    if command.from_agency is not None:
        information["fromAgency"] = command.from_agency
    # Who was received, as the receiving partner gave it: what a PNC lookup searches on.
    information["person"] = {
        "surname": command.person.name.surname,
        "forenames": command.person.name.forenames,
        "dateOfBirth": command.person.date_of_birth.isoformat(),
        "sex": command.person.sex,
    }
    return [person_event(PRISONER_RECEIVED, command.occurred_at, known | added, information)]


def _check_readmission(work: UnitOfWork, current: PersonState, own_number: str | None) -> None:
    """A person on record may be received again only when out of custody and alive, and
    under the prison number they already have."""
    # Away at court or on temporary absence is still in custody: the booking is open.
    if current.custody_status == IN_PRISON or current.active_booking is not None:
        raise BusinessRuleViolation(
            f"{current.prison_number} is already in custody at {current.current_establishment}"
        )
    if work.person_value(current.id, "legal_status") == DEAD:
        # A death in custody closes the record for good: a later reception naming the same
        # person is a mistake in the sending system, never a readmission.
        raise BusinessRuleViolation(
            f"{current.prison_number} died in custody (legal status DEAD): a reception of"
            " a dead person is refused"
        )
    if own_number is not None:
        # A prison number is for life: a second one is a merge, for a person to decide.
        raise BusinessRuleViolation(
            f"the person received is {current.prison_number}, not {own_number}"
        )


def _resolve_by_particulars(
    work: UnitOfWork, command: RecordReception
) -> tuple[int | None, Resolution | None]:
    """The person a reception names by particulars alone: decided by a person on a case,
    linked or new by the matcher; raises ``HeldForReview`` for a possible match."""
    decided = work.decided.get(work.message_id)
    if decided is not None:
        return decided.person_id, None
    resolution = resolve(
        work.connection,
        command.person,
        work.match_rules,
        work.people_new_in_batch(command.person),
        work.candidates,
    )
    if resolution.outcome == REVIEW:
        raise HeldForReview(resolution)
    return resolution.person_id, resolution


def _record_decision(work: UnitOfWork, resolution: Resolution | None, prison_number: str) -> None:
    if resolution is None:
        decided = work.decided.get(work.message_id)
        if decided is not None:
            outcome, evidence = "decided", json.dumps({"decidedBy": decided.decided_by})
        else:
            outcome, evidence = "identifier", '{"strongIdentifier":true}'
        work.record_identity_decision(outcome, prison_number, evidence)
        return
    best = resolution.best
    work.record_identity_decision(
        LINK if resolution.outcome == LINK else NEW,
        prison_number,
        resolution.evidence(),
        candidate_key=best.candidate.prison_number if best else None,
        score=best.score.score if best else None,
    )


def record_release(work: UnitOfWork, command: RecordRelease) -> list[CanonicalEvent]:
    """Release a person from the prison they are in: out of prison and out of our care."""
    reference = work.reference
    reference.require_prison(command.establishment)
    reference.require_movement_reason("REL", command.reason_code)
    if command.to_agency is not None:
        reference.require_agency(command.to_agency)
    current, booking = person_in_custody_at(work, command.person, command.establishment)
    work.writing()
    # A death in custody (DEC) ends the booking like any release and sets the legal status DEAD.
    died = command.reason_code == DIED
    person = work.change_custody(
        current,
        custody_status=OUTSIDE_PRISON,
        establishment=None,
        legal_status=DEAD if died else None,
    )
    work.move_booking(booking, establishment=command.establishment, ended_at=command.occurred_at)
    record_movement(
        work, person, booking, "REL", "OUT", command, command.establishment, command.to_agency
    )
    reason = "RELEASED_TO_HOSPITAL" if command.reason_code == "HP" else "RELEASED"
    information = movement_information(
        person, command.establishment, reason, "REL", command.reason_code, in_care=False
    )
    if command.to_agency is not None:
        information["toAgency"] = command.to_agency
    identifiers = work.identifiers_of(person.id)
    return [person_event(PRISONER_RELEASED, command.occurred_at, identifiers, information)]


def record_transfer(work: UnitOfWork, command: RecordTransfer) -> list[CanonicalEvent]:
    """Move a person between prisons: released from one, received into the other, with the
    same booking still open."""
    reference = work.reference
    source, destination = command.from_establishment, command.to_establishment
    reference.require_prison(source)
    reference.require_prison(destination)
    reference.require_movement_reason("TRN", command.reason_code)
    if source == destination:
        raise BusinessRuleViolation(f"a transfer must go to another prison, not {destination}")
    current, booking = person_in_custody_at(work, command.person, source)
    work.writing()
    person = work.change_custody(current, custody_status=IN_PRISON, establishment=destination)
    work.move_booking(booking, establishment=destination)
    record_movement(work, person, booking, "TRN", "OUT", command, source, destination)
    record_movement(work, person, booking, "TRN", "IN", command, source, destination)
    identifiers = work.identifiers_of(person.id)
    released = movement_information(
        person, source, "TRANSFERRED", "TRN", command.reason_code, in_care=True
    )
    released["toPrisonId"] = destination
    received = movement_information(
        person, destination, "TRANSFERRED", "TRN", command.reason_code, in_care=True
    )
    received["fromPrisonId"] = source
    return [
        person_event(PRISONER_RELEASED, command.occurred_at, identifiers, released),
        person_event(PRISONER_RECEIVED, command.occurred_at, identifiers, received),
    ]


class Movement(Protocol):
    """What a command says of a movement, beyond its type, direction and agencies."""

    @property
    def reason_code(self) -> str: ...

    @property
    def occurred_at(self) -> datetime: ...


def record_movement(
    work: UnitOfWork,
    person: PersonState,
    booking: Booking,
    movement_type: str,
    direction: str,
    command: Movement,
    from_agency: str | None,
    to_agency: str | None,
) -> None:
    """Record one movement of ``booking``: its type, direction, reason and agencies."""
    work.add_movements(
        person,
        booking,
        [
            {
                "movement_type": movement_type,
                "direction": direction,
                "reason_code": command.reason_code,
                "from_agency": from_agency,
                "to_agency": to_agency,
                "occurred_at": command.occurred_at,
            }
        ],
    )


def movement_information(
    person: PersonState,
    prison: str,
    reason: str,
    movement_type: str,
    reason_code: str,
    *,
    in_care: bool,
) -> dict[str, Any]:
    """The payload of a movement event (``prisoner.received``, ``prisoner.released``), in the
    justice domain's terms as well as Gatehouse's, whatever the movement: a subscriber that
    reads ``nomisMovementReasonCode`` or ``currentLocation`` finds them on every one.
    ``person`` is the person after the movement; ``in_care``, whether the prison still has
    them in its care (a booking still open: in prison, at court or on temporary absence)."""
    return {
        "nomsNumber": person.prison_number,
        "prisonId": prison,
        "reason": reason,
        "movementType": movement_type,
        "movementReasonCode": reason_code,
        "nomisMovementReasonCode": reason_code,
        "currentLocation": person.custody_status,
        "currentPrisonStatus": UNDER_PRISON_CARE if in_care else NOT_UNDER_PRISON_CARE,
    }


HANDLERS: dict[type, Callable[[UnitOfWork, Any], list[CanonicalEvent]]] = {
    RecordReception: record_reception,
    RecordRelease: record_release,
    RecordTransfer: record_transfer,
}
