"""Resolution by strong identifiers, and allocation of new prison numbers."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from core_records.errors import BusinessRuleViolation
from core_records.identifiers import NOMS, Identifier
from core_records.identity.numbers import (
    allocate_book_numbers,
    allocate_prison_number,
    find_person,
    prison_number_for,
)
from core_records.store.database import create_engine
from core_records.store.record_store import RecordStore
from tests.integration.core_records.examples import (
    crn,
    cro,
    message,
    particulars,
    pnc,
    reception,
)


def _receive(store: RecordStore, *identifiers: Identifier, prison: str = "LEI") -> str:
    [outcome] = store.apply([message(reception(particulars(*identifiers), prison))])
    assert outcome.person_key is not None, outcome.error
    return outcome.person_key


def _person_id(engine: sa.Engine, prison_number: str) -> int | None:
    with engine.connect() as connection:
        return find_person(connection, [Identifier(NOMS, prison_number)])


def test_a_person_is_found_by_any_strong_identifier_they_hold(
    store: RecordStore, engine: sa.Engine
) -> None:
    prison_number = _receive(store, pnc(1), cro(1), crn(1), Identifier("LOCAL", "g4s:AC-1"))
    expected = _person_id(engine, prison_number)
    with engine.connect() as connection:
        for identifier in (pnc(1), cro(1), crn(1), Identifier("LOCAL", "g4s:AC-1")):
            assert find_person(connection, [identifier]) == expected
        assert find_person(connection, [pnc(2)]) is None
        assert find_person(connection, []) is None


def test_a_weak_identifier_does_not_find_a_person(store: RecordStore, engine: sa.Engine) -> None:
    _receive(store, pnc(1), Identifier("NINO", "AB123456C"))
    with engine.connect() as connection:
        assert find_person(connection, [Identifier("NINO", "AB123456C")]) is None


def test_strong_identifiers_of_two_people_are_refused_naming_both_prison_numbers(
    store: RecordStore, engine: sa.Engine
) -> None:
    one, two = _receive(store, pnc(1)), _receive(store, cro(2), prison="MDI")
    first_person = _person_id(engine, one)
    with engine.connect() as connection:
        with pytest.raises(BusinessRuleViolation) as refused:
            find_person(connection, [cro(2), pnc(1)])
        assert find_person(connection, [pnc(1), pnc(1)]) == first_person
    # named strongest first: the PNC's holder, then the CRO's
    assert refused.value.reason.index(one) < refused.value.reason.index(two)


def test_allocation_skips_a_prison_number_a_partner_already_gave_someone(
    store: RecordStore, engine: sa.Engine
) -> None:
    with engine.connect() as connection:
        value = connection.execute(
            sa.text("SELECT coalesce(max(value), 0) FROM prison_number_sequence")
        ).scalar_one()
    next_number = prison_number_for(value + 1)
    _receive(store, Identifier(NOMS, next_number), pnc(1))
    with engine.begin() as connection:
        allocated = allocate_prison_number(connection)
    assert allocated == prison_number_for(value + 2)


@pytest.mark.postgres
def test_concurrent_writers_are_never_given_the_same_numbers(postgres_url: str) -> None:
    engines = [create_engine(postgres_url) for _ in range(4)]
    start = threading.Barrier(len(engines))
    allocated: list[str] = []

    def allocate(engine: sa.Engine) -> None:
        start.wait()
        for _ in range(5):
            with engine.begin() as connection:
                allocated.extend(allocate_book_numbers(connection, 10))
                allocated.append(allocate_prison_number(connection))

    threads = [threading.Thread(target=allocate, args=(engine,)) for engine in engines]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        for engine in engines:
            engine.dispose()
    assert len(allocated) == 4 * 5 * 11
    assert len(set(allocated)) == len(allocated)
