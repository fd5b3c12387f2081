"""Candidates for a match: the people on record who share a blocking key with a description.

Blocking keys (DOMAIN.md, "Identity matching"), each an index lookup:

- the date of birth (``ix_person_date_of_birth``): finds name typos, swapped names, aliases;
- a name key, ``SURNAME|FIRSTFORENAME`` normalised, for each name given, each nickname form
  of its forename, and the name swapped (``person_name_key``): finds dates of birth with a
  typo, transposed digits, or day and month swapped.

PNC and CRO need no block of their own: a recorded strong identifier links before matching.
People merged into another are never candidates: their survivor is.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import sqlalchemy as sa

from core_records.commands import PersonName, PersonParticulars
from core_records.custody.tables import person, person_identifier, person_name
from core_records.identifiers import Identifier
from core_records.identity.matching import (
    COMPARED_IDENTIFIERS,
    Description,
    first_forename,
    normalise,
)
from core_records.identity.matching import nickname_forms as _nickname_forms
from core_records.identity.tables import person_merge, person_name_key

MAX_CANDIDATES = 200
"""A block larger than this is cut (by person id): the score decides among the rest."""
_CHUNK = 500
"""Values per query: keeps the bound parameters far under SQLite's limit."""


def name_key(surname: str, forename: str) -> str:
    return f"{normalise(surname)}|{first_forename(forename)}"[:120]


def keys_of_names(names: Iterable[PersonName]) -> set[str]:
    """The keys a person's names are filed under (one per name)."""
    return {name_key(n.surname, n.forenames) for n in names if normalise(n.surname)}


def keys_to_search(particulars: PersonParticulars) -> set[str]:
    """The keys under which the person ``particulars`` describes may be on record."""
    keys: set[str] = set()
    for name in (particulars.name, *particulars.aliases):
        surname, forename = normalise(name.surname), first_forename(name.forenames)
        if not surname:
            continue
        for form in _nickname_forms(forename) if forename else {""}:
            keys.add(f"{surname}|{form}"[:120])
        if forename:
            keys.add(f"{forename}|{surname.split()[0]}"[:120])
    return keys


def description_of(particulars: PersonParticulars) -> Description:
    return Description(
        names=(particulars.name, *particulars.aliases),
        date_of_birth=particulars.date_of_birth,
        sex=particulars.sex,
        identifiers=frozenset(particulars.identifiers),
    )


class CandidatePool:
    """The candidates of a whole batch of receptions, read up front in one query per 500 keys, then
    served per reception from memory (one reception's blocks are a subset of the batch's)."""

    def __init__(self) -> None:
        self._people: dict[int, Description] = {}
        self._by_birth: dict[date, list[int]] = {}
        self._by_key: dict[str, list[int]] = {}
        self._births: set[date] = set()
        self._keys: set[str] = set()

    def read(self, connection: sa.Connection, described: Iterable[PersonParticulars]) -> None:
        """Read the candidates of every description not read before."""
        births, keys = set(), set()
        for particulars in described:
            births.add(particulars.date_of_birth)
            keys |= keys_to_search(particulars)
        births -= self._births
        keys -= self._keys
        if not births and not keys:
            return
        self._births |= births
        self._keys |= keys
        wanted_births, wanted_keys = sorted(births), sorted(keys)
        for start in range(0, max(len(wanted_births), len(wanted_keys)), _CHUNK):
            rows = connection.execute(
                _CANDIDATES,
                {
                    "births": wanted_births[start : start + _CHUNK],
                    "keys": wanted_keys[start : start + _CHUNK],
                },
            )
            for description in _descriptions(rows):
                if description.person_id not in self._people:
                    self._add(description)

    def _add(self, description: Description) -> None:
        assert description.person_id is not None
        self._people[description.person_id] = description
        self._by_birth.setdefault(description.date_of_birth, []).append(description.person_id)
        for key in keys_of_names(description.names):
            self._by_key.setdefault(key, []).append(description.person_id)

    def candidates(self, particulars: PersonParticulars) -> list[Description]:
        """The people read who share a blocking key with ``particulars``, by person id."""
        ids = set(self._by_birth.get(particulars.date_of_birth, ()))
        for key in keys_to_search(particulars):
            ids.update(self._by_key.get(key, ()))
        return [self._people[i] for i in sorted(ids)[:MAX_CANDIDATES]]


def candidates(connection: sa.Connection, particulars: PersonParticulars) -> list[Description]:
    """The people on record sharing a blocking key with ``particulars``."""
    pool = CandidatePool()
    pool.read(connection, [particulars])
    return pool.candidates(particulars)


def describe_people(connection: sa.Connection, rows: Iterable[sa.Row]) -> list[Description]:  # type: ignore[type-arg]
    """Descriptions of people from their (id, prison_number, date_of_birth, sex) rows."""
    rows = list(rows)
    if not rows:
        return []
    person_ids = [row.id for row in rows]
    names: dict[int, list[PersonName]] = {}
    identifiers: dict[int, set[Identifier]] = {}
    for row in connection.execute(_NAMES_AND_IDENTIFIERS, {"ids": person_ids}):
        if row.kind == "N":
            names.setdefault(row.person_id, []).append(PersonName(row.b, row.c, row.a))
        else:
            identifiers.setdefault(row.person_id, set()).add(Identifier(row.a, row.b))
    return [
        Description(
            names=_current_first(names.get(row.id, [])),
            date_of_birth=row.date_of_birth,
            sex=row.sex,
            identifiers=frozenset(identifiers.get(row.id, ())),
            person_id=row.id,
            prison_number=row.prison_number,
        )
        for row in rows
    ]


def _current_first(names: list[PersonName]) -> tuple[PersonName, ...]:
    return tuple(sorted(names, key=lambda n: n.name_type != "CN"))


# Built once: the matcher runs them for every reception, and building a statement costs
# more than running it.
_absorbed = sa.select(person_merge.c.absorbed_id).where(person_merge.c.unmerged_at.is_(None))
# Both blocks in one round trip, each an index scan (an OR of the two would read the table).
_blocks = sa.union(
    sa.select(person.c.id).where(
        person.c.date_of_birth.in_(sa.bindparam("births", expanding=True))
    ),
    sa.select(person_name_key.c.person_id).where(
        person_name_key.c.key.in_(sa.bindparam("keys", expanding=True))
    ),
).subquery()
# Names and identifiers in one round trip: kind N rows are names, kind I identifiers.
_ids = sa.bindparam("ids", expanding=True)
_both = sa.union_all(
    sa.select(
        person_name.c.person_id,
        sa.literal("N").label("kind"),
        person_name.c.name_type.label("a"),
        person_name.c.surname.label("b"),
        person_name.c.forenames.label("c"),
        person_name.c.id.label("n"),
    ).where(person_name.c.person_id.in_(_ids)),
    sa.select(
        person_identifier.c.person_id,
        sa.literal("I").label("kind"),
        person_identifier.c.type.label("a"),
        person_identifier.c.value.label("b"),
        sa.literal("").label("c"),
        sa.literal(0).label("n"),
    ).where(
        person_identifier.c.person_id.in_(_ids),
        person_identifier.c.type.in_(COMPARED_IDENTIFIERS),
    ),
).subquery()
_NAMES_AND_IDENTIFIERS = sa.select(_both).order_by(_both.c.person_id, _both.c.n)

# The whole read of a block in ONE round trip: the candidates' rows (kind P), their names
# (N) and their compared identifiers (I), ordered by person.
_candidate_ids = (
    sa.select(person.c.id)
    .where(person.c.id.in_(sa.select(_blocks.c[0])), person.c.id.not_in(_absorbed))
    .cte("candidate_ids")
)
_of_candidates = sa.select(_candidate_ids.c.id)
_no_date = sa.cast(sa.null(), sa.Date)
_rows = sa.union_all(
    sa.select(
        person.c.id.label("person_id"),
        sa.literal("P").label("kind"),
        person.c.prison_number.label("a"),
        person.c.sex.label("b"),
        sa.literal("").label("c"),
        person.c.date_of_birth.label("d"),
        sa.literal(0).label("n"),
    ).where(person.c.id.in_(_of_candidates)),
    sa.select(
        person_name.c.person_id,
        sa.literal("N"),
        person_name.c.name_type,
        person_name.c.surname,
        person_name.c.forenames,
        _no_date,
        person_name.c.id,
    ).where(person_name.c.person_id.in_(_of_candidates)),
    sa.select(
        person_identifier.c.person_id,
        sa.literal("I"),
        person_identifier.c.type,
        person_identifier.c.value,
        sa.literal(""),
        _no_date,
        sa.literal(0),
    ).where(
        person_identifier.c.person_id.in_(_of_candidates),
        person_identifier.c.type.in_(COMPARED_IDENTIFIERS),
    ),
).subquery()
_CANDIDATES = sa.select(_rows).order_by(_rows.c.person_id, _rows.c.kind.desc(), _rows.c.n)


def _descriptions(rows: Iterable[sa.Row]) -> list[Description]:  # type: ignore[type-arg]
    """Descriptions from ``_CANDIDATES`` rows (P, then N and I rows, per person)."""
    people: dict[int, tuple[Any, list[PersonName], set[Identifier]]] = {}
    for row in rows:
        if row.kind == "P":
            people[row.person_id] = (row, [], set())
        elif row.person_id in people:
            if row.kind == "N":
                people[row.person_id][1].append(PersonName(row.b, row.c, row.a))
            else:
                people[row.person_id][2].add(Identifier(row.a, row.b))
    return [
        Description(
            names=_current_first(names),
            date_of_birth=as_date(found.d),
            sex=found.b,
            identifiers=frozenset(identifiers),
            person_id=person_id,
            prison_number=found.a,
        )
        for person_id, (found, names, identifiers) in people.items()
    ]


def as_date(value: object) -> date:
    """A date as the driver returns it from a union (SQLite may give the ISO text)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))
