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
    resent          a replay or resend sent a delivered document to its partner again
                    (``core_records.bookkeeping.replays``)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime

import sqlalchemy as sa

from core_records.bookkeeping.message_history import Document, record_documents
from core_records.bookkeeping.tables import journal as journal_table
from core_records.custody.tables import person, person_identifier
from core_records.store.database import READ_ONLY, store_errors
from core_records.store.tables import outbox

RECEIVED = "received"
STORED = "stored"
DUPLICATE = "duplicate"
REJECTED = "rejected"
EVENT_PUBLISHED = "event_published"
DELIVERED = "delivered"
FILTERED = "filtered"
RETRY_SCHEDULED = "retry_scheduled"
DELIVERY_HELD = "delivery_held"
"""An event waiting behind an earlier event of the same person (``delivery_holds``)."""
HOLD_RELEASED = "hold_released"
"""A hold released because the event it guarded was settled elsewhere or is gone."""
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


@dataclass(frozen=True)
class JournalQuery:
    """What a service manager searches the journal for; every field given must match.

    ``identifier`` is a prison number or any other identifier of a person (PNC id, CRN,
    booking id...): hops are found by the person's prison number. ``status`` is a hop name
    (``dead_lettered``) or an outcome (``ok``, ``error``, ``retry``). ``before_id`` pages on:
    pass the ``next_before_id`` of the previous page.
    """

    message_id: str | None = None
    correlation_id: str | None = None
    identifier: str | None = None
    adapter: str | None = None
    direction: str | None = None
    message_type: str | None = None
    status: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    before_id: int | None = None
    limit: int = 50


@dataclass(frozen=True)
class JournalPage:
    hops: list[tuple[int, Hop]]
    """(journal row id, hop), newest first."""
    next_before_id: int | None
    """Where the next page starts, or None when this is the last."""


OUTCOMES = ("ok", "error", "retry")


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

    def record(self, hops: Iterable[Hop], documents: Sequence[Document] = ()) -> None:
        """Insert hops in a transaction of their own, with the partner documents they are
        about (``message_history``)."""
        hops = list(hops)
        if not hops:
            return
        with store_errors(), self._engine.begin() as connection:
            write_hops(connection, hops)
            record_documents(connection, documents)

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

    def search(self, query: JournalQuery) -> JournalPage:
        """Hops matching ``query``, newest first, a page at a time.

        Pages by keyset (``id < before_id``) rather than by offset, so the hundredth page
        costs what the first does; each filter has an index that walks in id order.
        """
        columns = [journal_table.c.id, *[journal_table.c[name] for name in _HOP_FIELDS]]
        statement = sa.select(*columns).where(*self._conditions(query))
        statement = statement.order_by(journal_table.c.id.desc()).limit(query.limit + 1)
        with store_errors(), self._engine.connect() as connection:
            connection = connection.execution_options(**READ_ONLY)
            rows = list(connection.execute(statement).mappings())
        page = [(row["id"], Hop(**{name: row[name] for name in _HOP_FIELDS})) for row in rows]
        more = len(page) > query.limit
        page = page[: query.limit]
        return JournalPage(page, page[-1][0] if more and page else None)

    def _conditions(self, query: JournalQuery) -> list[sa.ColumnElement[bool]]:
        c = journal_table.c
        conditions: list[sa.ColumnElement[bool]] = []
        for column, value in (
            (c.message_id, query.message_id),
            (c.correlation_id, query.correlation_id),
            (c.adapter, query.adapter),
            (c.direction, query.direction),
            (c.message_type, query.message_type),
        ):
            if value:
                conditions.append(column == value)
        if query.identifier:
            conditions.append(c.person_key.in_(self._person_keys(query.identifier)))
        if query.status:
            column = c.outcome if query.status in OUTCOMES else c.hop
            conditions.append(column == query.status)
        if query.since is not None:
            conditions.append(c.at >= query.since)
        if query.until is not None:
            conditions.append(c.at < query.until)
        if query.before_id is not None:
            conditions.append(c.id < query.before_id)
        return conditions

    def _person_keys(self, identifier: str) -> list[str]:
        """The prison numbers of whoever holds ``identifier`` (as typed, and upper case)."""
        values = sorted({identifier.strip(), identifier.strip().upper()})
        holders = (
            sa.select(person.c.prison_number)
            .join(person_identifier, person_identifier.c.person_id == person.c.id)
            .where(person_identifier.c.value.in_(values))
        )
        with store_errors(), self._engine.connect() as connection:
            connection = connection.execution_options(**READ_ONLY)
            found = list(connection.execute(holders).scalars())
        return sorted(set(values) | set(found))

    def correlation(self, correlation_id: str) -> list[Hop]:
        """Every hop that one partner message set in motion, in time order."""
        query = (
            sa.select(*[journal_table.c[name] for name in _HOP_FIELDS])
            .where(journal_table.c.correlation_id == correlation_id)
            .order_by(journal_table.c.at, journal_table.c.id)
        )
        with store_errors(), self._engine.connect() as connection:
            connection = connection.execution_options(**READ_ONLY)
            return [Hop(**row) for row in connection.execute(query).mappings()]


_HOP_FIELDS = tuple(field.name for field in fields(Hop))
