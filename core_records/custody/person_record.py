"""Reads and writes of a person's record already in the store, made at once.

A change to a person already on record is written when it is made: the version check
must see the row as it is now. (People and bookings new in a batch, and every identifier,
name and movement, are kept back by ``UnitOfWork`` and written once per batch.)

The statements are built once, here, so that applying a command does not build and hash
SQLAlchemy constructs again and again on the hot path.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from core_records.custody.tables import booking, person
from core_records.errors import ConcurrentUpdate
from core_records.timestamps import UtcDateTime

IN_PRISON = "IN_PRISON"
OUTSIDE_PRISON = "OUTSIDE_PRISON"
UNDER_PRISON_CARE = "UNDER_PRISON_CARE"
NOT_UNDER_PRISON_CARE = "NOT_UNDER_PRISON_CARE"


@dataclass(frozen=True)
class Booking:
    id: int
    book_number: str


@dataclass(frozen=True)
class PersonState:
    """The parts of a person's record that decide which movements are allowed."""

    id: int
    prison_number: str
    version: int
    custody_status: str
    current_establishment: str | None
    active_booking: Booking | None


_LOAD_PERSON = (
    sa.select(
        person.c.id,
        person.c.prison_number,
        person.c.version,
        person.c.custody_status,
        person.c.current_establishment,
        booking.c.id.label("booking_id"),
        booking.c.book_number,
    )
    .outerjoin(booking, sa.and_(booking.c.person_id == person.c.id, booking.c.active.is_(True)))
    .where(person.c.id == sa.bindparam("person_id"))
)

_UPDATE_CUSTODY = (
    sa.update(person)
    .where(
        person.c.id == sa.bindparam("b_id"),
        person.c.version == sa.bindparam("b_version", type_=sa.Integer),
    )
    .values(
        custody_status=sa.bindparam("b_custody_status"),
        care_status=sa.bindparam("b_care_status"),
        current_establishment=sa.bindparam("b_establishment"),
        legal_status=sa.func.coalesce(
            sa.bindparam("b_legal_status", type_=sa.String), person.c.legal_status
        ),
        version=sa.bindparam("b_version", type_=sa.Integer) + 1,
        updated_at=sa.bindparam("b_now", type_=UtcDateTime),
    )
)

_MOVE_BOOKING = (
    sa.update(booking)
    .where(booking.c.id == sa.bindparam("b_id"))
    .values(
        establishment=sa.bindparam("b_establishment"),
        active=sa.bindparam("b_active"),
        ended_at=sa.bindparam("b_ended_at", type_=UtcDateTime),
    )
)


def load_person(connection: sa.Connection, person_id: int) -> PersonState:
    """The person's state with their active booking, if any (one query)."""
    row = connection.execute(_LOAD_PERSON, {"person_id": person_id}).one()
    active = Booking(row.booking_id, row.book_number) if row.booking_id is not None else None
    return PersonState(
        row.id,
        row.prison_number,
        row.version,
        row.custody_status,
        row.current_establishment,
        active,
    )


def change_custody(
    connection: sa.Connection,
    current: PersonState,
    *,
    custody_status: str,
    establishment: str | None,
    now: datetime,
    legal_status: str | None = None,
    care_status: str | None = None,
) -> PersonState:
    """Write the new custody state if the record is still at ``current.version``.

    In prison means under prison care; out of prison (released) means not. Raises
    ``ConcurrentUpdate`` when another writer changed the person first: the caller's whole
    batch is then safe to repeat. A person away at court or on temporary absence is out of
    prison but still in its care: ``care_status`` says so.
    """
    care_status = care_status or (
        UNDER_PRISON_CARE if custody_status == IN_PRISON else NOT_UNDER_PRISON_CARE
    )
    result = connection.execute(
        _UPDATE_CUSTODY,
        {
            "b_id": current.id,
            "b_version": current.version,
            "b_custody_status": custody_status,
            "b_care_status": care_status,
            "b_establishment": establishment,
            "b_legal_status": legal_status,
            "b_now": now,
        },
    )
    if result.rowcount != 1:
        raise ConcurrentUpdate(f"{current.prison_number} changed while a message was applied")
    return PersonState(
        current.id,
        current.prison_number,
        current.version + 1,
        custody_status,
        establishment,
        current.active_booking,
    )


def move_booking(
    connection: sa.Connection,
    open_booking: Booking,
    *,
    establishment: str,
    ended_at: datetime | None = None,
) -> None:
    """Move a booking to ``establishment``; with ``ended_at``, close it there."""
    connection.execute(
        _MOVE_BOOKING,
        {
            "b_id": open_booking.id,
            "b_establishment": establishment,
            "b_active": ended_at is None,
            "b_ended_at": ended_at,
        },
    )
