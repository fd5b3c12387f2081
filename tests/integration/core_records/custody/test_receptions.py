"""Receptions: a person comes into a prison (DOMAIN.md, "Movements")."""

from __future__ import annotations

import re
from datetime import date

from core_records.commands import PersonName
from core_records.errors import BusinessRuleViolation, InvalidMessage, UnknownReferenceCode
from core_records.events import PRISONER_RECEIVED
from core_records.identifiers import BOOKING, NOMS, Identifier
from core_records.store.record_store import RecordStore
from tests.integration.core_records.examples import (
    MONDAY,
    crn,
    cro,
    message,
    particulars,
    pnc,
    reception,
    release,
)


def _apply_one(store: RecordStore, *commands):  # type: ignore[no-untyped-def]
    [outcome] = store.apply([message(*commands)])
    return outcome


def test_a_new_person_gets_a_prison_number_and_is_received_as_a_new_admission(
    store: RecordStore,
) -> None:
    person = particulars(pnc(23456), cro(12345), surname="JONES", forenames="DAVID")
    outcome = _apply_one(store, reception(person, "LEI", "N", from_agency="LEEDMC"))

    assert outcome.status == "applied", outcome.error
    prison_number = outcome.person_key
    assert re.fullmatch(r"[A-Z][0-9]{4}[A-Z]{2}", prison_number)
    [event] = outcome.events
    assert event.event_type == PRISONER_RECEIVED
    assert event.occurred_at == MONDAY
    assert event.person_identifiers == (Identifier(NOMS, prison_number), pnc(23456), cro(12345))
    information = dict(event.additional_information)
    assert information.pop("bookingId") > 0
    assert re.fullmatch(r"[0-9]{1,6}[A-Z]", information.pop("bookNumber"))
    assert information == {
        "nomsNumber": prison_number,
        "prisonId": "LEI",
        "reason": "NEW_ADMISSION",
        "movementType": "ADM",
        "movementReasonCode": "N",
        "nomisMovementReasonCode": "N",
        "currentLocation": "IN_PRISON",
        "currentPrisonStatus": "UNDER_PRISON_CARE",
        "fromAgency": "LEEDMC",
        "person": {
            "surname": "JONES",
            "forenames": "DAVID",
            "dateOfBirth": person.date_of_birth.isoformat(),
            "sex": person.sex,
        },
    }


def test_a_received_person_is_in_prison_and_in_our_care_with_a_booking_and_a_movement(
    store: RecordStore,
) -> None:
    alias = PersonName(surname="JONES", forenames="DAI", name_type="A")
    person = particulars(pnc(23456), crn(757129), aliases=(alias,), born=date(1985, 4, 12))
    outcome = _apply_one(store, reception(person, "MDI", "I", legal_status="SENTENCED"))

    view = store.person_view(pnc(23456))
    assert view is not None
    assert view["prisonNumber"] == outcome.person_key
    assert view["version"] == 1
    assert (view["custodyStatus"], view["careStatus"]) == ("IN_PRISON", "UNDER_PRISON_CARE")
    assert (view["establishment"], view["legalStatus"]) == ("MDI", "SENTENCED")
    assert (view["dateOfBirth"], view["sex"]) == ("1985-04-12", "M")
    assert [n["nameType"] for n in view["names"]] == ["CN", "A"]
    [booking] = view["bookings"]
    assert booking["active"] and booking["establishment"] == "MDI"
    assert {"type": BOOKING, "value": booking["bookNumber"]} in view["identifiers"]
    assert {"type": "CRN", "value": "X757129"} in view["identifiers"]
    [movement] = view["movements"]
    assert movement["movementType"] == "ADM" and movement["direction"] == "IN"
    assert (movement["reasonCode"], movement["toAgency"]) == ("I", "MDI")
    assert movement["occurredAt"] == MONDAY.isoformat()


def test_two_new_people_get_different_prison_numbers(store: RecordStore) -> None:
    outcomes = store.apply(
        [message(reception(particulars(pnc(1)))), message(reception(particulars(pnc(2))))]
    )
    numbers = {outcome.person_key for outcome in outcomes}
    assert len(numbers) == 2 and None not in numbers


def test_a_person_released_earlier_is_received_again_as_a_readmission(
    store: RecordStore,
) -> None:
    first = _apply_one(store, reception(particulars(pnc(23456))))
    _apply_one(store, release(pnc(23456)))
    again = _apply_one(store, reception(particulars(pnc(23456), crn(111)), "BXI", "L"))

    assert again.status == "applied", again.error
    assert again.person_key == first.person_key
    [event] = again.events
    assert event.additional_information["reason"] == "READMISSION"
    assert event.additional_information["prisonId"] == "BXI"
    assert crn(111) in event.person_identifiers
    view = store.person_view(Identifier(NOMS, first.person_key))
    assert view is not None
    assert view["version"] == 3
    assert [b["active"] for b in view["bookings"]] == [False, True]
    assert view["establishment"] == "BXI"


def test_a_reception_by_transfer_in_is_reported_as_transferred(store: RecordStore) -> None:
    _apply_one(store, reception(particulars(pnc(23456))))
    _apply_one(store, release(pnc(23456)))
    outcome = _apply_one(store, reception(particulars(pnc(23456)), "WWI", "INT", from_agency="LEI"))
    assert outcome.events[0].additional_information["reason"] == "TRANSFERRED"


def test_a_person_already_in_custody_cannot_be_received_again(store: RecordStore) -> None:
    first = _apply_one(store, reception(particulars(pnc(23456))))
    outcome = _apply_one(store, reception(particulars(pnc(23456)), "MDI"))
    assert outcome.status == "rejected"
    assert isinstance(outcome.error, BusinessRuleViolation)
    assert outcome.error.reason == f"{first.person_key} is already in custody at LEI"


def test_a_partners_own_prison_number_is_kept_for_a_new_person(store: RecordStore) -> None:
    outcome = _apply_one(store, reception(particulars(Identifier(NOMS, "G4572UX"), pnc(9))))
    assert outcome.person_key == "G4572UX"
    assert store.person_view(pnc(9))["prisonNumber"] == "G4572UX"  # type: ignore[index]


def test_identifiers_of_two_different_people_are_refused_naming_both(store: RecordStore) -> None:
    one = _apply_one(store, reception(particulars(pnc(1)))).person_key
    two = _apply_one(store, reception(particulars(cro(2)), "MDI")).person_key
    _apply_one(store, release(pnc(1)))
    outcome = _apply_one(store, reception(particulars(pnc(1), cro(2))))
    assert outcome.status == "rejected"
    assert one in outcome.error.reason and two in outcome.error.reason


def test_a_reception_with_an_unknown_code_is_refused_for_good(store: RecordStore) -> None:
    refused = {
        ("prison", "XXI"): reception(particulars(pnc(1)), "XXI"),
        ("prison", "LEEDMC"): reception(particulars(pnc(1)), "LEEDMC"),
        ("ADM movement reason", "CR"): reception(particulars(pnc(1)), reason_code="CR"),
        ("agency", "NOWHERE"): reception(particulars(pnc(1)), from_agency="NOWHERE"),
        ("legal status", "FREE"): reception(particulars(pnc(1)), legal_status="FREE"),
    }
    for (kind, code), command in refused.items():
        outcome = _apply_one(store, command)
        assert outcome.status == "rejected"
        assert isinstance(outcome.error, UnknownReferenceCode)
        assert (outcome.error.kind, outcome.error.code) == (kind, code)
    assert store.person_view(pnc(1)) is None


def test_a_reception_without_a_time_zone_is_refused(store: RecordStore) -> None:
    outcome = _apply_one(store, reception(particulars(pnc(1)), at=MONDAY.replace(tzinfo=None)))
    assert isinstance(outcome.error, InvalidMessage)
    assert "no UTC offset" in outcome.error.reason


def test_a_partners_own_book_number_opens_the_booking(store: RecordStore) -> None:
    outcome = _apply_one(store, reception(particulars(pnc(9), Identifier(BOOKING, "51132A"))))
    assert outcome.events[0].additional_information["bookNumber"] == "51132A"
    assert store.person_view(Identifier(BOOKING, "51132A"))["prisonNumber"] == outcome.person_key  # type: ignore[index]


def test_an_identifier_recorded_against_someone_else_is_refused(store: RecordStore) -> None:
    holder = _apply_one(store, reception(particulars(pnc(1), Identifier("NINO", "AB123456C"))))
    outcome = _apply_one(store, reception(particulars(pnc(2), Identifier("NINO", "AB123456C"))))
    assert outcome.status == "rejected"
    assert outcome.error.reason == (
        f"NINO AB123456C is recorded against {holder.person_key}, not the person received"
    )
