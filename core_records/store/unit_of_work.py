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

What is kept back, and how a refused message's share of it is undone, is
``core_records.store.kept_back``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any

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
from core_records.custody.tables import booking, movement, person, person_identifier, person_name
from core_records.errors import ConcurrentUpdate
from core_records.identifiers import BOOKING, NOMS, Identifier
from core_records.identity.candidates import CandidatePool, keys_of_names, keys_to_search
from core_records.identity.matching import COMPARED_IDENTIFIERS, Description, MatchRules
from core_records.identity.numbers import STRONG_TYPES, Holder
from core_records.identity.resolution import Decided
from core_records.identity.tables import identity_decision, person_name_key
from core_records.partner_records.commands import CloseNonAssociation, RecordNonAssociation
from core_records.store.kept_back import KeptBack, Row
from core_records.store.reservations import Reservations


class UnitOfWork(KeptBack):
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
        super().__init__(connection)
        self.reference = reference
        self.now = now
        self.match_rules = match_rules or MatchRules()
        self.decided = decided or {}
        """Possible-match cases a person decided, by the message id they hold."""
        self._reservations = Reservations(connection)
        self.candidates = CandidatePool()
        """Match candidates of the batch's receptions, read once by ``prepare``."""

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
        care_status: str | None = None,
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
                care_status=care_status,
            )
        row = self._new_people[current.id]
        row.update(
            custody_status=custody_status,
            care_status=care_status
            or (UNDER_PRISON_CARE if custody_status == IN_PRISON else NOT_UNDER_PRISON_CARE),
            current_establishment=establishment,
            version=current.version + 1,
            updated_at=self.now,
        )
        if legal_status is not None:
            row["legal_status"] = legal_status
        return self.load_person(current.id)

    def person_value(self, person_id: int, column: str) -> Any:
        """One column of the person's row as it stands in this batch (``legal_status``,
        ``incentive_level``), whether the person is new in the batch or on record."""
        if person_id in self._new_people:
            return self._new_people[person_id][column]
        return self.connection.execute(
            sa.select(person.c[column]).where(person.c.id == person_id)
        ).scalar_one()

    def set_incentive_level(self, person_id: int, level: str) -> None:
        """The person's incentive level from now on (kept back for a person new in the batch)."""
        if person_id in self._new_people:
            self._new_people[person_id]["incentive_level"] = level
            return
        self.connection.execute(
            sa.update(person)
            .where(person.c.id == person_id)
            .values(incentive_level=level, updated_at=self.now)
        )

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

    def correct_date_of_birth(self, current: PersonState, born: date) -> PersonState:
        """Record ``born`` as the person's date of birth (a partner's correction), if the
        record is still at ``current.version``; else ``ConcurrentUpdate``."""
        if current.id in self._new_people:
            self._new_people[current.id].update(date_of_birth=born, updated_at=self.now)
            return current
        self._changed_people.add(current.id)
        result = self.connection.execute(
            sa.update(person)
            .where(person.c.id == current.id, person.c.version == current.version)
            .values(date_of_birth=born, version=current.version + 1, updated_at=self.now)
        )
        if result.rowcount != 1:
            raise ConcurrentUpdate(f"{current.prison_number} changed while a message was applied")
        return replace(current, version=current.version + 1)

    def date_of_birth(self, current: PersonState) -> date | None:
        if current.id in self._new_people:
            return self._new_people[current.id]["date_of_birth"]  # type: ignore[no-any-return]
        return self.connection.execute(
            sa.select(person.c.date_of_birth).where(person.c.id == current.id)
        ).scalar_one()

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
        # The keys ``add_names`` kept back with each person's names, read rather than worked
        # out again for every new person at every reception (a batch's receptions squared).
        keyed = {r["person_id"] for r in self._rows[person_name_key] if r["key"] in wanted}
        people = self._new_people
        found = [p for p, row in people.items() if row["date_of_birth"] == born or p in keyed]
        names: dict[int, list[PersonName]] = {person_id: [] for person_id in found}
        for row in self._rows[person_name]:
            if row["person_id"] in names:
                names[row["person_id"]].append(
                    PersonName(row["surname"], row["forenames"], row["name_type"])
                )
        return [
            Description(
                names=tuple(names[person_id]),
                date_of_birth=people[person_id]["date_of_birth"],
                sex=people[person_id]["sex"],
                identifiers=frozenset(
                    i for i in self.identifiers_of(person_id) if i.type in COMPARED_IDENTIFIERS
                ),
                person_id=person_id,
                prison_number=str(people[person_id]["prison_number"]),
            )
            for person_id in found
        ]


def _identifiers_in(command: Command) -> tuple[Identifier, ...]:
    if isinstance(command, RecordReception):
        return command.person.identifiers
    if isinstance(command, RecordNonAssociation | CloseNonAssociation):
        return (*command.person, *command.other_person)
    return command.person
