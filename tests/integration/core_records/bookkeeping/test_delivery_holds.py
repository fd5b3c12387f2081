"""Delivery holds never outlive the event they guard, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from core_records import tables
from core_records.bookkeeping import journal
from core_records.bookkeeping.delivery_holds import DeliveryHolds, Hold
from core_records.bookkeeping.journal import Hop, Journal

PARTNER = "security"


def _hop(message_id: str, hop: str, adapter: str = PARTNER) -> Hop:
    return Hop(
        message_id=message_id,
        hop=hop,
        at=datetime.now(UTC),
        adapter=adapter,
        partner=adapter,
        direction=journal.OUTBOUND,
        person_key="A1234BC",
    )


def _holds(database_url: str) -> tuple[DeliveryHolds, sa.Engine]:
    engine = sa.create_engine(database_url)
    return DeliveryHolds(engine), engine


def test_a_hold_whose_event_another_copy_delivered_is_released_when_a_later_event_arrives(
    database_url: str,
) -> None:
    holds, engine = _holds(database_url)
    holds.settle(PARTNER, hold=[Hold(5, "A1234BC", "event-5")], lift=[], hops=[])
    # Another consumer delivered its own copy of event 5 (a broker restart mid-batch).
    holds.settle(PARTNER, hold=[], lift=[], hops=[_hop("event-5", journal.DELIVERED)])

    assert holds.holds_for(PARTNER, ["A1234BC"]) == {}
    assert holds.count(PARTNER) == 0
    [released] = [h for h in Journal(engine).trace("event-5") if h.hop == journal.HOLD_RELEASED]
    assert released.detail == "hold released: its event was delivered already"
    engine.dispose()


def test_a_hold_stays_while_its_event_is_only_retrying_or_delivered_to_another_partner(
    database_url: str,
) -> None:
    holds, engine = _holds(database_url)
    holds.settle(
        PARTNER,
        hold=[Hold(5, "A1234BC", "event-5")],
        lift=[],
        hops=[_hop("event-5", journal.RETRY_SCHEDULED), _hop("event-5", journal.DELIVERED, "pnc")],
    )
    [hold] = holds.holds_for(PARTNER, ["A1234BC"])["A1234BC"]
    assert (hold.sequence, hold.message_id) == (5, "event-5")
    assert holds.sweep(PARTNER, not_seen_for=None) == []
    engine.dispose()


def test_a_dead_lettered_event_releases_its_hold_unless_it_was_replayed_since(
    database_url: str,
) -> None:
    holds, engine = _holds(database_url)
    holds.settle(
        PARTNER,
        hold=[Hold(5, "A1234BC", "event-5"), Hold(7, "A1234BC", "event-7")],
        lift=[],
        hops=[
            _hop("event-5", journal.DEAD_LETTERED),
            _hop("event-7", journal.DEAD_LETTERED),
            _hop("event-7", journal.REPLAYED),
        ],
    )
    released = holds.sweep(PARTNER, not_seen_for=None)
    assert [(r.hold.sequence, r.reason) for r in released] == [
        (5, "its event was dead-lettered already")
    ]
    assert [h.sequence for h in holds.holds_for(PARTNER, ["A1234BC"])["A1234BC"]] == [7]
    engine.dispose()


def test_the_sweep_releases_a_hold_whose_event_has_not_come_back_and_keeps_one_seen_again(
    database_url: str,
) -> None:
    holds, engine = _holds(database_url)
    placed = holds.settle(
        PARTNER,
        hold=[Hold(5, "A1234BC", "event-5"), Hold(9, "B2345CD", "event-9")],
        lift=[],
        hops=[],
    )
    assert placed == {5, 9}
    # Both were parked an hour ago: the clock is moved, not waited for, so a slow machine
    # cannot make event 9's second sighting look old as well.
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    with engine.begin() as connection:
        connection.execute(
            sa.update(tables.delivery_hold).values(parked_at=an_hour_ago, seen_at=an_hour_ago)
        )
    # Event 9 came back from its delay tier and had to wait again: seen, not new.
    assert holds.settle(PARTNER, hold=[Hold(9, "B2345CD", "event-9")], lift=[], hops=[]) == set()

    released = holds.sweep(PARTNER, not_seen_for=timedelta(minutes=30))

    assert [r.hold.sequence for r in released] == [5]
    assert "no longer queued" in released[0].reason
    [waiting] = holds.waiting(PARTNER)
    assert (waiting.person_key, waiting.message_id) == ("B2345CD", "event-9")
    assert waiting.seen_at > waiting.parked_at
    engine.dispose()


def test_a_held_event_is_journalled_once_however_often_it_waits_again(database_url: str) -> None:
    holds, engine = _holds(database_url)
    held = _hop("event-6", journal.DELIVERY_HELD)
    for _ in range(3):
        holds.settle(PARTNER, hold=[Hold(6, "A1234BC", "event-6")], lift=[], hops=[],
                     hops_if_new={6: held})  # fmt: skip
    hops = [h.hop for h in Journal(engine).trace("event-6")]
    assert hops.count(journal.DELIVERY_HELD) == 1
    with engine.connect() as connection:
        assert (
            connection.execute(
                sa.select(sa.func.count()).select_from(tables.delivery_hold)
            ).scalar_one()
            == 1
        )
    engine.dispose()


def test_before_delivering_reads_what_was_delivered_and_who_is_held_together(
    database_url: str,
) -> None:
    holds, engine = _holds(database_url)
    holds.settle(
        PARTNER,
        hold=[Hold(7, "A1234BC", "event-7")],
        lift=[],
        hops=[_hop("event-6", journal.DELIVERED), _hop("event-8", journal.DELIVERED, "pnc")],
    )

    already, held = holds.before_delivering(
        PARTNER, ["event-6", "event-8", "event-9"], {"A1234BC", "B2345CD", None}
    )

    assert already == {"event-6"} == holds.delivered_already(PARTNER, ["event-6", "event-8"])
    assert [h.sequence for h in held["A1234BC"]] == [7]
    assert held == holds.holds_for(PARTNER, ["A1234BC", "B2345CD"])
    engine.dispose()
