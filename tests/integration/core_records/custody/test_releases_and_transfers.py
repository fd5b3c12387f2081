"""Releases and transfers: a person leaves a prison, for outside or for another prison."""

from __future__ import annotations

import pytest

from core_records.errors import BusinessRuleViolation, UnknownReferenceCode
from core_records.events import PRISONER_RECEIVED, PRISONER_RELEASED
from core_records.identifiers import NOMS, Identifier
from core_records.store.record_store import ApplyOutcome, RecordStore
from tests.integration.core_records.examples import (
    MONDAY,
    message,
    particulars,
    pnc,
    reception,
    release,
    transfer,
)


def _apply_one(store: RecordStore, command: object) -> ApplyOutcome:
    [outcome] = store.apply([message(command)])  # type: ignore[arg-type]
    return outcome


@pytest.fixture
def in_leeds(store: RecordStore) -> str:
    """The prison number of a person received into Leeds (LEI)."""
    outcome = _apply_one(store, reception(particulars(pnc(23456)), "LEI"))
    assert outcome.person_key is not None
    return outcome.person_key


def test_a_released_person_is_out_of_prison_and_out_of_our_care(
    store: RecordStore, in_leeds: str
) -> None:
    outcome = _apply_one(store, release(pnc(23456), establishment="LEI", reason_code="SC"))

    assert outcome.status == "applied", outcome.error
    [event] = outcome.events
    assert event.event_type == PRISONER_RELEASED
    assert event.person_identifiers == (Identifier(NOMS, in_leeds), pnc(23456))
    assert dict(event.additional_information) == {
        "nomsNumber": in_leeds,
        "prisonId": "LEI",
        "reason": "RELEASED",
        "movementType": "REL",
        "movementReasonCode": "SC",
        "nomisMovementReasonCode": "SC",
        "currentLocation": "OUTSIDE_PRISON",
        "currentPrisonStatus": "NOT_UNDER_PRISON_CARE",
    }
    view = store.person_view(Identifier(NOMS, in_leeds))
    assert view is not None
    assert (view["custodyStatus"], view["careStatus"]) == (
        "OUTSIDE_PRISON",
        "NOT_UNDER_PRISON_CARE",
    )
    assert view["establishment"] is None
    [booking] = view["bookings"]
    assert not booking["active"] and booking["endedAt"] is not None
    assert [(m["movementType"], m["direction"]) for m in view["movements"]] == [
        ("ADM", "IN"),
        ("REL", "OUT"),
    ]


def test_a_discharge_to_hospital_is_reported_as_released_to_hospital(
    store: RecordStore, in_leeds: str
) -> None:
    outcome = _apply_one(store, release(pnc(23456), reason_code="HP", to_agency="RAMPTN"))
    information = outcome.events[0].additional_information
    assert (information["reason"], information["toAgency"]) == ("RELEASED_TO_HOSPITAL", "RAMPTN")


def test_a_person_can_be_released_only_from_the_prison_they_are_in(
    store: RecordStore, in_leeds: str
) -> None:
    outcome = _apply_one(store, release(pnc(23456), establishment="MDI"))
    assert isinstance(outcome.error, BusinessRuleViolation)
    assert outcome.error.reason == f"no one in custody at MDI has PNC {pnc(23456).value}"
    assert store.person_view(pnc(23456))["custodyStatus"] == "IN_PRISON"  # type: ignore[index]


def test_a_refused_release_does_not_say_whether_or_where_the_person_is_held(
    store: RecordStore, in_leeds: str
) -> None:
    """The reason goes back to the sending partner: held elsewhere, released or never on
    record must read alike, or an operator could learn where a person is."""
    elsewhere = _apply_one(store, release(pnc(23456), establishment="MDI"))
    assert _apply_one(store, release(pnc(23456))).status == "applied"
    released = _apply_one(store, release(pnc(23456), establishment="MDI"))
    unknown = _apply_one(store, release(pnc(777), establishment="MDI"))

    reasons = [o.error.reason for o in (elsewhere, released, unknown) if o.error is not None]
    assert reasons == [
        f"no one in custody at MDI has PNC {pnc(23456).value}",
        f"no one in custody at MDI has PNC {pnc(23456).value}",
        f"no one in custody at MDI has PNC {pnc(777).value}",
    ]
    assert all(in_leeds not in reason and "LEI" not in reason for reason in reasons)


def test_a_release_needs_a_release_reason(store: RecordStore, in_leeds: str) -> None:
    outcome = _apply_one(store, release(pnc(23456), reason_code="NOTR"))
    assert isinstance(outcome.error, UnknownReferenceCode)
    assert outcome.error.kind == "REL movement reason"


def test_a_transfer_is_a_release_from_one_prison_then_a_reception_into_the_other(
    store: RecordStore, in_leeds: str
) -> None:
    outcome = _apply_one(
        store, transfer(pnc(23456), from_establishment="LEI", to_establishment="MDI")
    )

    assert outcome.status == "applied", outcome.error
    released, received = outcome.events
    assert (released.event_type, received.event_type) == (PRISONER_RELEASED, PRISONER_RECEIVED)
    common = {
        "nomsNumber": in_leeds,
        "reason": "TRANSFERRED",
        "movementType": "TRN",
        "nomisMovementReasonCode": "NOTR",
        # The transfer's two halves both say where the person is once it is done.
        "currentLocation": "IN_PRISON",
        "currentPrisonStatus": "UNDER_PRISON_CARE",
    }
    assert dict(released.additional_information) == {
        **common,
        "movementReasonCode": "NOTR",
        "prisonId": "LEI",
        "toPrisonId": "MDI",
    }
    assert dict(received.additional_information) == {
        **common,
        "movementReasonCode": "NOTR",
        "prisonId": "MDI",
        "fromPrisonId": "LEI",
    }
    [published_first, published_second] = store.unpublished_events()[-2:]
    assert published_first.event.event_id == released.event_id
    assert published_second.event.event_id == received.event_id


def test_a_transferred_person_keeps_the_same_booking_at_the_new_prison(
    store: RecordStore, in_leeds: str
) -> None:
    _apply_one(store, transfer(pnc(23456), reason_code="SEC"))
    view = store.person_view(pnc(23456))
    assert view is not None
    assert (view["custodyStatus"], view["establishment"], view["version"]) == (
        "IN_PRISON",
        "MDI",
        2,
    )
    [booking] = view["bookings"]
    assert booking["active"] and booking["establishment"] == "MDI"
    trn = [(m["direction"], m["fromAgency"], m["toAgency"]) for m in view["movements"][1:]]
    assert trn == [("OUT", "LEI", "MDI"), ("IN", "LEI", "MDI")]
    # and can be released from there, not from where they were before
    assert _apply_one(store, release(pnc(23456), establishment="LEI")).status == "rejected"
    assert _apply_one(store, release(pnc(23456), establishment="MDI")).status == "applied"


def test_a_transfer_the_record_does_not_allow_is_refused(store: RecordStore, in_leeds: str) -> None:
    refused = {
        "no one in custody at MDI has PNC": transfer(
            pnc(23456), from_establishment="MDI", to_establishment="BXI"
        ),
        "must go to another prison": transfer(pnc(23456), to_establishment="LEI"),
        "unknown prison code 'LEEDMC'": transfer(pnc(23456), to_establishment="LEEDMC"),
        "unknown TRN movement reason code 'CR'": transfer(pnc(23456), reason_code="CR"),
        f"no one in custody at LEI has PNC {pnc(999).value}": transfer(pnc(999)),
    }
    for why, command in refused.items():
        outcome = _apply_one(store, command)
        assert outcome.status == "rejected"
        assert outcome.error is not None and why in outcome.error.reason
    assert store.person_view(pnc(23456))["establishment"] == "LEI"  # type: ignore[index]


def test_movements_keep_the_time_they_happened_at(store: RecordStore, in_leeds: str) -> None:
    outcome = _apply_one(store, release(pnc(23456), at=MONDAY.replace(hour=17)))
    assert outcome.events[0].occurred_at == MONDAY.replace(hour=17)
