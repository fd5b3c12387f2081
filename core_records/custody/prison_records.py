"""What a prison records about the people it holds besides their movements: incentive-level
reviews, alerts raised and closed, and the arriving end of a transfer.

The commands are the prison's own, so the person must be held by it: booked into that
prison, in it or away at court or on temporary absence (they stay in its care). Anyone else
is refused in the same words as a release is, so that a prison does not learn who is held
elsewhere.

- ``RecordIncentiveReview``: an incentive-level review (BAS, ENT, STD, ENH, ...). The review
  is kept; a new level is the person's level from then on (what the canteen's spend limit
  and roll read) and is announced as ``incentives.level.changed``; a review that keeps the
  level announces nothing.
- ``RecordPrisonAlert``: an alert raised (``active``) or closed, announced as the domain's
  ``person.alert.created`` / ``person.alert.inactive``. Security (X) alerts travel the same
  way: only a security-cleared partner receives them (``adapters.base``).
- ``RecordTransferIn``: the receiving prison's word that a person arrived from another
  prison. When the sending prison has told the hub already, the person is here and nothing
  changes; otherwise it is the transfer itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from core_records.commands import RecordTransfer
from core_records.custody.handlers import record_transfer
from core_records.custody.person_record import PersonState
from core_records.custody.tables import alert, incentive_review
from core_records.errors import BusinessRuleViolation
from core_records.events import (
    ALERT_CREATED,
    ALERT_INACTIVE,
    INCENTIVE_LEVEL_CHANGED,
    CanonicalEvent,
    person_event,
)
from core_records.identifiers import Identifier
from core_records.identity.numbers import person_from_holders
from core_records.store.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class RecordIncentiveReview:
    """A prison reviewed a person's incentive level."""

    person: tuple[Identifier, ...]
    establishment: str
    level: str
    """BAS basic, ENT entry, STD standard, ENH enhanced (EN2, EN3 in some prisons)."""
    occurred_at: datetime


@dataclass(frozen=True)
class RecordPrisonAlert:
    """A prison raised (``active``) or closed an alert on a person it holds."""

    person: tuple[Identifier, ...]
    establishment: str
    alert_code: str
    active: bool
    occurred_at: datetime


@dataclass(frozen=True)
class RecordTransferIn:
    """A person arrived at ``to_establishment`` on transfer from ``from_establishment``."""

    person: tuple[Identifier, ...]
    from_establishment: str
    to_establishment: str
    reason_code: str
    occurred_at: datetime


def held_by(work: UnitOfWork, identifiers: tuple[Identifier, ...], prison: str) -> PersonState:
    """The person booked into ``prison``, in it or away from it; refused otherwise."""
    person_id = person_from_holders(identifiers, work.holders(identifiers))
    current = None if person_id is None else work.load_person(person_id)
    if current is None or current.active_booking is None or current.current_establishment != prison:
        described = ", ".join(f"{i.type} {i.value}" for i in identifiers) or "no identifiers"
        raise BusinessRuleViolation(f"no one in custody at {prison} has {described}")
    return current


def _event(
    work: UnitOfWork, who: PersonState, event_type: str, at: datetime, information: dict[str, Any]
) -> CanonicalEvent:
    information = {"nomsNumber": who.prison_number, **information}
    return person_event(event_type, at, work.identifiers_of(who.id), information)


def record_incentive_review(
    work: UnitOfWork, command: RecordIncentiveReview
) -> list[CanonicalEvent]:
    work.reference.require_prison(command.establishment)
    work.reference.require_incentive_level(command.level)
    who = held_by(work, command.person, command.establishment)
    previous = work.person_value(who.id, "incentive_level")
    work.writing()
    row = {"person_id": who.id, "level": command.level, "reviewed_at": command.occurred_at}
    work.add_rows(incentive_review, [row])
    if previous == command.level:
        return []
    work.set_incentive_level(who.id, command.level)
    information = {"prisonId": command.establishment, "incentiveLevel": command.level}
    if previous is not None:
        information["previousIncentiveLevel"] = previous
    return [_event(work, who, INCENTIVE_LEVEL_CHANGED, command.occurred_at, information)]


def _active_alert(work: UnitOfWork, person_id: int, code: str) -> bool:
    stored = work.connection.execute(
        sa.select(sa.func.count()).where(
            alert.c.person_id == person_id, alert.c.alert_code == code, alert.c.active.is_(True)
        )
    ).scalar_one()
    pending = any(
        r["person_id"] == person_id and r["alert_code"] == code and r["active"]
        for r in work.pending_rows(alert)
    )
    return bool(stored) or pending


def record_prison_alert(work: UnitOfWork, command: RecordPrisonAlert) -> list[CanonicalEvent]:
    """Raise or close the alert; raising one already active, or closing one not active,
    changes nothing and announces nothing (a legacy system resends its alert flags)."""
    work.reference.require_prison(command.establishment)
    alert_type = work.reference.require_alert_code(command.alert_code)
    who = held_by(work, command.person, command.establishment)
    active = _active_alert(work, who.id, command.alert_code)
    if active == command.active:
        return []
    work.writing()
    at = command.occurred_at
    if command.active:
        row = {"person_id": who.id, "alert_type": alert_type, "alert_code": command.alert_code,
               "active": True, "created_at": at, "expires_at": None}  # fmt: skip
        work.add_rows(alert, [row])
    else:
        work.connection.execute(
            sa.update(alert)
            .where(
                alert.c.person_id == who.id,
                alert.c.alert_code == command.alert_code,
                alert.c.active.is_(True),
            )
            .values(active=False, expires_at=at)
        )
        for row in work.pending_rows(alert):
            if row["person_id"] == who.id and row["alert_code"] == command.alert_code:
                row.update(active=False, expires_at=at)
    information = {"prisonId": command.establishment, "alertType": alert_type,
                   "alertCode": command.alert_code}  # fmt: skip
    event_type = ALERT_CREATED if command.active else ALERT_INACTIVE
    return [_event(work, who, event_type, at, information)]


def record_transfer_in(work: UnitOfWork, command: RecordTransferIn) -> list[CanonicalEvent]:
    person_id = person_from_holders(command.person, work.holders(command.person))
    if person_id is not None:
        current = work.load_person(person_id)
        if (
            current.active_booking is not None
            and current.current_establishment == command.to_establishment
        ):
            work.reference.require_movement_reason("TRN", command.reason_code)
            return []
    transfer = RecordTransfer(
        command.person,
        command.from_establishment,
        command.to_establishment,
        command.reason_code,
        command.occurred_at,
    )
    return record_transfer(work, transfer)


HANDLERS: dict[type, Callable[[UnitOfWork, Any], list[CanonicalEvent]]] = {
    RecordIncentiveReview: record_incentive_review,
    RecordPrisonAlert: record_prison_alert,
    RecordTransferIn: record_transfer_in,
}
