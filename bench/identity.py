"""The identity benchmark: how well the matcher decides, and how fast, in PostgreSQL.

    .venv/bin/python bench/identity.py [--people 1000000] [--quality-people 3000]
                                       [--matches 2000] [--postgres-url ...]

(a) Quality, on a generated identity set the matcher was not tuned on (seed 2026; see
    tests/identity_people.py): people received through the record store, then descriptions
    of them with realistic errors (typos, nicknames, swapped names, dropped middle names,
    aliases, birth dates with a wrong or transposed digit or day and month swapped, missing
    and new identifiers), twins and strangers. Precision and recall of the auto-links
    (targets 0.99 and 0.95); the rest goes to review or to a new person.
(b) Speed: a store of --people people (1,000,000 by default: names from 20,000 surnames,
    dates of birth over 55 years), loaded in bulk. The time of one match (candidates by
    blocking keys, three queries, and scoring), p50 and p99 over --matches descriptions,
    next to the baseline measured on the same store in the same run: one indexed lookup
    of a person by prison number. Target: p99 under 20 ms.

A measurement, not a test: it prints figures, and exits non-zero only when a target is
missed.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
from bench_database import fresh_database

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core_records.commands import PersonName, PersonParticulars
from core_records.identifiers import NOMS, Identifier
from core_records.identity.matching import MatchRules
from core_records.identity.numbers import find_person
from core_records.identity.resolution import resolve
from core_records.store.database import create_engine
from core_records.store.record_store import RecordStore
from tests.identity_people import (
    ERRORS,
    FEMALE,
    MALE,
    _with_error,
    evaluate,
    generate,
    store_people,
)

POSTGRES_URL = os.environ.get(
    "GATEHOUSE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SYLLABLES = [
    "ash",
    "bar",
    "ber",
    "bro",
    "by",
    "ca",
    "car",
    "chi",
    "da",
    "den",
    "dor",
    "ed",
    "el",
    "fen",
    "ford",
    "gar",
    "gre",
    "ham",
    "har",
    "hay",
    "hol",
    "ing",
    "kel",
    "ken",
    "lan",
    "ley",
    "lin",
    "mar",
    "mer",
    "mil",
    "mor",
    "nor",
    "ock",
    "ol",
    "pen",
    "per",
    "pri",
    "ram",
    "rid",
    "ros",
    "sal",
    "sha",
    "son",
    "ster",
    "tal",
    "ter",
    "thorn",
    "ton",
    "ver",
    "wal",
    "well",
    "wick",
    "win",
    "wood",
    "worth",
    "yar",
]


def surnames(count: int) -> list[str]:
    rng = random.Random(7)
    found: set[str] = set()
    while len(found) < count:
        found.add("".join(rng.sample(SYLLABLES, rng.choice((2, 2, 3)))).upper())
    return sorted(found)


def quality(admin_url: str, people: int) -> bool:
    with fresh_database(admin_url, "gh_bench_quality") as url:
        engine = create_engine(url)
        try:
            identity_set = generate(people=people, queries=people, seed=2026)
            started = time.perf_counter()
            numbers = store_people(RecordStore(engine), identity_set.people)
            loaded = time.perf_counter() - started
            result = evaluate(engine, identity_set, numbers, MatchRules())
        finally:
            engine.dispose()
    print(f"(a) quality: {people} people received in {loaded:.1f} s; {result.summary()}")
    ok = result.precision >= 0.99 and result.recall >= 0.95
    print(f"    targets precision >= 0.99, recall >= 0.95: {'met' if ok else 'MISSED'}")
    return ok


BULK = """
WITH numbered AS (
    SELECT g,
           (g - 1) / 9999 AS rest,
           (g - 1) % 9999 + 1 AS digits,
           abs(hashtext('s' || g)) AS h1,
           abs(hashtext('f' || g)) AS h2,
           abs(hashtext('d' || g)) AS h3
    FROM generate_series(CAST(:first AS integer), CAST(:last AS integer)) AS g
)
INSERT INTO {table} ({columns})
SELECT {values} FROM numbered
"""
PRISON_NUMBER = (
    "chr(65 + rest / 676) || lpad(digits::text, 4, '0') || chr(65 + (rest % 676) / 26)"
    " || chr(65 + rest % 26)"
)
SURNAME = "(CAST(:surnames AS text[]))[1 + h1 % cardinality(CAST(:surnames AS text[]))]"
FORENAME = "(CAST(:forenames AS text[]))[1 + h2 % cardinality(CAST(:forenames AS text[]))]"


def load_people(url: str, count: int) -> None:
    """``count`` people with a name, a name key and a prison number, in bulk."""
    names = surnames(20_000)
    forenames = sorted(set(MALE) | set(FEMALE))
    statements = (
        (
            "person",
            "id, prison_number, version, date_of_birth, sex, custody_status, care_status,"
            " created_at, updated_at",
            f"g, {PRISON_NUMBER}, 1, date '1950-01-01' + (h3 % 20000),"
            " CASE WHEN h2 % 7 = 0 THEN 'F' ELSE 'M' END, 'OUTSIDE_PRISON',"
            " 'NOT_UNDER_PRISON_CARE', now(), now()",
        ),
        (
            "person_name",
            "person_id, name_type, surname, forenames",
            f"g, 'CN', {SURNAME}, {FORENAME}",
        ),
        ("person_name_key", "key, person_id", f"{SURNAME} || '|' || {FORENAME}, g"),
        ("person_identifier", "type, value, person_id", f"'NOMS', {PRISON_NUMBER}, g"),
    )
    engine = create_engine(url)
    try:
        for start in range(1, count + 1, 250_000):
            last = min(count, start + 249_999)
            with engine.begin() as connection:
                for table, columns, values in statements:
                    connection.execute(
                        sa.text(BULK.format(table=table, columns=columns, values=values)),
                        {"first": start, "last": last, "surnames": names, "forenames": forenames},
                    )
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("ANALYZE"))
    finally:
        engine.dispose()


def descriptions(url: str, count: int) -> tuple[list[PersonParticulars], list[str]]:
    """Descriptions to match: half of people on record (with an error each), half strangers;
    and prison numbers on record, for the baseline."""
    rng = random.Random(99)
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            total = connection.execute(
                sa.select(sa.func.count()).select_from(sa.table("person"))
            ).scalar_one()
            ids = [rng.randint(1, total) for _ in range(count)]
            rows = connection.execute(
                sa.text(
                    "SELECT p.prison_number, p.date_of_birth, p.sex, n.surname, n.forenames"
                    " FROM person p JOIN person_name n ON n.person_id = p.id WHERE p.id = ANY(:ids)"
                ),
                {"ids": ids},
            ).all()
    finally:
        engine.dispose()
    described: list[PersonParticulars] = []
    used: set[str] = set()
    stranger_surnames = surnames(20_000)[:500]
    for index, row in enumerate(rows):
        person = PersonParticulars(
            (), PersonName(row.surname, row.forenames), row.date_of_birth, row.sex
        )
        if index % 2:
            person = _with_error(rng, person, rng.choice(ERRORS), used, person)
        else:
            person = replace(
                person,
                name=PersonName(rng.choice(stranger_surnames), rng.choice(MALE)),
                date_of_birth=date(1950, 1, 1) + timedelta(days=rng.randint(0, 20000)),
            )
        described.append(person)
    return described, [row.prison_number for row in rows]


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def speed(admin_url: str, people: int, matches: int) -> bool:
    with fresh_database(admin_url, "gh_bench_speed") as url:
        started = time.perf_counter()
        load_people(url, people)
        print(f"(b) speed: {people:,} people loaded in {time.perf_counter() - started:.0f} s")
        described, numbers = descriptions(url, matches)
        rules = MatchRules()
        engine = create_engine(url)
        try:
            with engine.connect() as connection:
                for person in described[:50]:  # warm the caches and the statement cache
                    resolve(connection, person, rules, [])
                match_ms, lookup_ms, outcomes = [], [], {"link": 0, "review": 0, "new": 0}
                for person, number in zip(described, numbers, strict=True):
                    began = time.perf_counter()
                    outcome = resolve(connection, person, rules, []).outcome
                    match_ms.append((time.perf_counter() - began) * 1000)
                    outcomes[outcome] += 1
                    began = time.perf_counter()
                    find_person(connection, [Identifier(NOMS, number)])
                    lookup_ms.append((time.perf_counter() - began) * 1000)
        finally:
            engine.dispose()
    p50, p99 = percentile(match_ms, 0.5), percentile(match_ms, 0.99)
    b50, b99 = percentile(lookup_ms, 0.5), percentile(lookup_ms, 0.99)
    print(f"    baseline, indexed lookup by prison number: p50 {b50:.2f} ms, p99 {b99:.2f} ms")
    print(
        f"    one match ({len(match_ms)} descriptions; {outcomes}): p50 {p50:.2f} ms, "
        f"p99 {p99:.2f} ms, mean {statistics.fmean(match_ms):.2f} ms"
    )
    print(f"    ratio to baseline: p50 x{p50 / b50:.1f}, p99 x{p99 / b99:.1f}")
    ok = p99 < 20
    print(f"    target p99 < 20 ms: {'met' if ok else 'MISSED'}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--quality-people", type=int, default=3_000)
    parser.add_argument("--matches", type=int, default=2_000)
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    args = parser.parse_args()
    good = quality(args.postgres_url, args.quality_people)
    good = speed(args.postgres_url, args.people, args.matches) and good
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
