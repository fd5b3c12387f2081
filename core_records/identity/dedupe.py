"""The batch deduplication job: pairs of records on the store that may be one person.

Blocks are the matcher's (``core_records.identity.candidates``): people sharing a date of birth, and
people sharing a name key. Within each block every pair is scored
(``core_records.identity.matching``); a pair at or above the review threshold becomes a merge
candidate for a person to review (``merge_candidate``), never an automatic merge. Running
the job again adds only pairs not found before.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa

from core_records.custody.tables import person
from core_records.identifiers import NOMS
from core_records.identity.candidates import describe_people
from core_records.identity.matching import Description, MatchRules, compare
from core_records.identity.tables import merge_candidate, person_merge, person_name_key
from core_records.timestamps import utc_now

OPEN = "open"
LARGEST_BLOCK = 500
"""A block larger than this (a very common name) is skipped: its pairs say little, and
their number grows with the square of its size."""
_PEOPLE_PER_READ = 2000


@dataclass(frozen=True)
class DedupeReport:
    blocks: int
    pairs_scored: int
    candidates_found: int
    candidates_new: int


def find_merge_candidates(engine: sa.Engine, rules: MatchRules) -> DedupeReport:
    """Score every pair in every block and record the likely duplicates."""
    blocks = pairs = 0
    found: dict[tuple[str, str], tuple[float, str]] = {}
    with engine.connect() as connection:
        for block in _blocks(connection):
            blocks += 1
            for first, second in itertools.combinations(block, 2):
                pairs += 1
                score = compare(_unnumbered(first), _unnumbered(second), rules)
                if score.score < rules.review_threshold:
                    continue
                key = tuple(sorted((first.prison_number or "", second.prison_number or "")))
                found[key] = (score.score, json.dumps(score.as_dict(), separators=(",", ":")))  # type: ignore[index]
    new = 0
    with engine.begin() as connection:
        known = {
            (row.first_key, row.second_key)
            for row in connection.execute(
                sa.select(merge_candidate.c.first_key, merge_candidate.c.second_key)
            )
        }
        rows = [
            {
                "first_key": first,
                "second_key": second,
                "score": score,
                "evidence": evidence,
                "found_at": utc_now(),
                "status": OPEN,
            }
            for (first, second), (score, evidence) in sorted(found.items())
            if (first, second) not in known
        ]
        if rows:
            connection.execute(sa.insert(merge_candidate), rows)
        new = len(rows)
    return DedupeReport(blocks, pairs, len(found), new)


def merge_candidates(connection: sa.Connection, status: str = OPEN) -> list[dict[str, Any]]:
    """The candidates recorded, best score first."""
    rows = connection.execute(
        sa.select(merge_candidate)
        .where(merge_candidate.c.status == status)
        .order_by(merge_candidate.c.score.desc(), merge_candidate.c.id)
    ).mappings()
    return [
        {
            "id": row["id"],
            "first": row["first_key"],
            "second": row["second_key"],
            "score": round(row["score"], 2),
            "evidence": json.loads(row["evidence"])["evidence"],
            "foundAt": row["found_at"].isoformat(),
        }
        for row in rows
    ]


def _unnumbered(description: Description) -> Description:
    """Without its prison number: two records on the store always have different ones, so
    their disagreement says nothing about whether they are one person."""
    return replace(
        description, identifiers=frozenset(i for i in description.identifiers if i.type != NOMS)
    )


def _blocks(connection: sa.Connection) -> Iterator[list[Description]]:
    """Each block with more than one person, as descriptions."""
    absorbed = sa.select(person_merge.c.absorbed_id).where(person_merge.c.unmerged_at.is_(None))
    by_birth = (
        sa.select(person.c.date_of_birth, sa.func.count())
        .where(person.c.id.not_in(absorbed))
        .group_by(person.c.date_of_birth)
        .having(sa.func.count() > 1)
    )
    births = [row[0] for row in connection.execute(by_birth) if row[1] <= LARGEST_BLOCK]
    for start in range(0, len(births), 200):
        some = births[start : start + 200]
        people = _people(connection, person.c.date_of_birth.in_(some))
        grouped: dict[Any, list[Description]] = {}
        for description in people:
            grouped.setdefault(description.date_of_birth, []).append(description)
        yield from grouped.values()
    by_key = (
        sa.select(person_name_key.c.key, sa.func.count())
        .group_by(person_name_key.c.key)
        .having(sa.func.count() > 1)
    )
    keys = [row[0] for row in connection.execute(by_key) if row[1] <= LARGEST_BLOCK]
    for start in range(0, len(keys), 200):
        some = keys[start : start + 200]
        members = connection.execute(
            sa.select(person_name_key.c.key, person_name_key.c.person_id).where(
                person_name_key.c.key.in_(some)
            )
        ).all()
        ids = sorted({m.person_id for m in members})
        people = {
            d.person_id: d
            for d in _people(
                connection, sa.and_(person.c.id.in_(ids), person.c.id.not_in(absorbed))
            )
        }
        grouped_by_key: dict[str, list[Description]] = {}
        for member in members:
            if member.person_id in people:
                grouped_by_key.setdefault(member.key, []).append(people[member.person_id])
        yield from (block for block in grouped_by_key.values() if len(block) > 1)


def _people(connection: sa.Connection, where: sa.ColumnElement[bool]) -> list[Description]:
    absorbed = sa.select(person_merge.c.absorbed_id).where(person_merge.c.unmerged_at.is_(None))
    rows = connection.execute(
        sa.select(person.c.id, person.c.prison_number, person.c.date_of_birth, person.c.sex)
        .where(where, person.c.id.not_in(absorbed))
        .order_by(person.c.id)
    ).all()
    found: list[Description] = []
    for start in range(0, len(rows), _PEOPLE_PER_READ):
        found.extend(describe_people(connection, rows[start : start + _PEOPLE_PER_READ]))
    return found
