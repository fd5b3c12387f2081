"""Non-associations: two people in custody who must be kept apart, as a private-prison
operator records and closes them for people held in its own prisons.

A non-association is on both people's records, so each change raises one event per person
(``prisoner.non-association.created`` or ``.closed``), each naming the other person
(``otherPrisonNumber``) and the reason (``reasonCode``); the operator's comment stays in the
hub. Rows are append-only (``core_records.partner_records.tables.non_association``): a pair's latest
row says whether its non-association is open.

Rules, each a ``BusinessRuleViolation``:

- both people must be on record and held in a prison the operator runs. Anyone else (not on
  record, released, or in a prison the operator does not run) gets the same answer, word for
  word, so that an operator cannot learn that a person exists elsewhere;
- a person cannot be kept apart from themselves;
- recording a non-association the pair has open already, for the same reason, changes
  nothing (an operator resending after a timeout, or a nightly batch restating what is open);
  for another reason it is refused: close the open one first;
- closing one that is not open is refused, as is a close naming another reason than the
  open one's, or ending before it took effect.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from core_records.custody.person_record import IN_PRISON, PersonState
from core_records.errors import BusinessRuleViolation
from core_records.events import (
    NON_ASSOCIATION_CLOSED,
    NON_ASSOCIATION_CREATED,
    CanonicalEvent,
    person_event,
)
from core_records.identifiers import NOMS, Identifier
from core_records.partner_records.commands import (
    NON_ASSOCIATION_REASONS,
    CloseNonAssociation,
    NonAssociationCommand,
    RecordNonAssociation,
)
from core_records.partner_records.tables import non_association
from core_records.store.unit_of_work import UnitOfWork

OPEN = "OPEN"
CLOSED = "CLOSED"


def _not_held(operator: str, prison_number: str) -> BusinessRuleViolation:
    return BusinessRuleViolation(
        f"no one held in a prison {operator} runs has the prison number {prison_number}"
    )


def _held(
    work: UnitOfWork, identifiers: tuple[Identifier, ...], command: NonAssociationCommand
) -> PersonState:
    """The person the prison number names, who must be in custody in one of the operator's
    prisons; a local id given with it must not be someone else's."""
    number = next((i for i in identifiers if i.type == NOMS), None)
    if number is None:
        raise BusinessRuleViolation("a non-association names each person by prison number")
    holders = work.holders(identifiers)
    holder = holders.get(number)
    if holder is None:
        raise _not_held(command.operator, number.value)
    who = work.load_person(holder.person_id)
    if who.custody_status != IN_PRISON or who.current_establishment not in command.prisons:
        raise _not_held(command.operator, number.value)
    for other in identifiers:
        found = holders.get(other)
        if found is not None and found.person_id != who.id:
            raise BusinessRuleViolation(
                f"{other.type} {other.value} is not the identifier of {who.prison_number}"
            )
    return who


def _pair(work: UnitOfWork, command: NonAssociationCommand) -> tuple[PersonState, PersonState]:
    if command.reason_code not in NON_ASSOCIATION_REASONS:
        raise BusinessRuleViolation(
            f"unknown non-association reason {command.reason_code!r}"
            f" (known: {', '.join(NON_ASSOCIATION_REASONS)})"
        )
    who = _held(work, command.person, command)
    other = _held(work, command.other_person, command)
    if who.id == other.id:
        raise BusinessRuleViolation(f"{who.prison_number} cannot be kept apart from themselves")
    return who, other


def _latest(work: UnitOfWork, who: PersonState, other: PersonState) -> dict[str, Any] | None:
    """The pair's latest row, either way round, this batch's own rows first."""
    pair = {who.id, other.id}
    pending = [
        row
        for row in work.pending_rows(non_association)
        if {row["person_id"], row["other_person_id"]} == pair
    ]
    if pending:
        return pending[-1]
    t = non_association
    found = (
        work.connection.execute(
            sa.select(t)
            .where(
                sa.or_(
                    sa.and_(t.c.person_id == who.id, t.c.other_person_id == other.id),
                    sa.and_(t.c.person_id == other.id, t.c.other_person_id == who.id),
                )
            )
            .order_by(t.c.id.desc())
            .limit(1)
        )
        .mappings()
        .first()
    )
    return None if found is None else dict(found)


def _event(
    work: UnitOfWork,
    event_type: str,
    about: PersonState,
    other: PersonState,
    reason: str,
    at: datetime,
) -> CanonicalEvent:
    information: dict[str, Any] = {
        "nomsNumber": about.prison_number,
        "otherPrisonNumber": other.prison_number,
        "reasonCode": reason,
    }
    if about.current_establishment is not None:
        information["prisonId"] = about.current_establishment
    return person_event(event_type, at, work.identifiers_of(about.id), information)


def _record(
    work: UnitOfWork,
    command: NonAssociationCommand,
    who: PersonState,
    other: PersonState,
    status: str,
    event_type: str,
) -> list[CanonicalEvent]:
    work.writing()
    work.add_rows(
        non_association,
        [
            {
                "person_id": who.id,
                "other_person_id": other.id,
                "status": status,
                "reason_code": command.reason_code,
                "effective_on": command.effective_on,
                "ended_on": command.ended_on if isinstance(command, CloseNonAssociation) else None,
                "operator": command.operator,
                "comment": command.comment,
                "message_id": work.message_id,
            }
        ],
    )
    # One event per person: the non-association is on both records.
    at, reason = command.occurred_at, command.reason_code
    return [
        _event(work, event_type, who, other, reason, at),
        _event(work, event_type, other, who, reason, at),
    ]


def record_non_association(work: UnitOfWork, command: RecordNonAssociation) -> list[CanonicalEvent]:
    who, other = _pair(work, command)
    latest = _latest(work, who, other)
    if latest is not None and latest["status"] == OPEN:
        if latest["reason_code"] == command.reason_code:
            return []
        raise BusinessRuleViolation(
            f"{who.prison_number} and {other.prison_number} have an open non-association"
            f" already, for reason {latest['reason_code']}: close it before recording one"
            f" for reason {command.reason_code}"
        )
    return _record(work, command, who, other, OPEN, NON_ASSOCIATION_CREATED)


def close_non_association(work: UnitOfWork, command: CloseNonAssociation) -> list[CanonicalEvent]:
    who, other = _pair(work, command)
    latest = _latest(work, who, other)
    between = f"{who.prison_number} and {other.prison_number}"
    if latest is None or latest["status"] != OPEN:
        raise BusinessRuleViolation(f"{between} have no open non-association to close")
    if latest["reason_code"] != command.reason_code:
        raise BusinessRuleViolation(
            f"the open non-association between {between} is for reason"
            f" {latest['reason_code']}, not {command.reason_code}"
        )
    took_effect = latest["effective_on"]
    if command.ended_on < took_effect or command.ended_on < command.effective_on:
        raise BusinessRuleViolation(
            f"the non-association between {between} took effect on"
            f" {max(took_effect, command.effective_on).isoformat()}, so cannot have ended on"
            f" {command.ended_on.isoformat()}"
        )
    return _record(work, command, who, other, CLOSED, NON_ASSOCIATION_CLOSED)


HANDLERS: dict[type, Callable[[UnitOfWork, Any], list[CanonicalEvent]]] = {
    RecordNonAssociation: record_non_association,
    CloseNonAssociation: close_non_association,
}
