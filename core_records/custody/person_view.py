"""A read model of one person's record, for the API, sharing policies and tests.

Values are JSON-ready: dates and times as ISO 8601 strings (times in UTC).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from core_records.custody.shared_details import shared_details
from core_records.custody.tables import booking, movement, person, person_identifier, person_name
from core_records.identifiers import Identifier


def person_view(
    connection: sa.Connection, identifier: Identifier, details: Iterable[str] = ()
) -> dict[str, Any] | None:
    """The record of the person ``identifier`` is recorded against, or None; with the
    ``details`` of ``shared_details.SHARED_DETAILS`` named (sentence key dates, alerts...)."""
    row = (
        connection.execute(
            sa.select(person)
            .join(person_identifier, person_identifier.c.person_id == person.c.id)
            .where(
                person_identifier.c.type == identifier.type,
                person_identifier.c.value == identifier.value,
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    person_id = row["id"]
    identifiers = connection.execute(
        sa.select(person_identifier.c.type, person_identifier.c.value)
        .where(person_identifier.c.person_id == person_id)
        .order_by(person_identifier.c.type, person_identifier.c.value)
    ).all()
    names = connection.execute(
        sa.select(person_name.c.name_type, person_name.c.surname, person_name.c.forenames)
        .where(person_name.c.person_id == person_id)
        .order_by(person_name.c.id)
    ).all()
    return {
        "prisonNumber": row["prison_number"],
        "version": row["version"],
        "identifiers": [{"type": r.type, "value": r.value} for r in identifiers],
        "names": [
            {"nameType": r.name_type, "surname": r.surname, "forenames": r.forenames} for r in names
        ],
        "dateOfBirth": row["date_of_birth"].isoformat(),
        "sex": row["sex"],
        "custodyStatus": row["custody_status"],
        "careStatus": row["care_status"],
        "establishment": row["current_establishment"],
        "legalStatus": row["legal_status"],
        "incentiveLevel": row["incentive_level"],
        "createdAt": row["created_at"].isoformat(),
        "updatedAt": row["updated_at"].isoformat(),
        "bookings": _bookings(connection, person_id),
        "movements": _movements(connection, person_id),
        **shared_details(connection, person_id, details),
    }


def _bookings(connection: sa.Connection, person_id: int) -> list[dict[str, Any]]:
    bookings = connection.execute(
        sa.select(booking)
        .where(booking.c.person_id == person_id)
        .order_by(booking.c.started_at, booking.c.id)
    ).mappings()
    return [
        {
            "bookingId": b["id"],
            "bookNumber": b["book_number"],
            "establishment": b["establishment"],
            "active": b["active"],
            "startedAt": b["started_at"].isoformat(),
            "endedAt": b["ended_at"].isoformat() if b["ended_at"] else None,
        }
        for b in bookings
    ]


def _movements(connection: sa.Connection, person_id: int) -> list[dict[str, Any]]:
    movements = connection.execute(
        sa.select(movement)
        .where(movement.c.person_id == person_id)
        .order_by(movement.c.occurred_at, movement.c.id)
    ).mappings()
    return [
        {
            "movementType": m["movement_type"],
            "direction": m["direction"],
            "reasonCode": m["reason_code"],
            "fromAgency": m["from_agency"],
            "toAgency": m["to_agency"],
            "occurredAt": m["occurred_at"].isoformat(),
            "bookingId": m["booking_id"],
            "messageId": m["message_id"],
        }
        for m in movements
    ]
