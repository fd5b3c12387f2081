"""Court and temporary-absence movements, and what a court's result does to the record: out
and back in the prison's care, released at court, received on a warrant or a remand."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from core_records.custody.temporary_movements import (
    RecordReleaseWhileAway,
    RecordTemporaryMovementIn,
    RecordTemporaryMovementOut,
)
from core_records.errors import BusinessRuleViolation
from core_records.events import COURT_HEARING_LISTED, PRISONER_RECEIVED, PRISONER_RELEASED
from core_records.identifiers import NOMS, Identifier
from core_records.partner_records.courts import RecordHearingResult, RecordListedHearing
from core_records.store.record_store import ApplyOutcome, RecordStore
from core_records.tables import court_hearing, court_result
from tests.integration.core_records.examples import MONDAY, message, particulars, pnc, reception

LATER = MONDAY + timedelta(hours=3)


def _apply(store: RecordStore, *commands: object) -> ApplyOutcome:
    [outcome] = store.apply([message(*commands)])  # type: ignore[arg-type]
    return outcome


@pytest.fixture
def in_leeds(store: RecordStore) -> str:
    outcome = _apply(store, reception(particulars(pnc(23456)), "LEI"))
    assert outcome.person_key is not None
    return outcome.person_key


def _status(store: RecordStore, prison_number: str) -> tuple[str, str, str | None]:
    view = store.person_view(Identifier(NOMS, prison_number))
    assert view is not None
    return view["custodyStatus"], view["careStatus"], view["establishment"]


def test_on_temporary_absence_a_person_stays_in_the_prisons_care_and_comes_back(
    store: RecordStore, in_leeds: str
) -> None:
    who = (pnc(23456),)
    out = _apply(store, RecordTemporaryMovementOut(who, "LEI", "TAP", "C3", MONDAY))
    assert out.status == "applied", out.error
    [event] = out.events
    assert event.event_type == PRISONER_RELEASED
    assert dict(event.additional_information) == {
        "nomsNumber": in_leeds, "prisonId": "LEI", "reason": "TEMPORARY_ABSENCE_RELEASE",
        "movementType": "TAP", "movementReasonCode": "C3", "nomisMovementReasonCode": "C3",
        "currentLocation": "OUTSIDE_PRISON", "currentPrisonStatus": "UNDER_PRISON_CARE",
    }  # fmt: skip
    assert _status(store, in_leeds) == ("OUTSIDE_PRISON", "UNDER_PRISON_CARE", "LEI")

    # Away is still in custody: no second reception, no second trip out.
    again = _apply(store, reception(particulars(pnc(23456)), "MDI"))
    assert again.status == "rejected" and isinstance(again.error, BusinessRuleViolation)
    twice = _apply(store, RecordTemporaryMovementOut(who, "LEI", "TAP", "C3", LATER))
    assert twice.status == "rejected"

    back = _apply(store, RecordTemporaryMovementIn(who, "LEI", "TAP", "C3", LATER))
    assert back.status == "applied", back.error
    [event] = back.events
    assert event.event_type == PRISONER_RECEIVED
    assert event.additional_information["reason"] == "TEMPORARY_ABSENCE_RETURN"
    assert event.additional_information["currentLocation"] == "IN_PRISON"
    assert _status(store, in_leeds) == ("IN_PRISON", "UNDER_PRISON_CARE", "LEI")


def test_a_return_to_another_prison_or_of_someone_not_away_is_refused(
    store: RecordStore, in_leeds: str
) -> None:
    who = (pnc(23456),)
    not_away = _apply(store, RecordTemporaryMovementIn(who, "LEI", "CRT", "REM", MONDAY))
    assert not_away.status == "rejected"
    assert "no one away from LEI" in str(not_away.error)
    _apply(store, RecordTemporaryMovementOut(who, "LEI", "CRT", "CRT", MONDAY, "LEEDMC"))
    elsewhere = _apply(store, RecordTemporaryMovementIn(who, "MDI", "CRT", "REM", LATER))
    assert elsewhere.status == "rejected"
    wrong_type = _apply(store, RecordTemporaryMovementIn(who, "LEI", "TRN", "NOTR", LATER))
    assert wrong_type.status == "rejected"


def test_a_release_at_court_ends_the_booking_and_the_prisons_care(
    store: RecordStore, in_leeds: str
) -> None:
    who = (pnc(23456),)
    _apply(store, RecordTemporaryMovementOut(who, "LEI", "CRT", "CRT", MONDAY, "LEEDMC"))
    released = _apply(store, RecordReleaseWhileAway(who, "LEI", "BL", LATER, "LEEDMC"))
    assert released.status == "applied", released.error
    [event] = released.events
    assert (event.additional_information["reason"], event.additional_information["toAgency"]) == (
        "RELEASED", "LEEDMC",
    )  # fmt: skip
    assert event.additional_information["currentPrisonStatus"] == "NOT_UNDER_PRISON_CARE"
    assert _status(store, in_leeds) == ("OUTSIDE_PRISON", "NOT_UNDER_PRISON_CARE", None)
    # Out of custody now: a new reception is allowed.
    assert _apply(store, reception(particulars(pnc(23456)), "MDI")).status == "applied"


def _result(outcome: str, **values: object) -> RecordHearingResult:
    person = particulars(pnc(34567))
    return RecordHearingResult(
        person=person.identifiers, particulars=person, court="LEEDCC",
        case_reference="T1", outcome=outcome, occurred_at=LATER, **values,  # type: ignore[arg-type]
    )  # fmt: skip


def test_a_custodial_result_for_someone_not_held_receives_them_and_a_bail_records_nothing(
    store: RecordStore, engine: sa.Engine
) -> None:
    bailed = _apply(store, _result("BAILED"))
    assert (bailed.status, bailed.events) == ("applied", ())
    refused = _apply(store, _result("REMANDED_IN_CUSTODY"))
    assert refused.status == "rejected" and "committed to" in str(refused.error)

    sentenced = _apply(
        store, _result("SENTENCED", committed_to="LEI", key_dates=(("SED", date(2027, 1, 1)),))
    )
    assert sentenced.status == "applied", sentenced.error
    assert [e.event_type for e in sentenced.events] == [
        "prisoner.received", "prisoner.sentence-dates-changed",
    ]  # fmt: skip
    received = sentenced.events[0].additional_information
    assert (received["reason"], received["movementReasonCode"], received["fromAgency"]) == (
        "NEW_ADMISSION", "I", "LEEDCC",
    )  # fmt: skip
    with engine.connect() as connection:
        outcomes = connection.execute(
            sa.select(court_result.c.outcome, court_result.c.person_id.is_(None)).order_by(
                court_result.c.id
            )
        ).all()
    assert [tuple(o) for o in outcomes] == [("BAILED", True), ("SENTENCED", False)]


def test_a_listing_tells_the_court_of_a_person_held_and_of_no_one_else(
    store: RecordStore, in_leeds: str, engine: sa.Engine
) -> None:
    held = RecordListedHearing((pnc(23456),), "LEEDCC", date(2025, 3, 4), "T9", MONDAY)
    unknown = RecordListedHearing((pnc(45678),), "LEEDCC", date(2025, 3, 4), "T10", MONDAY)
    outcome = _apply(store, held, unknown)
    assert outcome.status == "applied", outcome.error
    [event] = outcome.events
    assert event.event_type == COURT_HEARING_LISTED
    assert dict(event.additional_information) == {
        "nomsNumber": in_leeds, "prisonId": "LEI", "courtId": "LEEDCC",
        "hearingDate": "2025-03-04", "caseReference": "T9", "currentLocation": "IN_PRISON",
        "currentPrisonStatus": "UNDER_PRISON_CARE",
    }  # fmt: skip
    with engine.connect() as connection:
        assert (
            connection.execute(sa.select(sa.func.count()).select_from(court_hearing)).scalar() == 2
        )
    not_a_court = RecordListedHearing((pnc(23456),), "LEI", date(2025, 3, 4), "T9", MONDAY)
    assert _apply(store, not_a_court).status == "rejected"
