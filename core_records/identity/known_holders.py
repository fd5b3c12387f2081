"""Who holds which identifier, as far as one batch has read it or added to it.

The store reads the holders of every identifier a batch mentions in one query, then keeps
them in step with what the batch's messages add: a later message sees an earlier one's new
person. What the current message adds is staged until the message is kept or discarded.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from core_records.identifiers import Identifier
from core_records.identity.numbers import Holder, identifier_holders, identifiers_of_people


class KnownHolders:
    def __init__(self, connection: sa.Connection) -> None:
        self._connection = connection
        self._holders: dict[Identifier, Holder | None] = {}
        """None: read, and held by no one."""
        self._identifiers: dict[int, set[Identifier]] = {}
        self._staged_holders: dict[Identifier, Holder] = {}
        self._staged_identifiers: dict[int, set[Identifier]] = {}

    def read(self, identifiers: Iterable[Identifier]) -> dict[Identifier, Holder]:
        """Read the holders of ``identifiers``, and what else those people are known by
        (two queries); the holders found."""
        identifiers = set(identifiers)
        found = identifier_holders(self._connection, identifiers)
        self._holders.update(dict.fromkeys(identifiers))
        self._holders.update(found)
        people = {holder.person_id for holder in found.values()}
        self._identifiers.update(identifiers_of_people(self._connection, people))
        return found

    def holder(self, identifier: Identifier) -> Holder | None:
        if identifier in self._staged_holders:
            return self._staged_holders[identifier]
        if identifier not in self._holders:
            self.read([identifier])
        return self._holders[identifier]

    def holders(self, identifiers: Iterable[Identifier]) -> dict[Identifier, Holder]:
        """Which of ``identifiers`` are on record (or added in this batch), and whose."""
        found = {identifier: self.holder(identifier) for identifier in identifiers}
        return {identifier: holder for identifier, holder in found.items() if holder}

    def added_in_batch(self, identifier: Identifier) -> bool:
        """Whether this batch has recorded ``identifier`` (no query)."""
        return identifier in self._staged_holders or self._holders.get(identifier) is not None

    def identifiers_of(self, person_id: int, *, new: bool = False) -> frozenset[Identifier]:
        """Everything ``person_id`` is known by; ``new`` for a person new in this batch,
        whom the store cannot know yet."""
        if person_id not in self._identifiers and not new:
            self._identifiers.update(identifiers_of_people(self._connection, [person_id]))
        return frozenset(
            self._identifiers.get(person_id, set()) | self._staged_identifiers.get(person_id, set())
        )

    def stage(self, holder: Holder, identifiers: Iterable[Identifier]) -> None:
        """The current message records ``identifiers`` against ``holder``."""
        for identifier in identifiers:
            self._staged_holders[identifier] = holder
            self._staged_identifiers.setdefault(holder.person_id, set()).add(identifier)

    def forget(self, person_id: int, identifiers: set[Identifier]) -> None:
        """``person_id`` no longer holds ``identifiers``."""
        for identifier in identifiers:
            self._staged_holders.pop(identifier, None)
            self._holders[identifier] = None
            self._identifiers.get(person_id, set()).discard(identifier)
            self._staged_identifiers.get(person_id, set()).discard(identifier)

    def keep(self) -> None:
        self._holders.update(self._staged_holders)
        for person_id, identifiers in self._staged_identifiers.items():
            self._identifiers.setdefault(person_id, set()).update(identifiers)
        self.discard()

    def discard(self) -> None:
        self._staged_holders, self._staged_identifiers = {}, {}
