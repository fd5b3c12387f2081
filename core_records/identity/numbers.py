"""Who a message is about: resolution by exact strong identifiers, and new numbers.

This is the minimal, replaceable resolution: a person is found only by an identifier that
names one person for certain. Probabilistic matching on names, dates of birth and sentence
dates (a Fellegi-Sunter model, see DOMAIN.md "Identity matching") will replace
``find_person`` behind the same signature.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from core_records.custody.tables import (
    book_number_sequence,
    person,
    person_identifier,
    prison_number_sequence,
)
from core_records.errors import BusinessRuleViolation
from core_records.identifiers import BOOKING, CRN, CRO, LIDS, LOCAL, NOMS, PNC, Identifier
from core_records.store.keys import take_keys
from core_records.timestamps import utc_now

STRONG_TYPES = (NOMS, PNC, CRO, LOCAL, CRN, BOOKING, LIDS)
"""Identifiers that name one person for certain, strongest first. A legacy LIDS number comes
last: a public prison on its legacy system names its people by it alone, but it is local to
the system that issued it, so any national number outranks it. It is recorded and looked up
only with its issuing prison (``LEI/AL9692``, ``core_records.identifiers.lids_number``): the
same two letters and four digits at another prison are another person."""


@dataclass(frozen=True)
class Holder:
    """The person an identifier is recorded against."""

    person_id: int
    prison_number: str


_CHUNK = 500
"""Identifiers per query: keeps the bound parameters far under SQLite's limit."""


def identifier_holders(
    connection: sa.Connection, identifiers: Iterable[Identifier]
) -> dict[Identifier, Holder]:
    """Which of ``identifiers`` are on record, and against whom (a query per 500)."""
    wanted = sorted({(i.type, i.value) for i in identifiers})
    holders: dict[Identifier, Holder] = {}
    for start in range(0, len(wanted), _CHUNK):
        by_type: dict[str, list[str]] = {}
        for identifier_type, value in wanted[start : start + _CHUNK]:
            by_type.setdefault(identifier_type, []).append(value)
        # One (type = t AND value IN ...) per type: each an index range on the primary key.
        rows = connection.execute(
            sa.select(
                person_identifier.c.type,
                person_identifier.c.value,
                person_identifier.c.person_id,
                person.c.prison_number,
            )
            .join(person, person.c.id == person_identifier.c.person_id)
            .where(
                sa.or_(
                    *(
                        sa.and_(
                            person_identifier.c.type == identifier_type,
                            person_identifier.c.value.in_(values),
                        )
                        for identifier_type, values in by_type.items()
                    )
                )
            )
        )
        holders.update(
            {Identifier(r.type, r.value): Holder(r.person_id, r.prison_number) for r in rows}
        )
    return holders


def identifiers_of_people(
    connection: sa.Connection, person_ids: Iterable[int]
) -> dict[int, set[Identifier]]:
    """Every identifier recorded against each of ``person_ids``."""
    wanted = sorted(set(person_ids))
    found: dict[int, set[Identifier]] = {person_id: set() for person_id in wanted}
    for start in range(0, len(wanted), _CHUNK):
        rows = connection.execute(
            sa.select(
                person_identifier.c.person_id, person_identifier.c.type, person_identifier.c.value
            ).where(person_identifier.c.person_id.in_(wanted[start : start + _CHUNK]))
        )
        for row in rows:
            found[row.person_id].add(Identifier(row.type, row.value))
    return found


def person_from_holders(
    identifiers: Iterable[Identifier], holders: dict[Identifier, Holder]
) -> int | None:
    """The one person the strong ``identifiers`` name, or None if none is on record.

    Raises ``BusinessRuleViolation`` naming both prison numbers when two strong identifiers
    name different people: merging records is a person's decision, not the hub's.
    """
    strong = sorted(
        (i for i in set(identifiers) if i.type in STRONG_TYPES and i in holders),
        key=lambda i: (STRONG_TYPES.index(i.type), i.value),
    )
    if not strong:
        return None
    first = strong[0]
    for other in strong[1:]:
        if holders[other].person_id != holders[first].person_id:
            raise BusinessRuleViolation(
                f"the identifiers name two different people: {holders[first].prison_number} "
                f"({first.type} {first.value}) and {holders[other].prison_number} "
                f"({other.type} {other.value})"
            )
    return holders[first].person_id


def find_person(connection: sa.Connection, identifiers: Iterable[Identifier]) -> int | None:
    """The id of the person the strong identifiers name, or None (see ``person_from_holders``)."""
    identifiers = tuple(identifiers)
    return person_from_holders(identifiers, identifier_holders(connection, identifiers))


# --- new numbers ----------------------------------------------------------------------------

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def prison_number_for(value: int) -> str:
    """The ``value``-th prison number, from 1: A0001AA, A0002AA, ... A9999AA, A0001AB, ...

    Letter, four digits (0001 to 9999), two letters: 26 * 9999 * 676 numbers in all.
    """
    if not 1 <= value <= 26 * 9999 * 676:
        raise ValueError(f"no prison number for {value}")
    rest, digits = divmod(value - 1, 9999)
    first, suffix = divmod(rest, 676)
    return f"{_LETTERS[first]}{digits + 1:04d}{_LETTERS[suffix // 26]}{_LETTERS[suffix % 26]}"


def book_number_for(value: int) -> str:
    """The ``value``-th book number, from 1: 100000A, 100001A, ... 999999A, 100000B, ..."""
    if not 1 <= value <= 26 * 900_000:
        raise ValueError(f"no book number for {value}")
    block, offset = divmod(value - 1, 900_000)
    return f"{100_000 + offset}{_LETTERS[block]}"


def _recorded(connection: sa.Connection, identifier_type: str, values: list[str]) -> set[str]:
    if not values:
        return set()
    return set(
        connection.execute(
            sa.select(person_identifier.c.value).where(
                person_identifier.c.type == identifier_type,
                person_identifier.c.value.in_(values),
            )
        ).scalars()
    )


def _allocate(
    connection: sa.Connection,
    sequence: sa.Table,
    to_number: Callable[[int], str],
    identifier_type: str,
    count: int,
) -> list[str]:
    numbers: list[str] = []
    while len(numbers) < count:
        values = take_keys(connection, sequence.c.value, count - len(numbers))
        # One row per allocation, holding its highest key: the log of what was handed out,
        # and on SQLite the mark the next allocation continues after.
        connection.execute(sa.insert(sequence).values(value=values[-1], allocated_at=utc_now()))
        candidates = [to_number(value) for value in values]
        taken = _recorded(connection, identifier_type, candidates)
        numbers.extend(number for number in candidates if number not in taken)
    return numbers


def allocate_prison_numbers(connection: sa.Connection, count: int) -> list[str]:
    """``count`` new prison numbers that no one holds, in allocation order.

    Each number comes from a fresh key of ``prison_number_sequence`` (``core_records.store.keys``):
    two writers never get the same key, and neither waits for the other. Numbers already
    recorded (a partner may send a person with a prison number of their own) are skipped.
    """
    return _allocate(connection, prison_number_sequence, prison_number_for, NOMS, count)


def allocate_prison_number(connection: sa.Connection) -> str:
    """The next prison number that no one holds (see ``allocate_prison_numbers``)."""
    return allocate_prison_numbers(connection, 1)[0]


def allocate_book_numbers(connection: sa.Connection, count: int) -> list[str]:
    """``count`` new book numbers that no booking has (as ``allocate_prison_numbers``).
    Every booking's book number is recorded as a BOOKING identifier too."""
    return _allocate(connection, book_number_sequence, book_number_for, BOOKING, count)
