"""The nightly canteen ROLL of one prison (format ``GHCANTROLL`` version 1; see README.md).

One ``PER`` record per person in custody there: prison number, surname, forenames,
location, incentive level, and the available spends in pence (what they may still spend
this week: the lower of their balance and what their weekly limit leaves). Written as it
is read from the store, so a prison of any size streams::

    write_roll("LEI", roll(engine, "LEI", now), out, as_at=now)   # -> number of people
    read_roll(stream)                                             # for shops' tests
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import BinaryIO

from adapters.prison_shops.csv_records import RecordWriter, records
from adapters.prison_shops.order_file import HEADER, TRAILER
from core_records.canteen.ledger import RollEntry
from core_records.errors import InvalidMessage

FORMAT = "GHCANTROLL"
VERSION = "1"
PERSON = "PER"


def write_roll(
    establishment: str, people: Iterable[RollEntry], stream: BinaryIO, *, as_at: datetime
) -> int:
    """Write the roll of ``establishment``; returns how many people it lists."""
    out = RecordWriter(stream)
    out.write(HEADER, FORMAT, VERSION, establishment, as_at.isoformat())
    count = 0
    for entry in people:
        out.write(
            PERSON,
            entry.prison_number,
            entry.surname,
            entry.forenames,
            entry.location,
            entry.incentive_level,
            entry.available_spends_pence,
        )
        count += 1
    out.write(TRAILER, count)
    out.close()
    return count


def read_roll(stream: BinaryIO) -> tuple[str, list[RollEntry]]:
    """The establishment and the people of a roll; ``InvalidMessage`` if it is not one, or
    if its trailer's count disagrees (a roll cut short)."""
    rows = records(stream)
    first = next(rows, None)
    if first is None or first[:3] != [HEADER, FORMAT, VERSION]:
        raise InvalidMessage(f"not a {FORMAT} version {VERSION} roll", line=1)
    people: list[RollEntry] = []
    for row in rows:
        if row[0] == PERSON:
            number, surname, forenames, location, level, spends = row[1:7]
            people.append(RollEntry(number, surname, forenames, location, level, int(spends)))
        elif row[0] == TRAILER:
            if int(row[1]) != len(people):
                raise InvalidMessage(f"the roll's trailer counts {row[1]}, not {len(people)}")
            return first[3], people
    raise InvalidMessage("the roll has no trailer (was it cut short?)")
