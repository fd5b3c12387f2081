"""The outbox: canonical events stored with the change that produced them, until published.

Rows are written in the ingest transaction, so an event exists if and only if its change
was committed. The relay reads them oldest ``sequence`` first, publishes them, and marks them
published with an ``event_published`` hop in one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from core_records.bookkeeping import journal
from core_records.bookkeeping.journal import Hop, write_hops
from core_records.events import CanonicalEvent
from core_records.store.tables import outbox


@dataclass(frozen=True)
class OutboxEntry:
    """One stored event, as the relay sees it."""

    sequence: int
    """Orders events: the relay publishes in this order, and deliveries per person keep it."""
    event: CanonicalEvent
    correlation_id: str
    causation_id: str
    """The inbound message whose change produced the event."""
    created_at: datetime


EventCheck = Callable[[CanonicalEvent], None]
_event_checks: list[EventCheck] = []


def check_events_with(check: EventCheck) -> None:
    """Run ``check`` on every event as it is written to the outbox, in the writing
    transaction: what the composition root installs to validate raised events against the
    event catalogue (``schemas.catalogue.validate_event``), which this layer cannot import.
    An error it raises fails the change that raised the event."""
    if check not in _event_checks:
        _event_checks.append(check)


def outbox_row(
    event: CanonicalEvent, *, correlation_id: str, causation_id: str, created_at: datetime
) -> dict[str, object]:
    """The row of one event. The body is the JSON envelope without ``publishedAt``, which
    the relay sets when it publishes."""
    for check in _event_checks:
        check(event)
    envelope = event.to_envelope()
    envelope.pop("publishedAt", None)
    return {
        "event_id": event.event_id,
        "event_type": event.event_type,
        "person_key": event.person_key,
        "body": json.dumps(envelope, separators=(",", ":"), sort_keys=True),
        "correlation_id": correlation_id,
        "causation_id": causation_id,
        "created_at": created_at,
    }


def write_events(connection: sa.Connection, rows: Sequence[dict[str, object]]) -> None:
    """Insert outbox rows in the caller's transaction; their order is their sequence order."""
    if rows:
        connection.execute(sa.insert(outbox), list(rows))


def unpublished(connection: sa.Connection, limit: int) -> list[OutboxEntry]:
    # The WHERE clause is the partial index's own, so PostgreSQL reads only that index.
    rows = connection.execute(
        sa.select(
            outbox.c.sequence,
            outbox.c.body,
            outbox.c.correlation_id,
            outbox.c.causation_id,
            outbox.c.created_at,
        )
        .where(outbox.c.published_at.is_(None))
        .order_by(outbox.c.sequence)
        .limit(limit)
    )
    return [
        OutboxEntry(
            sequence=row.sequence,
            event=CanonicalEvent.from_json(row.body.encode()),
            correlation_id=row.correlation_id,
            causation_id=row.causation_id,
            created_at=row.created_at,
        )
        for row in rows
    ]


def mark_published(
    connection: sa.Connection, entries: Iterable[OutboxEntry], published_at: datetime
) -> int:
    """Mark entries published and journal an ``event_published`` hop for each one this call
    marked (an entry marked already is left as it is). The number marked."""
    by_sequence = {entry.sequence: entry for entry in entries}
    if not by_sequence:
        return 0
    marked = connection.execute(
        sa.update(outbox)
        .where(outbox.c.sequence.in_(sorted(by_sequence)), outbox.c.published_at.is_(None))
        .values(published_at=published_at)
        .returning(outbox.c.sequence)
    ).scalars()
    hops = [_published_hop(by_sequence[sequence], published_at) for sequence in sorted(marked)]
    write_hops(connection, hops)
    return len(hops)


def _published_hop(entry: OutboxEntry, at: datetime) -> Hop:
    return Hop(
        message_id=entry.event.event_id,
        hop=journal.EVENT_PUBLISHED,
        at=at,
        correlation_id=entry.correlation_id,
        causation_id=entry.causation_id,
        direction=journal.INTERNAL,
        message_type=entry.event.event_type,
        person_key=entry.event.person_key,
    )
