"""Legacy messages held while their establishment is being migrated.

Ingest holds a legacy message for a ``migrating`` prison here, whole (body and headers), in
the same transaction as its ``held`` journal hop, and only then acks it: a held message is
in the store, not a queue, so it outlives restarts, and a redelivery holds it once. At
go-live the messages are applied in arrival order (``id``), each marked with its outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from core_records.bookkeeping import journal
from core_records.bookkeeping.journal import Hop, write_hops
from core_records.estate.states import MIGRATING, locked_state
from core_records.estate.tables import estate_held_message

HELD = "held_until_live"
"""The journal hop of a message held until its prison goes live (or back to legacy)."""


@dataclass(frozen=True)
class HeldMessage:
    message_id: str
    establishment: str
    adapter: str
    partner: str
    message_type: str
    correlation_id: str
    content_type: str
    body: bytes
    received_at: datetime


def hold(connection: sa.Connection, message: HeldMessage, *, at: datetime) -> str:
    """Hold ``message`` if its prison is still ``migrating``, within the caller's
    transaction. The state the prison was found in: ``migrating`` when the message is held
    (now or before), another state when the caller must treat it by that state instead."""
    state = locked_state(connection, message.establishment).state
    if state != MIGRATING:
        return state
    h = estate_held_message
    known = connection.execute(
        sa.select(h.c.id).where(h.c.message_id == message.message_id)
    ).first()
    if known is None:
        connection.execute(sa.insert(h).values(**vars(message), held_at=at))
        write_hops(
            connection,
            [
                Hop(
                    message_id=message.message_id,
                    hop=HELD,
                    at=at,
                    correlation_id=message.correlation_id,
                    adapter=message.adapter,
                    partner=message.partner,
                    direction=journal.INBOUND,
                    message_type=message.message_type,
                    detail=f"{message.establishment} is being migrated: held until it goes live",
                )
            ],
        )
    return MIGRATING


def was_held(connection: sa.Connection, message_id: str) -> bool:
    """Whether the message was held once (and so is applied, or will be, from the store)."""
    h = estate_held_message
    return (
        connection.execute(sa.select(h.c.id).where(h.c.message_id == message_id)).first()
        is not None
    )


def waiting(connection: sa.Connection, code: str, limit: int = 200) -> list[HeldMessage]:
    """The oldest ``limit`` messages held for ``code`` and not yet applied, in arrival order."""
    h = estate_held_message
    fields = [h.c[name] for name in HeldMessage.__dataclass_fields__]
    rows = connection.execute(
        sa.select(*fields)
        .where(h.c.establishment == code, h.c.released_at.is_(None))
        .order_by(h.c.id)
        .limit(limit)
    )
    return [HeldMessage(**row) for row in rows.mappings()]


def mark_released(
    connection: sa.Connection, message_id: str, outcome: str, at: datetime, detail: str | None
) -> None:
    """Record what became of a held message when it was applied (``applied``,
    ``duplicate``, ``held`` for identity review, ``rejected``)."""
    h = estate_held_message
    connection.execute(
        sa.update(h)
        .where(h.c.message_id == message_id)
        .values(released_at=at, outcome=outcome, detail=detail)
    )


def waiting_by_establishment(connection: sa.Connection) -> dict[str, int]:
    """How many messages wait for each establishment that has any."""
    h = estate_held_message
    rows = connection.execute(
        sa.select(h.c.establishment, sa.func.count())
        .where(h.c.released_at.is_(None))
        .group_by(h.c.establishment)
    )
    return {code: int(count) for code, count in rows}
