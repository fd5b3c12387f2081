"""What the security application tells the store: security alerts raised and closed,
intelligence flags. Kept apart from the person record, idempotent by their reference."""

from __future__ import annotations

from adapters.base import is_security_event_type
from core_records.commands import RecordIntelligenceFlag, RecordSecurityAlert
from core_records.errors import BusinessRuleViolation, UnknownReferenceCode
from core_records.events import (
    INTELLIGENCE_FLAG_RAISED,
    SECURITY_ALERT_CLOSED,
    SECURITY_ALERT_RAISED,
)
from core_records.identifiers import NOMS, Identifier
from core_records.partner_records.intelligence_tables import intelligence_flag, security_alert
from core_records.store.record_store import RecordStore
from tests.integration.core_records.examples import (
    MONDAY,
    message,
    particulars,
    pnc,
    reception,
    row_counts,
)


def _receive(store: RecordStore) -> Identifier:
    [outcome] = store.apply([message(reception(particulars(pnc(23456))))])
    return Identifier(NOMS, outcome.person_key)


def _apply(store: RecordStore, command):  # type: ignore[no-untyped-def]
    [outcome] = store.apply([message(command)])
    return outcome


def test_a_security_alert_is_raised_once_and_closed_once(store: RecordStore) -> None:
    person = _receive(store)
    raise_it = RecordSecurityAlert((person,), "SEC-1", "XEL", True, MONDAY)
    [raised] = _apply(store, raise_it).events
    assert raised.event_type == SECURITY_ALERT_RAISED
    assert raised.additional_information == {
        "nomsNumber": person.value,
        "alertType": "X",
        "alertCode": "XEL",
        "alertReference": "SEC-1",
    }
    assert raised.person_identifiers == (person, pnc(23456))
    assert _apply(store, raise_it).events == ()

    close_it = RecordSecurityAlert((person,), "SEC-1", "XEL", False, MONDAY)
    [closed] = _apply(store, close_it).events
    assert closed.event_type == SECURITY_ALERT_CLOSED
    assert _apply(store, close_it).events == ()
    assert row_counts(store.engine, security_alert) == {"security_alert": 1}


def test_only_a_security_alert_code_is_accepted(store: RecordStore) -> None:
    person = _receive(store)
    outcome = _apply(store, RecordSecurityAlert((person,), "SEC-2", "HA", True, MONDAY))
    assert outcome.status == "rejected"
    assert isinstance(outcome.error, UnknownReferenceCode)
    assert "alert type X" in outcome.error.reason


def test_closing_an_alert_never_raised_is_refused(store: RecordStore) -> None:
    person = _receive(store)
    outcome = _apply(store, RecordSecurityAlert((person,), "SEC-3", "XEL", False, MONDAY))
    assert outcome.status == "rejected"
    assert isinstance(outcome.error, BusinessRuleViolation)


def test_an_intelligence_flag_is_stored_once(store: RecordStore) -> None:
    person = _receive(store)
    command = RecordIntelligenceFlag((person,), "INT-9", "DRUG_SUPPLY", "B2", MONDAY)
    [event] = _apply(store, command).events
    assert event.event_type == INTELLIGENCE_FLAG_RAISED
    assert event.additional_information["grading"] == "B2"
    assert _apply(store, command).events == ()
    assert row_counts(store.engine, intelligence_flag) == {"intelligence_flag": 1}


def test_the_events_are_security_classified_and_the_person_view_shows_none_of_it(
    store: RecordStore,
) -> None:
    person = _receive(store)
    alert = _apply(store, RecordSecurityAlert((person,), "SEC-4", "XSA", True, MONDAY))
    flag = _apply(store, RecordIntelligenceFlag((person,), "INT-4", "GANG", "A1", MONDAY))
    types = [event.event_type for event in (*alert.events, *flag.events)]
    assert types == [SECURITY_ALERT_RAISED, INTELLIGENCE_FLAG_RAISED]
    assert all(is_security_event_type(t) for t in types), types
    text = repr(store.person_view(person))
    assert "XSA" not in text and "GANG" not in text and "SEC-4" not in text
