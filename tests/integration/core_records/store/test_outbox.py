"""The outbox: events in the order they happened, published once, traced to their cause."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from core_records.bookkeeping import journal
from core_records.bookkeeping.journal import Hop, Journal
from core_records.events import PRISONER_RECEIVED, PRISONER_RELEASED
from core_records.store.record_store import RecordStore
from tests.integration.core_records.examples import (
    message,
    particulars,
    pnc,
    reception,
    release,
    transfer,
)


@pytest.fixture
def published_at() -> datetime:
    """After the store applied the test's examples (it stamps hops with the time it applied
    them). Taken per test, not at import: a long suite may reach these tests long after."""
    return datetime.now(UTC) + timedelta(minutes=5)


def test_unpublished_events_come_oldest_first_with_their_cause(store: RecordStore) -> None:
    received, moved = message(reception(particulars(pnc(1)))), message(transfer(pnc(1)))
    store.apply([received])
    store.apply([moved, message(release(pnc(1), establishment="MDI"))])

    entries = store.unpublished_events(limit=10)

    assert [e.event.event_type for e in entries] == [
        PRISONER_RECEIVED,
        PRISONER_RELEASED,
        PRISONER_RECEIVED,
        PRISONER_RELEASED,
    ]
    assert [e.sequence for e in entries] == sorted(e.sequence for e in entries)
    assert (entries[0].causation_id, entries[0].correlation_id) == (
        received.message_id,
        received.correlation_id,
    )
    assert entries[1].causation_id == entries[2].causation_id == moved.message_id
    assert entries[0].event.published_at is None
    assert entries[0].created_at.tzinfo is not None
    assert [e.event.event_id for e in store.unpublished_events(limit=2)] == [
        e.event.event_id for e in entries[:2]
    ]


def test_an_event_reads_back_as_it_was_stored(store: RecordStore) -> None:
    [outcome] = store.apply([message(reception(particulars(pnc(1)), from_agency="LEEDMC"))])
    [entry] = store.unpublished_events()
    stored = outcome.events[0]
    assert entry.event.event_id == stored.event_id
    assert entry.event.occurred_at == stored.occurred_at
    assert entry.event.person_identifiers == stored.person_identifiers
    assert dict(entry.event.additional_information) == dict(stored.additional_information)
    assert entry.event.person_key == outcome.person_key


def test_marking_events_published_takes_them_out_and_journals_each(
    store: RecordStore, engine: sa.Engine, published_at: datetime
) -> None:
    received = message(reception(particulars(pnc(1))))
    store.apply([received, message(reception(particulars(pnc(2))))])
    first, second = store.unpublished_events()

    assert store.mark_published([first], published_at) == 1
    assert [e.sequence for e in store.unpublished_events()] == [second.sequence]
    assert store.mark_published([first], published_at) == 0  # marked once only

    trace = Journal(engine).trace(received.message_id)
    assert [hop.hop for hop in trace] == [journal.STORED, journal.EVENT_PUBLISHED]
    published = trace[1]
    assert published == Hop(
        message_id=first.event.event_id,
        hop=journal.EVENT_PUBLISHED,
        at=published_at,
        correlation_id=received.correlation_id,
        causation_id=received.message_id,
        direction=journal.INTERNAL,
        message_type=PRISONER_RECEIVED,
        person_key=first.event.person_key,
    )


def test_a_trace_holds_the_hops_about_the_message_and_its_events_in_time_order(
    store: RecordStore, engine: sa.Engine, published_at: datetime
) -> None:
    moved = message(reception(particulars(pnc(1))))
    store.apply([moved])
    [entry] = store.unpublished_events()
    store.mark_published([entry], published_at)
    later = Hop(
        message_id=entry.event.event_id,
        hop=journal.DELIVERED,
        at=published_at + timedelta(seconds=2),
        partner="delius",
        direction=journal.OUTBOUND,
    )
    earlier = Hop(
        message_id=moved.message_id, hop=journal.RECEIVED, at=published_at - timedelta(days=1)
    )
    unrelated = Hop(message_id="someone-else", hop=journal.RECEIVED, at=published_at)
    Journal(engine).record([later, earlier, unrelated])

    hops = [hop.hop for hop in Journal(engine).trace(moved.message_id)]

    assert hops == [journal.RECEIVED, journal.STORED, journal.EVENT_PUBLISHED, journal.DELIVERED]
