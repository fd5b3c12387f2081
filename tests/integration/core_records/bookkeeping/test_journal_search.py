"""Service managers search the journal by message, correlation, person, adapter, status and
time, newest first, a page at a time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from core_records.bookkeeping import journal
from core_records.bookkeeping.journal import Hop, Journal, JournalQuery
from core_records.store.record_store import RecordStore
from tests.integration.core_records.examples import message, particulars, pnc, reception

AT = datetime(2025, 3, 4, 12, 0, tzinfo=UTC)


def _hop(index: int, **values: object) -> Hop:
    defaults: dict[str, object] = {
        "message_id": f"m-{index}",
        "hop": journal.STORED,
        "at": AT + timedelta(minutes=index),
        "correlation_id": f"c-{index % 3}",
        "adapter": "private_prisons",
        "direction": journal.INBOUND,
        "message_type": "reception",
        "person_key": "A1234BC" if index % 2 else "B2345CD",
    }
    defaults.update(values)
    return Hop(**defaults)  # type: ignore[arg-type]


def test_pages_walk_every_matching_hop_newest_first_without_repeats(engine: sa.Engine) -> None:
    the_journal = Journal(engine)
    the_journal.record(_hop(i) for i in range(25))
    seen: list[str] = []
    before = None
    while True:
        page = the_journal.search(JournalQuery(identifier="A1234BC", limit=4, before_id=before))
        seen += [hop.message_id for _, hop in page.hops]
        if page.next_before_id is None:
            break
        before = page.next_before_id
    assert seen == [f"m-{i}" for i in range(23, 0, -2)]


def test_each_filter_narrows_the_search(engine: sa.Engine) -> None:
    the_journal = Journal(engine)
    the_journal.record(_hop(i) for i in range(12))
    the_journal.record(
        [
            _hop(20, hop=journal.DELIVERED, adapter="delius", direction=journal.OUTBOUND),
            _hop(21, hop=journal.DEAD_LETTERED, outcome="error", adapter="delius"),
        ]
    )

    def ids(**query: object) -> list[str]:
        page = the_journal.search(JournalQuery(**query))  # type: ignore[arg-type]
        return [hop.message_id for _, hop in page.hops]

    assert ids(message_id="m-4") == ["m-4"]
    assert ids(correlation_id="c-1") == ["m-10", "m-7", "m-4", "m-1"]
    assert ids(adapter="delius") == ["m-21", "m-20"]
    assert ids(status="dead_lettered") == ["m-21"]
    assert ids(status="error") == ["m-21"]
    assert ids(direction=journal.OUTBOUND) == ["m-20"]
    assert ids(since=AT + timedelta(minutes=3), until=AT + timedelta(minutes=6)) == [
        "m-5",
        "m-4",
        "m-3",
    ]
    assert ids(identifier="B2345CD", adapter="private_prisons", limit=2) == ["m-10", "m-8"]


def test_a_person_is_found_by_any_of_their_identifiers(engine: sa.Engine) -> None:
    store = RecordStore(engine)
    [outcome] = store.apply([message(reception(particulars(pnc(1234))))])
    assert outcome.status == "applied" and outcome.person_key
    the_journal = Journal(engine)
    found = the_journal.search(JournalQuery(identifier=pnc(1234).value)).hops
    assert [(hop.hop, hop.person_key) for _, hop in found] == [(journal.STORED, outcome.person_key)]
    assert the_journal.search(JournalQuery(identifier=pnc(9999).value)).hops == []


def test_a_correlation_id_gives_every_hop_it_set_in_motion_in_time_order(
    engine: sa.Engine,
) -> None:
    the_journal = Journal(engine)
    the_journal.record(_hop(i) for i in range(9))
    assert [h.message_id for h in the_journal.correlation("c-2")] == ["m-2", "m-5", "m-8"]
