"""Whom an event may go to, decided centrally: the event types and security clearance of
each partner's policy, and the row scope of private-prison operators."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from adapters.base import SharingPolicy, carries_security_alert
from adapters.delius import adapter as delius
from adapters.private_prisons import adapter as private_prisons
from core_records.events import PRISONER_RECEIVED, PRISONER_RELEASED, CanonicalEvent
from core_records.identifiers import Identifier


def event_at(prison: str, event_type: str = PRISONER_RECEIVED, **extra: str) -> CanonicalEvent:
    return CanonicalEvent(
        event_type,
        datetime(2024, 5, 1, 9, 5, tzinfo=UTC),
        (Identifier("NOMS", "A1234BC"),),
        {"prisonId": prison, "reason": "NEW_ADMISSION", "movementReasonCode": "N", **extra},
    )


@pytest.mark.parametrize(
    ("prison", "operator"),
    [("DNI", "serco"), ("TSI", "serco"), ("FBI", "sodexo"), ("BZI", "sodexo"), ("OWI", "g4s")],
)
def test_an_operator_receives_events_at_its_own_prisons_only(prison: str, operator: str) -> None:
    assert private_prisons.recipients(event_at(prison)) == (operator,)


def test_an_event_at_a_public_prison_or_naming_no_prison_goes_to_no_operator() -> None:
    assert private_prisons.recipients(event_at("LEI")) == ()
    no_prison = replace(event_at("DNI"), additional_information={"reason": "RELEASED"})
    assert private_prisons.recipients(no_prison) == ()


def test_the_other_end_of_a_transfer_does_not_make_an_operator_a_recipient() -> None:
    leaving_public = event_at("LEI", PRISONER_RELEASED, toPrisonId="DNI")
    assert private_prisons.recipients(leaving_public) == ()


def test_probation_receives_events_from_every_prison() -> None:
    assert delius.recipients(event_at("LEI")) == ("delius",)
    assert delius.recipients(event_at("DNI")) == ("delius",)


@pytest.mark.parametrize(
    "marking", [{"alertType": "X"}, {"alertCode": "XEL"}, {"alertCode": "xsa"}]
)
def test_an_event_about_a_security_alert_reaches_no_partner_that_is_not_cleared(
    marking: dict[str, str],
) -> None:
    event = event_at("DNI", **marking)
    assert carries_security_alert(event)
    for adapter in (delius, private_prisons):
        assert adapter.recipients(event) == ()
        assert adapter.render(event) is None


def test_a_security_event_type_is_withheld_even_from_a_policy_that_names_it() -> None:
    careless = SharingPolicy(
        frozenset({"alert.security.created", "intelligence.flag.added"}), frozenset(), frozenset()
    )
    assert not careless.allows("alert.security.created")
    assert not careless.allows("intelligence.flag.added")
    cleared = replace(careless, security_cleared=True)
    assert cleared.allows("alert.security.created")
    assert cleared.permits(event_at("DNI", "alert.security.created", alertType="X"))


def test_an_ordinary_alert_is_not_taken_for_a_security_one() -> None:
    assert not carries_security_alert(event_at("DNI", alertType="H", alertCode="HA"))
