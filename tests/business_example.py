"""A small estate with known business figures: five people, six movement messages and their
deliveries to Delius and OASys, written straight into the record and the journal.

    LEI: 3 Mar two receptions, 4 Mar one transfer out (to MDI), and one person there all along
    MDI: 4 Mar one reception and one transfer in, 5 Mar one release
    after the period (6 Mar) one more reception at LEI, so the population now is not the
    population at the end of the period.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from core_records.bookkeeping import journal as hops
from core_records.bookkeeping.journal import Hop, write_hops
from core_records.bookkeeping.movement_deliveries import MovementDeliveries
from core_records.tables import booking, movement, person

FIRST, LAST = date(2025, 3, 3), date(2025, 3, 5)


def at(day: int, hour: int, seconds: float = 0) -> datetime:
    return datetime(2025, 3, day, hour, tzinfo=UTC) + timedelta(seconds=seconds)


# person: (prison number, where they are now or None when released)
PEOPLE = {1: ("A0001AA", "LEI"), 2: ("A0002AA", "MDI"), 3: ("A0003AA", None),
          4: ("A0004AA", "LEI"), 5: ("A0005AA", "LEI")}  # fmt: skip
# message: (person, [(type, direction, reason, from, to)], when, {adapter: [seconds to each
# delivery after the stored hop]})
MOVEMENTS = {
    "m1": (1, [("ADM", "IN", "N", None, "LEI")], at(3, 9), {"delius": [2], "oasys": [5]}),
    "m2": (2, [("ADM", "IN", "N", None, "LEI")], at(3, 10), {"delius": [4, 100]}),
    "m3": (2, [("TRN", "OUT", "NOTR", "LEI", "MDI"), ("TRN", "IN", "NOTR", "LEI", "MDI")],
           at(4, 11), {"delius": [3, 1]}),
    "m4": (3, [("ADM", "IN", "V", None, "MDI")], at(4, 8), {"delius": [10]}),
    "m5": (3, [("REL", "OUT", "CR", "MDI", None)], at(5, 12), {"delius": [6]}),
    "m6": (5, [("ADM", "IN", "N", None, "LEI")], at(6, 9), {"delius": [1000]}),
    # A court visit leaves the person in the prison's care: counted nowhere.
    "m7": (1, [("CRT", "OUT", "CRT", "LEI", "SHEFMC")], at(4, 9), {}),
}  # fmt: skip

# (day, establishment, receptions, transfers in, transfers out, releases, population at end)
EXPECTED_DAYS = [
    (date(2025, 3, 3), "LEI", 2, 0, 0, 0, 3),
    (date(2025, 3, 4), "LEI", 0, 0, 1, 0, 2),
    (date(2025, 3, 5), "LEI", 0, 0, 0, 0, 2),
    (date(2025, 3, 3), "MDI", 0, 0, 0, 0, 0),
    (date(2025, 3, 4), "MDI", 1, 1, 0, 0, 2),
    (date(2025, 3, 5), "MDI", 0, 0, 0, 1, 1),
]
# adapter: (movement messages, median seconds, p95 seconds), nearest rank
EXPECTED_DELIVERY = {"delius": (5, 4.0, 10.0), "oasys": (1, 5.0, 5.0)}


def write_estate(engine: sa.Engine) -> None:
    """The estate, its journal, and the movement-delivery summary brought up to date."""
    write_people(engine)
    write_movements(engine, MOVEMENTS)
    MovementDeliveries(engine).catch_up(settle=timedelta(0))


def write_people(engine: sa.Engine) -> None:
    now = at(7, 12)
    with engine.begin() as connection:
        for key, (number, where) in PEOPLE.items():
            connection.execute(
                sa.insert(person).values(
                    id=key, prison_number=number, version=1, date_of_birth=date(1990, 1, key),
                    sex="M", custody_status="IN_PRISON" if where else "OUTSIDE_PRISON",
                    care_status="UNDER_PRISON_CARE", current_establishment=where,
                    created_at=now, updated_at=now,
                )
            )  # fmt: skip
            connection.execute(
                sa.insert(booking).values(
                    id=key, person_id=key, book_number=f"{key:05d}A", establishment=where or "MDI",
                    active=where is not None, started_at=at(1, 9),
                )
            )  # fmt: skip


def write_movements(engine: sa.Engine, messages: Iterable[str]) -> None:
    """The movements of ``messages`` (keys of ``MOVEMENTS``) and their hops."""
    with engine.begin() as connection:
        for message in messages:
            who, moves, when, deliveries = MOVEMENTS[message]
            connection.execute(
                sa.insert(movement),
                [
                    {"person_id": who, "booking_id": who, "movement_type": kind,
                     "direction": direction, "reason_code": reason, "from_agency": source,
                     "to_agency": destination, "occurred_at": when, "message_id": message}
                    for kind, direction, reason, source, destination in moves
                ],
            )  # fmt: skip
            write_hops(connection, _hops(message, when, deliveries))


def _hops(message: str, when: datetime, deliveries: dict[str, list[float]]) -> list[Hop]:
    stored = when + timedelta(seconds=1)
    correlation = f"c-{message}"
    written = [
        Hop(message, hops.RECEIVED, when, correlation_id=correlation, direction="inbound"),
        Hop(message, hops.STORED, stored, correlation_id=correlation, direction="inbound"),
    ]
    for adapter, delays in deliveries.items():
        # A failed attempt first, which does not count as the delivery.
        written.append(
            Hop(f"e-{message}-{adapter}-0", hops.RETRY_SCHEDULED, stored, "retry",
                correlation_id=correlation, causation_id=message, adapter=adapter,
                direction="outbound")
        )  # fmt: skip
        for n, delay in enumerate(delays):
            written.append(
                Hop(f"e-{message}-{adapter}-{n}", hops.DELIVERED,
                    stored + timedelta(seconds=delay), correlation_id=correlation,
                    causation_id=message, adapter=adapter, direction="outbound")
            )  # fmt: skip
    return written
