"""One ``RecordStore.apply`` call's view of the record, and the writes it has yet to make.

Applying messages one statement at a time would cost a dozen round trips per message. The
unit of work instead:

- reads up front, for the whole batch, who holds every identifier the commands mention and
  what else those people are known by (two queries);
- reserves up front the keys and numbers the batch's new people and bookings need
  (a few statements for the whole batch);
- keeps new people and bookings, and identifiers, names and movements, in memory and writes
  them at the end, one statement per table, in the same transaction. A change to a person
  already on record is written at once, so that its version check sees the row as it is.

It keeps its reads in step with its own additions, so a later message in the batch sees
what an earlier one did. An area with tables of its own (the canteen) reads ahead and keeps
back in the same way through a ``BatchState`` (``batch_state``), which the unit of work
keeps, discards and flushes with its own rows.

Rejecting a message must leave nothing of it. Handlers check everything before their first
write (and say so by calling ``writing``), so a message of one command is refused before it
writes: it needs no savepoint, which saves two round trips per message. A message of several
commands runs in a savepoint, with a copy of what is kept back, since a later command may be
refused after an earlier one wrote. Should a handler ever be refused after writing without
that protection, ``discard`` abandons the whole batch rather than keep half a message.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa

from core_records.commands import Command, PersonName, PersonParticulars, RecordReception
from core_records.custody import person_record
from core_records.custody.person_record import (
    IN_PRISON,
    NOT_UNDER_PRISON_CARE,
    UNDER_PRISON_CARE,
    Booking,
    PersonState,
)
from core_records.custody.reference_data import ReferenceData
from core_records.identifiers import BOOKING, NOMS, Identifier
from core_records.identity.candidates import CandidatePool, keys_of_names, keys_to_search
from core_records.identity.known_holders import KnownHolders
from core_records.identity.matching import COMPARED_IDENTIFIERS, Description, MatchRules
from core_records.identity.numbers import STRONG_TYPES, Holder
from core_records.identity.resolution import Decided
from core_records.identity.tables import identity_decision, person_name_key
from core_records.partner_records.commands import CloseNonAssociation, RecordNonAssociation
from core_records.store.batch_state import BatchState
from core_records.store.reservations import Reservations
from core_records.tables import booking, movement, person, person_identifier, person_name

Row = dict[str, Any]
State = TypeVar("State", bound=BatchState)

_KEPT_BACK = (
    person,
    booking,
    person_identifier,
    person_name,
    person_name_key,
    identity_decision,
    movement,
)
"""Tables written at the end of the batch, in this order (each refers to the ones before)."""


class UnitOfWork:
    """The batch's connection, reference data and time, with what it knows and will write."""

    def __init__(
        self,
        connection: sa.Connection,
        reference: ReferenceData,
        now: datetime,
        *,
        match_rules: MatchRules | None = None,
        decided: dict[str, Decided] | None = None,
    ) -> None:
        self.connection = connection
        self.reference = reference
        self.now = now
        self.match_rules = match_rules or MatchRules()
        self.decided = decided or {}
        """Possible-match cases a person decided, by the message id they hold."""
        self.message_id = ""
        """The message being applied; recorded on each movement."""
        self._known = KnownHolders(connection)
        self._reservations = Reservations(connection)
        self.candidates = CandidatePool()
        """Match candidates of the batch's receptions, read once by ``prepare``."""
        self._rows: dict[sa.Table, list[Row]] = {t: [] for t in _KEPT_BACK}
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
        self._batch_states: dict[type[BatchState], BatchState] = {}
        self._changed_people: set[int] = set()

    # --- reading and reserving ahead --------------------------------------------------------

    def prepare(self, commands: Sequence[Command]) -> None:
        """Read who holds the identifiers ``commands`` mention; reserve numbers and keys for
        the receptions among them."""
        found = self._known.read(i for command in commands for i in _identifiers_in(command))
        receptions = [c for c in commands if isinstance(c, RecordReception)]
        unnamed = [
            c.person
            for c in receptions
            if not any(i.type in STRONG_TYPES and found.get(i) for i in c.person.identifiers)
        ]
        self.candidates.read(self.connection, unnamed)
        new_people = sum(
            1
            for c in receptions
            if not any(i.type in STRONG_TYPES and found.get(i) for i in c.person.identifiers)
        )
        self._reservations.reserve(NOMS, new_people)
        self._reservations.reserve(BOOKING, len(receptions))

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

    def next_number(self, kind: str) -> str:
        """A new prison number (NOMS) or book number (BOOKING) that no one holds."""
        while True:
            number = self._reservations.number(kind)
            # Reserved numbers were free in the store when reserved; only this batch can
            # have recorded one since (a partner's own number, say).
            if not self._known.added_in_batch(Identifier(kind, number)):
                return number

    def holders(self, identifiers: Iterable[Identifier]) -> dict[Identifier, Holder]:
        """Which of ``identifiers`` are on record (or added in this batch), and whose."""
        return self._known.holders(identifiers)

    def identifiers_of(self, person_id: int) -> frozenset[Identifier]:
        return self._known.identifiers_of(person_id, new=person_id in self._new_people)

    # --- people and bookings ----------------------------------------------------------------

    def load_person(self, person_id: int) -> PersonState:
        if person_id in self._new_people:
            row = self._new_people[person_id]
            return PersonState(
                person_id,
                str(row["prison_number"]),
                row["version"],
                row["custody_status"],
                row["current_establishment"],
                self._open_new_booking.get(person_id),
            )
        state = person_record.load_person(self.connection, person_id)
        if person_id in self._open_new_booking:
            state = replace(state, active_booking=self._open_new_booking[person_id])
        return state

    def new_person(
        self,
        prison_number: str,
        particulars: PersonParticulars,
        *,
        establishment: str,
        legal_status: str | None,
    ) -> PersonState:
        """A person new to the record, received into ``establishment``: version 1."""
        person_id = self._reservations.key(NOMS)
        row: Row = {
            "id": person_id,
            "prison_number": prison_number,
            "version": 1,
            "date_of_birth": particulars.date_of_birth,
            "sex": particulars.sex,
            "custody_status": IN_PRISON,
            "care_status": UNDER_PRISON_CARE,
            "current_establishment": establishment,
            "legal_status": legal_status,
            "incentive_level": None,
            "created_at": self.now,
            "updated_at": self.now,
        }
        self._new_people[person_id] = row
        self._rows[person].append(row)
        return self.load_person(person_id)

    def change_custody(
        self,
        current: PersonState,
        *,
        custody_status: str,
        establishment: str | None,
        legal_status: str | None = None,
    ) -> PersonState:
        """As ``person_record.change_custody``; kept back for a person new in this batch."""
        if current.id not in self._new_people:
            self._changed_people.add(current.id)
            return person_record.change_custody(
                self.connection,
                current,
                custody_status=custody_status,
                establishment=establishment,
                legal_status=legal_status,
                now=self.now,
            )
        row = self._new_people[current.id]
        row.update(
            custody_status=custody_status,
            care_status=UNDER_PRISON_CARE if custody_status == IN_PRISON else NOT_UNDER_PRISON_CARE,
            current_establishment=establishment,
            version=current.version + 1,
            updated_at=self.now,
        )
        if legal_status is not None:
            row["legal_status"] = legal_status
        return self.load_person(current.id)

    def open_booking(
        self, current: PersonState, book_number: str, establishment: str, started_at: datetime
    ) -> Booking:
        booking_id = self._reservations.key(BOOKING)
        row: Row = {
            "id": booking_id,
            "person_id": current.id,
            "book_number": book_number,
            "establishment": establishment,
            "active": True,
            "started_at": started_at,
            "ended_at": None,
        }
        self._new_bookings[booking_id] = row
        self._rows[booking].append(row)
        opened = Booking(booking_id, book_number)
        self._open_new_booking[current.id] = opened
        return opened

    def move_booking(
        self, open_booking: Booking, *, establishment: str, ended_at: datetime | None = None
    ) -> None:
        """As ``person_record.move_booking``; kept back for a booking new in this batch."""
        row = self._new_bookings.get(open_booking.id)
        if row is None:
            person_record.move_booking(
                self.connection, open_booking, establishment=establishment, ended_at=ended_at
            )
            return
        row["establishment"] = establishment
        if ended_at is not None:
            row.update(active=False, ended_at=ended_at)
            del self._open_new_booking[row["person_id"]]

    # --- rows that are only ever added ------------------------------------------------------

    def add_identifiers(self, current: PersonState, identifiers: Iterable[Identifier]) -> None:
        identifiers = list(identifiers)
        self._known.stage(Holder(current.id, current.prison_number), identifiers)
        self._rows[person_identifier].extend(
            {"person_id": current.id, "type": i.type, "value": i.value} for i in identifiers
        )

    def remove_identifiers(self, current: PersonState, identifiers: Iterable[Identifier]) -> None:
        """Take ``identifiers`` off ``current`` (a PNC id merged away, a CRO number amended),
        at once: from the store, from what is kept back, and from what the batch knows."""
        gone = set(identifiers)
        if not gone:
            return
        for identifier in gone:
            self.connection.execute(
                sa.delete(person_identifier).where(
                    person_identifier.c.person_id == current.id,
                    person_identifier.c.type == identifier.type,
                    person_identifier.c.value == identifier.value,
                )
            )
        rows = self._rows[person_identifier]
        rows[:] = [
            row
            for row in rows
            if row["person_id"] != current.id or Identifier(row["type"], row["value"]) not in gone
        ]
        self._known.forget(current.id, gone)

    def add_names(self, current: PersonState, names: Iterable[PersonName]) -> None:
        names = list(names)
        self._rows[person_name_key].extend(
            {"key": key, "person_id": current.id} for key in sorted(keys_of_names(names))
        )
        self._rows[person_name].extend(
            {
                "person_id": current.id,
                "name_type": name.name_type,
                "surname": name.surname,
                "forenames": name.forenames,
            }
            for name in names
        )

    def add_movements(
        self, current: PersonState, on_booking: Booking, movements: Iterable[Row]
    ) -> None:
        """Movements (movement_type, direction, reason_code, from_agency, to_agency,
        occurred_at) of a person on a booking, by the current message."""
        base = {"person_id": current.id, "booking_id": on_booking.id, "message_id": self.message_id}
        self._rows[movement].extend({**base, **row} for row in movements)

    def add_rows(self, table: sa.Table, rows: Iterable[Row]) -> None:
        """Rows of a table beyond the core record (an area's own table, or alerts), kept
        back like the rest and written after the core tables, whose rows they refer to."""
        self._other_rows.setdefault(table, []).extend(rows)

    def pending_rows(self, table: sa.Table) -> list[Row]:
        """The rows of ``table`` kept back so far in this batch (the dicts themselves, so a
        handler may settle one not yet written, such as an alert made inactive)."""
        return self._other_rows.get(table, [])

    def record_identity_decision(
        self,
        outcome: str,
        person_key: str | None,
        evidence: str,
        *,
        candidate_key: str | None = None,
        score: float | None = None,
    ) -> None:
        """Keep the matcher's (or a person's) decision on the current message."""
        self._rows[identity_decision].append(
            {
                "message_id": self.message_id,
                "decided_at": self.now,
                "outcome": outcome,
                "person_key": person_key,
                "candidate_key": candidate_key,
                "score": score,
                "evidence": evidence,
            }
        )

    def people_new_in_batch(self, particulars: PersonParticulars) -> list[Description]:
        """The people this batch created so far who share a blocking key with
        ``particulars``, as match candidates (no query)."""
        wanted = keys_to_search(particulars)
        born = particulars.date_of_birth
        names: dict[int, list[PersonName]] = {}
        for row in self._rows[person_name]:
            if row["person_id"] in self._new_people:
                names.setdefault(row["person_id"], []).append(
                    PersonName(row["surname"], row["forenames"], row["name_type"])
                )
        found: list[Description] = []
        for person_id, row in self._new_people.items():
            given = names.get(person_id, [])
            if row["date_of_birth"] != born and not keys_of_names(given) & wanted:
                continue
            found.append(
                Description(
                    names=tuple(given),
                    date_of_birth=row["date_of_birth"],
                    sex=row["sex"],
                    identifiers=frozenset(
                        i for i in self.identifiers_of(person_id) if i.type in COMPARED_IDENTIFIERS
                    ),
                    person_id=person_id,
                    prison_number=str(row["prison_number"]),
                )
            )
        return found

    def flush(self) -> None:
        """Write everything kept back, one statement per table, then each batch state's."""
        for table in _KEPT_BACK:
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

    def writing(self) -> UnitOfWork:
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


def _identifiers_in(command: Command) -> tuple[Identifier, ...]:
    if isinstance(command, RecordReception):
        return command.person.identifiers
    if isinstance(command, RecordNonAssociation | CloseNonAssociation):
        return (*command.person, *command.other_person)
    return command.person
