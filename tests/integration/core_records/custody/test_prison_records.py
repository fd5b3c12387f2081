"""What a prison records about the people it holds: incentive reviews, alerts raised and
closed, the arriving end of a transfer, and a death in custody, which closes the record."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from core_records.custody.prison_records import (
    RecordIncentiveReview,
    RecordPrisonAlert,
    RecordTransferIn,
)
from core_records.errors import BusinessRuleViolation
from core_records.events import (
    ALERT_CREATED,
    ALERT_INACTIVE,
    INCENTIVE_LEVEL_CHANGED,
    PRISONER_RECEIVED,
)
from core_records.identifiers import NOMS, Identifier
from core_records.store.record_store import ApplyOutcome, RecordStore
from core_records.tables import alert, incentive_review, person
from tests.integration.core_records.examples import (
    MONDAY,
    message,
    particulars,
    pnc,
    reception,
    release,
    transfer,
)

LATER = MONDAY + timedelta(hours=3)
WHO = (pnc(23456),)


def _apply(store: RecordStore, *commands: object) -> ApplyOutcome:
    [outcome] = store.apply([message(*commands)])  # type: ignore[arg-type]
    return outcome


@pytest.fixture
def in_leeds(store: RecordStore) -> str:
    outcome = _apply(store, reception(particulars(pnc(23456)), "LEI"))
    assert outcome.person_key is not None
    return outcome.person_key


def test_a_new_incentive_level_is_the_persons_level_and_is_announced_once(
    store: RecordStore, engine: sa.Engine, in_leeds: str
) -> None:
    first = _apply(store, RecordIncentiveReview(WHO, "LEI", "ENH", MONDAY))
    assert first.status == "applied", first.error
    [event] = first.events
    assert event.event_type == INCENTIVE_LEVEL_CHANGED
    assert dict(event.additional_information) == {
        "nomsNumber": in_leeds, "prisonId": "LEI", "incentiveLevel": "ENH",
    }  # fmt: skip
    kept = _apply(store, RecordIncentiveReview(WHO, "LEI", "ENH", LATER))
    assert kept.status == "applied" and kept.events == ()
    down = _apply(store, RecordIncentiveReview(WHO, "LEI", "BAS", LATER + timedelta(days=1)))
    assert down.events[0].additional_information["previousIncentiveLevel"] == "ENH"
    with engine.connect() as connection:
        assert connection.execute(sa.select(person.c.incentive_level)).scalar_one() == "BAS"
        reviews = sa.select(sa.func.count()).select_from(incentive_review)
        assert connection.execute(reviews).scalar_one() == 3


def test_a_review_for_someone_held_elsewhere_is_refused(store: RecordStore, in_leeds: str) -> None:
    elsewhere = _apply(store, RecordIncentiveReview(WHO, "MDI", "ENH", MONDAY))
    assert elsewhere.status == "rejected"
    assert "no one in custody at MDI" in str(elsewhere.error)


def test_an_alert_is_raised_then_closed_and_a_resent_flag_changes_nothing(
    store: RecordStore, engine: sa.Engine, in_leeds: str
) -> None:
    raised = _apply(store, RecordPrisonAlert(WHO, "LEI", "XEL", True, MONDAY))
    assert raised.status == "applied", raised.error
    [event] = raised.events
    assert (event.event_type, event.additional_information["alertType"]) == (ALERT_CREATED, "X")
    assert _apply(store, RecordPrisonAlert(WHO, "LEI", "XEL", True, LATER)).events == ()
    closed = _apply(store, RecordPrisonAlert(WHO, "LEI", "XEL", False, LATER))
    assert [e.event_type for e in closed.events] == [ALERT_INACTIVE]
    with engine.connect() as connection:
        assert connection.execute(sa.select(alert.c.active)).scalars().all() == [False]


def test_the_arriving_end_of_a_transfer_already_told_changes_nothing(
    store: RecordStore, in_leeds: str
) -> None:
    moved = _apply(store, transfer(*WHO, from_establishment="LEI", to_establishment="WWI"))
    assert moved.status == "applied", moved.error
    arrived = _apply(store, RecordTransferIn(WHO, "LEI", "WWI", "NOTR", LATER))
    assert arrived.status == "applied" and arrived.events == ()
    # Told only by the receiving end, the transfer itself is recorded.
    back = _apply(store, RecordTransferIn(WHO, "WWI", "LEI", "NOTR", LATER + timedelta(days=1)))
    assert [e.event_type for e in back.events][-1] == PRISONER_RECEIVED
    view = store.person_view(Identifier(NOMS, in_leeds))
    assert view is not None and view["establishment"] == "LEI"


def test_a_death_in_custody_makes_the_person_dead_and_refuses_a_later_reception(
    store: RecordStore, in_leeds: str
) -> None:
    died = _apply(store, release(*WHO, reason_code="DEC"))
    assert died.status == "applied", died.error
    view = store.person_view(Identifier(NOMS, in_leeds))
    assert view is not None
    assert (view["legalStatus"], view["custodyStatus"]) == ("DEAD", "OUTSIDE_PRISON")
    again = _apply(store, reception(particulars(pnc(23456)), "LEI", at=MONDAY + timedelta(days=60)))
    assert again.status == "rejected" and isinstance(again.error, BusinessRuleViolation)
    assert "died in custody" in str(again.error)


def test_a_person_known_by_a_lids_number_alone_is_found_by_it_in_the_same_batch(
    store: RecordStore,
) -> None:
    lids = Identifier("LIDS", "LEI/LE1000")
    outcomes = store.apply(
        [
            message(reception(particulars(lids), "LEI")),
            message(RecordIncentiveReview((lids,), "LEI", "ENH", LATER)),
            message(RecordPrisonAlert((lids,), "LEI", "HA", True, LATER)),
        ]
    )
    assert [o.status for o in outcomes] == ["applied"] * 3, [o.error for o in outcomes]
    assert outcomes[1].events[0].additional_information["nomsNumber"] == outcomes[0].person_key
