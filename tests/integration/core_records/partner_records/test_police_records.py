"""What PNC tells the store: ids assigned, lookups answered, records amended and merged.
On SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from core_records.commands import (
    AmendPoliceRecord,
    AssignPoliceIdentifiers,
    MergePoliceRecords,
    PersonName,
    RecordPoliceLookup,
)
from core_records.errors import BusinessRuleViolation
from core_records.events import POLICE_IDENTIFIERS_CHANGED
from core_records.identifiers import CRO, NOMS, PNC, Identifier
from core_records.partner_records.intelligence_tables import police_lookup
from core_records.partner_records.police_lookups import awaiting_pnc
from core_records.store.record_store import RecordStore
from tests.integration.core_records.examples import (
    MONDAY,
    cro,
    message,
    particulars,
    pnc,
    reception,
)


def _receive(
    store: RecordStore, *identifiers: Identifier, surname: str = "SMITH", **given: Any
) -> Identifier:
    """A person received; ``given`` are more of their particulars (forenames, born)."""
    [outcome] = store.apply(
        [message(reception(particulars(*identifiers, surname=surname, **given)))]
    )
    assert outcome.status == "applied", outcome.error
    return Identifier(NOMS, outcome.person_key)


def _apply(store: RecordStore, command):  # type: ignore[no-untyped-def]
    [outcome] = store.apply([message(command)])
    return outcome


def _ids(store: RecordStore, person: Identifier, identifier_type: str) -> list[str]:
    view = store.person_view(person)
    assert view is not None
    return [i["value"] for i in view["identifiers"] if i["type"] == identifier_type]


def test_pnc_assigning_ids_puts_them_on_the_person_and_says_so(store: RecordStore) -> None:
    person = _receive(store)
    outcome = _apply(store, AssignPoliceIdentifiers((person,), pnc(23456), cro(12345), MONDAY))

    assert outcome.status == "applied", outcome.error
    [event] = outcome.events
    assert event.event_type == POLICE_IDENTIFIERS_CHANGED
    assert event.additional_information == {"nomsNumber": person.value, "reason": "ASSIGNED"}
    assert event.person_identifiers == (person, pnc(23456), cro(12345))
    assert _ids(store, person, PNC) == [pnc(23456).value]
    assert _ids(store, person, CRO) == [cro(12345).value]


def test_the_same_assignment_twice_changes_nothing_the_second_time(store: RecordStore) -> None:
    person = _receive(store)
    command = AssignPoliceIdentifiers((person,), pnc(23456), None, MONDAY)
    assert _apply(store, command).events
    again = _apply(store, command)
    assert (again.status, again.events) == ("applied", ())


def test_a_pnc_id_held_by_someone_else_is_refused_not_moved(store: RecordStore) -> None:
    _receive(store, pnc(23456), surname="JONES")
    other = _receive(store)
    outcome = _apply(store, AssignPoliceIdentifiers((other,), pnc(23456), None, MONDAY))
    assert outcome.status == "rejected"
    assert isinstance(outcome.error, BusinessRuleViolation)
    assert "is recorded against" in outcome.error.reason
    assert _ids(store, other, PNC) == []


def test_a_second_different_pnc_id_is_refused(store: RecordStore) -> None:
    person = _receive(store, pnc(23456))
    outcome = _apply(store, AssignPoliceIdentifiers((person,), pnc(99), None, MONDAY))
    assert outcome.status == "rejected"
    assert "already has PNC" in outcome.error.reason


def test_an_assignment_for_someone_not_on_record_is_refused(store: RecordStore) -> None:
    nobody = Identifier(NOMS, "Z9999ZZ")
    outcome = _apply(store, AssignPoliceIdentifiers((nobody,), pnc(23456), None, MONDAY))
    assert outcome.status == "rejected"
    assert "no person on record has NOMS Z9999ZZ" in outcome.error.reason


def _lookups(store: RecordStore) -> list[tuple[str, str, str | None]]:
    with store.engine.connect() as connection:
        rows = connection.execute(
            sa.select(
                police_lookup.c.prison_number, police_lookup.c.outcome, police_lookup.c.pnc_id
            ).order_by(police_lookup.c.id)
        )
        return [tuple(row) for row in rows]


def test_a_lookup_answered_found_assigns_the_ids_and_is_recorded(store: RecordStore) -> None:
    person = _receive(store)
    outcome = _apply(store, RecordPoliceLookup((person,), "FOUND", pnc(5), cro(6), MONDAY))
    assert outcome.status == "applied", outcome.error
    assert outcome.events[0].additional_information["reason"] == "LOOKUP"
    assert _ids(store, person, PNC) == [pnc(5).value]
    assert _lookups(store) == [(person.value, "FOUND", pnc(5).value)]


def test_a_lookup_answered_not_found_is_recorded_and_changes_no_ids(store: RecordStore) -> None:
    person = _receive(store)
    outcome = _apply(store, RecordPoliceLookup((person,), "NOT_FOUND", None, None, MONDAY))
    assert (outcome.status, outcome.events) == ("applied", ())
    assert _ids(store, person, PNC) == []
    assert _lookups(store) == [(person.value, "NOT_FOUND", None)]


def test_an_amendment_replaces_the_cro_number_and_keeps_new_names_as_aliases(
    store: RecordStore,
) -> None:
    person = _receive(store, pnc(23456), cro(12345), forenames="JOHN PAUL")
    command = AmendPoliceRecord(
        (pnc(23456),),
        cro(777),
        (PersonName("SMYTHE", "JON", "A"), PersonName("SMITH", "JOHN PAUL", "A")),
        MONDAY,
    )
    outcome = _apply(store, command)
    assert outcome.status == "applied", outcome.error
    assert outcome.events[0].additional_information["croNumber"] == cro(777).value
    assert _ids(store, person, CRO) == [cro(777).value]
    names = store.person_view(person)["names"]  # type: ignore[index]
    assert {"nameType": "A", "surname": "SMYTHE", "forenames": "JON"} in names
    # The current name is not recorded again as an alias.
    assert [n for n in names if n["surname"] == "SMITH"] == [
        {"nameType": "CN", "surname": "SMITH", "forenames": "JOHN PAUL"}
    ]


def test_a_merge_gives_the_person_the_retained_pnc_id(store: RecordStore) -> None:
    person = _receive(store, pnc(23456))
    outcome = _apply(store, MergePoliceRecords((pnc(1), pnc(23456)), pnc(1), pnc(23456), MONDAY))
    assert outcome.status == "applied", outcome.error
    [event] = outcome.events
    assert event.additional_information["mergedPncId"] == pnc(23456).value
    assert pnc(1) in event.person_identifiers
    assert _ids(store, person, PNC) == [pnc(1).value]
    # The merged id no longer names anyone: the next reception by it is someone new.
    assert _receive(store, pnc(23456), surname="NEW") != person


def test_a_merge_of_two_people_the_prison_holds_apart_is_refused(store: RecordStore) -> None:
    _receive(store, pnc(1), surname="JONES")
    _receive(store, pnc(23456))
    outcome = _apply(store, MergePoliceRecords((pnc(1), pnc(23456)), pnc(1), pnc(23456), MONDAY))
    assert outcome.status == "rejected"
    assert "is recorded against" in outcome.error.reason


def test_a_merge_of_records_the_hub_does_not_hold_changes_nothing(store: RecordStore) -> None:
    outcome = _apply(store, MergePoliceRecords((pnc(1), pnc(2)), pnc(1), pnc(2), MONDAY))
    assert (outcome.status, outcome.events) == ("applied", ())


def test_who_is_waiting_for_pnc_is_whoever_in_prison_has_no_pnc_id_and_no_answer(
    store: RecordStore,
) -> None:
    # Born years apart, so that the identity matcher takes none of them for another.
    waiting = _receive(store, surname="WAITING", born=date(1970, 1, 1))
    _receive(store, pnc(23456), surname="KNOWN")
    not_found = _receive(store, surname="UNKNOWN", born=date(1980, 1, 1))
    _apply(store, RecordPoliceLookup((not_found,), "NOT_FOUND", None, None, MONDAY))
    found = _receive(store, surname="FOUND", born=date(1990, 1, 1))
    _apply(store, RecordPoliceLookup((found,), "FOUND", pnc(5), None, MONDAY))

    after = MONDAY + timedelta(minutes=31)
    assert [a.prison_number for a in awaiting_pnc(store.engine, received_before=after)] == [
        waiting.value
    ]
    assert awaiting_pnc(store.engine, received_before=MONDAY) == []
