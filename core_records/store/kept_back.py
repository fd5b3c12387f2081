"""What a batch has yet to write, and how each message's share of it is kept or discarded.

The unit of work (``core_records.store.unit_of_work``) keeps new people and bookings, and
identifiers, names, movements and identity decisions, in memory and writes them at the end
of the batch, one statement per table (``flush``). Areas keep back rows of their own tables
(``add_rows``) and their read-ahead (``batch_state``) alongside.

Rejecting a message must leave nothing of it. Handlers check everything before their first
write (and say so by calling ``writing``), so a message of one command is refused before it
writes: it needs no savepoint, which saves two round trips per message. A message of several
commands runs in a savepoint, with a copy of what is kept back, since a later command may be
refused after an earlier one wrote. Should a handler ever be refused after writing without
that protection, ``discard`` abandons the whole batch rather than keep half a message.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol, Self, TypeVar

import sqlalchemy as sa

from core_records.custody.person_record import Booking
from core_records.custody.tables import booking, movement, person, person_identifier, person_name
from core_records.identity.known_holders import KnownHolders
from core_records.identity.tables import identity_decision, person_name_key

Row = dict[str, Any]

KEPT_BACK = (
    person,
    booking,
    person_identifier,
    person_name,
    person_name_key,
    identity_decision,
    movement,
)
"""Tables written at the end of the batch, in this order (each refers to the ones before)."""


class AreaState(Protocol):
    """What the batch asks of an area's read-ahead (``core_records.store.batch_state``)."""

    def keep(self) -> None: ...

    def discard(self) -> None: ...

    def flush(self) -> None: ...


State = TypeVar("State", bound=AreaState)


class KeptBack:
    """The rows a batch keeps back, with the marks and copies that undo one message's."""

    def __init__(self, connection: sa.Connection) -> None:
        self.connection = connection
        self.message_id = ""
        """The message being applied; recorded on each movement."""
        self._known = KnownHolders(connection)
        self._rows: dict[sa.Table, list[Row]] = {t: [] for t in KEPT_BACK}
        self._new_people: dict[int, Row] = {}
        self._new_bookings: dict[int, Row] = {}
        self._open_new_booking: dict[int, Booking] = {}
        # What the current message has added, until it is kept or discarded.
        self._savepoint: sa.NestedTransaction | None = None
        self._wrote = False
        self._marks: dict[sa.Table, int] = {}
        self._copies: tuple[dict[int, Row], dict[int, Row]] | None = None
        self._open_copy: dict[int, Booking] = {}
        # Rows of tables beyond the core record (``add_rows``), kept back in the same way.
        self._other_rows: dict[sa.Table, list[Row]] = {}
        self._other_marks: dict[sa.Table, int] = {}
        # Areas' own read-ahead (``batch_state``), and who this batch has changed on record.
        self._batch_states: dict[object, AreaState] = {}
        self._changed_people: set[int] = set()

    def batch_state(self, kind: type[State]) -> State:
        """The batch's one ``kind``, made with ``kind(self)`` on first use; kept, discarded
        and flushed with the unit of work's own rows (see ``core_records.store.batch_state``)."""
        state = self._batch_states.get(kind)
        if state is None:
            state = self._batch_states[kind] = kind(self)
        assert isinstance(state, kind)
        return state

    def changed_in_batch(self, person_id: int) -> bool:
        """Whether this batch has added ``person_id`` or changed their person row, so that
        what was read of them ahead of the batch may be out of date."""
        return person_id in self._new_people or person_id in self._changed_people

    def add_rows(self, table: sa.Table, rows: Iterable[Row]) -> None:
        """Rows of a table beyond the core record (an area's own table, or alerts), kept
        back like the rest and written after the core tables, whose rows they refer to."""
        self._other_rows.setdefault(table, []).extend(rows)

    def pending_rows(self, table: sa.Table) -> list[Row]:
        """The rows of ``table`` kept back so far in this batch (the dicts themselves, so a
        handler may settle one not yet written, such as an alert made inactive)."""
        return self._other_rows.get(table, [])

    def flush(self) -> None:
        """Write everything kept back, one statement per table, then each batch state's."""
        for table in KEPT_BACK:
            if self._rows[table]:
                self.connection.execute(sa.insert(table), self._rows[table])
            self._rows[table] = []
        for table, rows in self._other_rows.items():
            if rows:
                self.connection.execute(sa.insert(table), rows)
        self._other_rows = {}
        for state in self._batch_states.values():
            state.flush()

    # --- message boundaries -----------------------------------------------------------------

    def begin(self, message_id: str, commands: int) -> None:
        """Start applying a message of ``commands`` commands."""
        self.message_id = message_id
        self._wrote = False
        self._marks = {table: len(rows) for table, rows in self._rows.items()}
        self._other_marks = {table: len(rows) for table, rows in self._other_rows.items()}
        self._known.discard()
        if commands > 1:
            self._savepoint = self.connection.begin_nested()
            self._copies = (
                {key: dict(row) for key, row in self._new_people.items()},
                {key: dict(row) for key, row in self._new_bookings.items()},
            )
            self._open_copy = dict(self._open_new_booking)

    def writing(self) -> Self:
        """Say that the handler has checked all it must and is about to write."""
        self._wrote = True
        return self

    def keep(self) -> None:
        """The message is applied: release its savepoint and adopt what it added."""
        if self._savepoint is not None:
            self._savepoint.commit()
            self._savepoint, self._copies = None, None
        self._known.keep()
        for state in self._batch_states.values():
            state.keep()

    def discard(self) -> None:
        """The message is refused: undo its writes and forget what it added."""
        if self._savepoint is not None and self._copies is not None:
            self._savepoint.rollback()
            self._savepoint = None
            people, bookings = self._copies
            self._new_people, self._new_bookings, self._copies = people, bookings, None
            self._open_new_booking = self._open_copy
            # The kept-back rows of earlier messages, as they were before this one.
            self._rows[person] = [
                people[r["id"]] for r in self._rows[person][: self._marks[person]]
            ]
            self._rows[booking] = [
                bookings[r["id"]] for r in self._rows[booking][: self._marks[booking]]
            ]
        elif self._wrote:
            raise RuntimeError(
                f"a handler refused message {self.message_id} after writing to the record; "
                "the whole batch is abandoned so that none of it is kept"
            )
        for table in (person_identifier, person_name, person_name_key, identity_decision, movement):
            del self._rows[table][self._marks[table] :]
        for table, rows in self._other_rows.items():
            del rows[self._other_marks.get(table, 0) :]
        self._known.discard()
        for state in self._batch_states.values():
            state.discard()
