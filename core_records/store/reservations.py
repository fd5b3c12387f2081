"""Numbers and keys a batch takes before it needs them.

A batch of receptions needs a prison number and a person key per new person, and a book
number and a booking key per reception. Taking them all at once costs a few statements per
batch instead of a few per message. Numbers and keys taken but not used are gaps; no one
else gets them.
"""

from __future__ import annotations

import sqlalchemy as sa

from core_records.custody.tables import booking, person
from core_records.identifiers import BOOKING, NOMS
from core_records.identity.numbers import allocate_book_numbers, allocate_prison_numbers
from core_records.store.keys import take_keys

_KEYED = {NOMS: person, BOOKING: booking}
"""Each new prison number comes with a new person; each book number with a new booking."""


class Reservations:
    def __init__(self, connection: sa.Connection) -> None:
        self._connection = connection
        self._numbers: dict[str, list[str]] = {NOMS: [], BOOKING: []}
        self._keys: dict[str, list[int]] = {NOMS: [], BOOKING: []}
        self._last_key: dict[str, int] = {NOMS: 0, BOOKING: 0}

    def reserve(self, kind: str, count: int) -> None:
        """Take ``count`` numbers of ``kind`` (NOMS or BOOKING), each with a row key."""
        if count <= 0:
            return
        allocate = allocate_prison_numbers if kind == NOMS else allocate_book_numbers
        self._numbers[kind] += allocate(self._connection, count)
        table = _KEYED[kind]
        keys = take_keys(self._connection, table.c.id, count, after=self._last_key[kind])
        self._last_key[kind] = max(self._last_key[kind], *keys)
        self._keys[kind] += keys

    def number(self, kind: str) -> str:
        """The next number of ``kind`` taken; takes one more if none is left."""
        if not self._numbers[kind]:
            self.reserve(kind, 1)
        return self._numbers[kind].pop(0)

    def key(self, kind: str) -> int:
        """The next key for a new person (NOMS) or booking (BOOKING)."""
        if not self._keys[kind]:
            self.reserve(kind, 1)
        return self._keys[kind].pop(0)
