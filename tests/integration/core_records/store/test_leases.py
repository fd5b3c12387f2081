"""Leases: one outbox relay publishes at a time, and a dead one's lease runs out."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from core_records.store.database import create_engine
from core_records.store.record_store import RecordStore

NOON = datetime(2025, 3, 4, 12, 0, tzinfo=UTC)


def test_only_one_owner_holds_a_lease_until_it_expires(store: RecordStore) -> None:
    assert store.claim_lease("relay", "one", 30, now=NOON)
    assert not store.claim_lease("relay", "two", 30, now=NOON + timedelta(seconds=29))
    assert store.claim_lease("relay", "one", 30, now=NOON + timedelta(seconds=29))  # renewed
    assert not store.claim_lease("relay", "two", 30, now=NOON + timedelta(seconds=58))
    assert store.claim_lease("relay", "two", 30, now=NOON + timedelta(seconds=60))
    assert not store.claim_lease("relay", "one", 30, now=NOON + timedelta(seconds=61))


def test_a_released_lease_is_free_at_once_but_only_its_owner_can_release_it(
    store: RecordStore,
) -> None:
    assert store.claim_lease("relay", "one", 30, now=NOON)
    store.release_lease("relay", "two")
    assert not store.claim_lease("relay", "two", 30, now=NOON)
    store.release_lease("relay", "one")
    assert store.claim_lease("relay", "two", 30, now=NOON)


def test_leases_of_different_jobs_are_independent(store: RecordStore) -> None:
    assert store.claim_lease("relay", "one", 30, now=NOON)
    assert store.claim_lease("reports", "two", 30, now=NOON)


def test_of_many_processes_racing_for_a_lease_exactly_one_wins(database_url: str) -> None:
    engines = [create_engine(database_url) for _ in range(6)]
    stores = [RecordStore(engine) for engine in engines]
    start = threading.Barrier(len(stores))
    won: list[str] = []

    def race(owner: str, store: RecordStore) -> None:
        start.wait()
        for _ in range(5):
            if store.claim_lease("relay", owner, 30, now=NOON):
                won.append(owner)

    threads = [threading.Thread(target=race, args=(f"p{i}", s)) for i, s in enumerate(stores)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        for engine in engines:
            engine.dispose()
    assert len(set(won)) == 1
    assert len(won) == 5
