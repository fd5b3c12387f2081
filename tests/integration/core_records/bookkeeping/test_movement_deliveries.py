"""The movement-delivery summary kept from the journal: read a little at a time, it says what a
full recount says, and a hop committed after a later one was read is not lost."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from core_records.bookkeeping import journal as hops
from core_records.bookkeeping.journal import Hop, write_hops
from core_records.bookkeeping.movement_deliveries import MovementDeliveries
from core_records.store.database import create_engine
from core_records.tables import movement_delivery, summary_watermark
from tests.business_example import MOVEMENTS, at, write_movements, write_people

SETTLE = timedelta(minutes=1)


def _summary(engine: sa.Engine) -> list[tuple[object, ...]]:
    d = movement_delivery.c
    with engine.connect() as connection:
        return [
            tuple(row)
            for row in connection.execute(
                sa.select(d.message_id, d.adapter, d.occurred_at, d.prison_in, d.prison_out,
                          d.stored_at, d.delivered_at, d.seconds)
                .order_by(d.message_id, d.adapter)
            )
        ]  # fmt: skip


def test_more_traffic_summed_up_since_says_what_a_full_recount_says(engine: sa.Engine) -> None:
    deliveries = MovementDeliveries(engine)
    write_people(engine)
    write_movements(engine, ["m1", "m2", "m4"])
    assert deliveries.catch_up(settle=timedelta(0)) == 4  # m1 to Delius and OASys, m2, m4
    write_movements(engine, ["m3", "m5", "m6", "m7"])
    # Delius gets m1 again later on: the first delivery is the one that counts.
    with engine.begin() as connection:
        write_hops(connection, [Hop("e-again", hops.DELIVERED, at(3, 9, 50), causation_id="m1",
                                    adapter="delius", direction="outbound")])  # fmt: skip
    assert deliveries.catch_up(settle=timedelta(0)) > 0
    kept = _summary(engine)

    assert deliveries.rebuild() == len(kept)
    assert _summary(engine) == kept
    by_key = {(row[0], row[1]): row for row in kept}
    # Six movement messages reach Delius (a court visit is no movement of the figures'),
    # one OASys; a transfer is one message, in at MDI and out of LEI.
    assert sorted(by_key) == [
        ("m1", "delius"), ("m1", "oasys"), ("m2", "delius"), ("m3", "delius"), ("m4", "delius"),
        ("m5", "delius"), ("m6", "delius"),
    ]  # fmt: skip
    assert by_key[("m1", "delius")][7] == 2.0
    assert by_key[("m3", "delius")][3:5] == ("MDI", "LEI")
    assert by_key[("m3", "delius")][7] == 1.0
    assert by_key[("m6", "delius")][7] == 1000.0


def test_a_read_is_read_again_until_it_has_settled(engine: sa.Engine) -> None:
    deliveries = MovementDeliveries(engine)
    write_people(engine)
    write_movements(engine, ["m1", "m2"])
    start = at(10, 9)
    assert deliveries.catch_up(settle=SETTLE, now=start) == 3
    # The first read is not yet safe, so the next one within the minute reads it all again...
    assert deliveries.catch_up(settle=SETTLE, now=start + timedelta(seconds=30)) == 3
    # ...a minute on it is, and the read after that starts past it.
    assert deliveries.catch_up(settle=SETTLE, now=start + timedelta(seconds=61)) == 3
    assert deliveries.catch_up(settle=SETTLE, now=start + timedelta(seconds=122)) == 0
    with engine.connect() as connection:
        mark = connection.execute(sa.select(summary_watermark)).one()
    assert mark.safe_id == mark.seen_id > 0


def test_a_hop_committed_after_a_later_one_was_read_is_summed_up_once_settled(
    postgres_url: str,
) -> None:
    engine = create_engine(postgres_url)
    try:
        deliveries = MovementDeliveries(engine)
        write_people(engine)
        write_movements(engine, ["m1"])
        start = at(10, 9)
        with engine.connect() as late:
            # m2's hops take their ids now but commit only after m4's, which are read first.
            transaction = late.begin()
            when = MOVEMENTS["m2"][2]
            write_hops(late, [Hop("m2", hops.STORED, when + timedelta(seconds=1)),
                              Hop("e-m2", hops.DELIVERED, when + timedelta(seconds=5),
                                  causation_id="m2", adapter="delius")])  # fmt: skip
            write_movements(engine, ["m4"])
            deliveries.catch_up(settle=SETTLE, now=start)
            late.execute(
                sa.text(
                    "INSERT INTO movement (person_id, booking_id, movement_type, direction,"
                    " reason_code, to_agency, occurred_at, message_id)"
                    " VALUES (2, 2, 'ADM', 'IN', 'N', 'LEI', :when, 'm2')"
                ),
                {"when": when},
            )
            transaction.commit()
        assert ("m2", "delius") not in {(r[0], r[1]) for r in _summary(engine)}
        deliveries.catch_up(settle=SETTLE, now=start + timedelta(seconds=61))
        assert ("m2", "delius", 4.0) in {(r[0], r[1], r[7]) for r in _summary(engine)}
        kept = _summary(engine)
        deliveries.rebuild()
        assert _summary(engine) == kept
    finally:
        engine.dispose()
