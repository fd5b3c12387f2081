"""The message journal: every hop of every message, with its time and outcome.

A hop is written in the same database transaction as the work it records where there is
one (``stored`` with the record change, ``event_published`` with the outbox mark), so the
journal never claims work that was rolled back.

Hop names, in the order a message meets them:

    received        the edge accepted the message and the broker confirmed it durable
    stored          ingest applied the message's commands to the record
    duplicate       ingest saw a message id it had already applied, and changed nothing
    rejected        ingest refused the message for good (the reason says why)
    event_published the relay published a canonical event the message caused
    delivered       an outbound worker delivered an event to a partner
    filtered        a partner's sharing policy withheld an event from it
    retry_scheduled a delivery or ingest failed transiently and will be tried again
    dead_lettered   the message reached the dead-letter store
    replayed        an operator sent a dead letter back to its queue
    discarded       an operator discarded a dead letter
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime

import sqlalchemy as sa

from core_records.database import READ_ONLY, store_errors
from core_records.tables import journal as journal_table
from core_records.tables import outbox

RECEIVED = "received"
STORED = "stored"
DUPLICATE = "duplicate"
REJECTED = "rejected"
EVENT_PUBLISHED = "event_published"
DELIVERED = "delivered"
FILTERED = "filtered"
RETRY_SCHEDULED = "retry_scheduled"
DEAD_LETTERED = "dead_lettered"
REPLAYED = "replayed"
DISCARDED = "discarded"

INBOUND = "inbound"
OUTBOUND = "outbound"
INTERNAL = "internal"


@dataclass(frozen=True)
class Hop:
    """One step of one message.

    ``message_id`` is the message the hop is about: an inbound message's id, or a canonical
    event's id for relay and delivery hops. ``causation_id`` is the message that caused it
    (the inbound message, for an event), and ``correlation_id`` is shared by everything one
    partner message set in motion.
    """

    message_id: str
    hop: str
    at: datetime
    outcome: str = "ok"
    """ok, error or retry."""
    correlation_id: str | None = None
    causation_id: str | None = None
    adapter: str | None = None
    partner: str | None = None
    direction: str | None = None
    message_type: str | None = None
    person_key: str | None = None
    detail: str | None = None


def hop_row(hop: Hop) -> dict[str, object]:
    """The journal table row of a hop."""
    return {name: getattr(hop, name) for name in _HOP_FIELDS}


def write_hops(connection: sa.Connection, hops: Iterable[Hop]) -> None:
    """Insert hops within the caller's transaction, so they share its fate."""
    rows = [hop_row(hop) for hop in hops]
    if rows:
        connection.execute(sa.insert(journal_table), rows)


class Journal:
    """The journal on its own: hops recorded outside any other work, and traces."""

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine

    def record(self, hops: Iterable[Hop]) -> None:
        """Insert hops in a transaction of their own."""
        hops = list(hops)
        if not hops:
            return
        with store_errors(), self._engine.begin() as connection:
            write_hops(connection, hops)

    def trace(self, message_id: str) -> list[Hop]:
        """Every hop about the message, and about the events it caused, in time order."""
        caused = sa.select(outbox.c.event_id).where(outbox.c.causation_id == message_id)
        query = (
            sa.select(*[journal_table.c[name] for name in _HOP_FIELDS])
            .where(
                sa.or_(
                    journal_table.c.message_id == message_id,
                    journal_table.c.message_id.in_(caused),
                )
            )
            .order_by(journal_table.c.at, journal_table.c.id)
        )
        with store_errors(), self._engine.connect() as connection:
            connection = connection.execution_options(**READ_ONLY)
            return [Hop(**row) for row in connection.execute(query).mappings()]


_HOP_FIELDS = tuple(field.name for field in fields(Hop))
