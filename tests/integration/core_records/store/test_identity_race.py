"""Two receptions of one new person, applied at the same moment by two writers (as two ingest
partitions' workers would), make one person, never two: on PostgreSQL by the identity locks
(``core_records.store.identity_locks``), on SQLite by its one writer at a time."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from core_records.custody.tables import person, person_name
from core_records.store.database import create_engine
from core_records.store.identity_locks import take_identity_locks
from tests.integration.core_records.examples import (
    apply_racing,
    message,
    particulars,
    pnc,
    reception,
)

ROUNDS = {"sqlite": 6, "postgresql": 30}


def people_named(engine: sa.Engine, surname: str) -> int:
    with engine.connect() as connection:
        return connection.execute(
            sa.select(sa.func.count(sa.distinct(person.c.id)))
            .select_from(person.join(person_name, person_name.c.person_id == person.c.id))
            .where(person_name.c.surname == surname)
        ).scalar_one()


def test_two_receptions_of_one_new_person_at_once_make_one_person(database_url: str) -> None:
    engine = create_engine(database_url)
    rounds = ROUNDS[engine.dialect.name]
    try:
        for round_ in range(rounds):
            surname = f"RACE{chr(65 + round_ % 26)}{chr(65 + round_ // 26)}"
            born = date(1970, 1, 1) + timedelta(days=97 * round_)
            # One by particulars alone, the other with a PNC id not yet on record: they key
            # to different partitions, so two workers can apply them at once.
            alone = particulars(surname=surname, forenames="JOHN PAUL", born=born)
            numbered = particulars(
                pnc(9000 + round_), surname=surname, forenames="JOHN PAUL", born=born
            )
            outcomes = apply_racing(
                engine,
                [[message(reception(alone, "LEI"))], [message(reception(numbered, "MDI"))]],
                attempts=5,
            )
            assert len(outcomes) == 2, outcomes
            assert people_named(engine, surname) == 1, f"round {round_}: {outcomes}"
            assert sorted(o.status for o in outcomes).count("applied") == 1, outcomes
    finally:
        engine.dispose()


def test_the_locks_are_taken_only_on_postgresql(database_url: str) -> None:
    engine = create_engine(database_url)
    commands = [reception(particulars(pnc(1), surname="LOCKED", born=date(1980, 1, 2)))]
    try:
        with engine.begin() as connection:
            taken = take_identity_locks(connection, commands)
            if engine.dialect.name == "postgresql":
                assert taken >= 3  # the PNC id and the name keys with the birth
                held = connection.execute(
                    sa.text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")
                ).scalar_one()
                assert held >= taken
            else:
                assert taken == 0
    finally:
        engine.dispose()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_second_writer_waits_for_the_first_to_commit(database_url: str) -> None:
    engine = create_engine(database_url)
    commands = [reception(particulars(surname="WAITS", born=date(1981, 2, 3)))]
    try:
        with engine.begin() as first:
            take_identity_locks(first, commands)
            with engine.connect() as second:
                second.execute(sa.text("SET lock_timeout = '200ms'"))
                with pytest.raises(sa.exc.OperationalError, match="lock timeout"):
                    take_identity_locks(second, commands)
                second.rollback()
    finally:
        engine.dispose()
