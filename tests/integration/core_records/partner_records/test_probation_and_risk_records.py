"""What probation and OASys tell the record: the CRN of a matched case, facts kept as
history, and the one RoSH alert an assessment's level calls for. Both databases."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from core_records.identifiers import NOMS, Identifier
from core_records.partner_records.commands import (
    AllocateOffenderManager,
    RecordProbationCase,
    RecordRiskAssessment,
    RecordSentence,
    RecordVisit,
    RoshLevel,
    Visitor,
)
from core_records.partner_records.tables import risk_assessment, visit
from core_records.store.record_store import ApplyOutcome, RecordStore
from core_records.tables import alert, sentence_date
from tests.integration.core_records.examples import (
    MONDAY,
    crn,
    message,
    particulars,
    pnc,
    reception,
)

LATER = MONDAY + timedelta(days=2)


def apply_one(store: RecordStore, command: object) -> ApplyOutcome:
    [outcome] = store.apply([message(command)])  # type: ignore[arg-type]
    return outcome


@pytest.fixture
def in_leeds(store: RecordStore) -> str:
    born = date(1985, 4, 12)  # what the probation cases below say, or not
    outcome = apply_one(store, reception(particulars(pnc(23456), born=born), "LEI"))
    assert outcome.person_key is not None
    return outcome.person_key


def case(*identifiers: Identifier, born: date | None = None) -> RecordProbationCase:
    return RecordProbationCase((*identifiers, crn(757129)), crn(757129), LATER, born)


def assessment(level: str, assessment_id: str = "1001") -> RecordRiskAssessment:
    return RecordRiskAssessment(
        person=(crn(757129),),
        assessment_id=assessment_id,
        assessment_type="LAYER3",
        status="COMPLETE",
        rosh=(RoshLevel("PUBLIC", "LOW", level), RoshLevel("PRISONERS", "LOW", None)),
        scores=(("OGRS3_1YR", 34), ("OGRS3_2YR", 51)),
        occurred_at=LATER,
    )


def test_a_matched_case_records_the_crn_and_tells_probation_the_prison_number(
    store: RecordStore, in_leeds: str
) -> None:
    outcome = apply_one(store, case(pnc(23456), born=date(1985, 4, 12)))

    assert outcome.status == "applied", outcome.error
    [event] = outcome.events
    assert event.event_type == "probation-case.prison-identifier.added"
    assert Identifier(NOMS, in_leeds) in event.person_identifiers
    assert crn(757129) in event.person_identifiers
    assert event.additional_information["prisonId"] == "LEI"
    view = store.person_view(crn(757129))
    assert view is not None and view["prisonNumber"] == in_leeds


def test_the_same_case_again_changes_nothing_and_says_nothing(
    store: RecordStore, in_leeds: str
) -> None:
    apply_one(store, case(pnc(23456)))
    again = apply_one(store, case(Identifier(NOMS, in_leeds)))
    assert again.status == "applied", again.error
    assert again.events == ()


@pytest.mark.parametrize(
    ("command", "complaint"),
    [
        (case(pnc(99999)), "no person on record has PNC"),
        (case(pnc(23456), born=date(1985, 4, 13)), "was born on 1985-04-12, not 1985-04-13"),
    ],
)
def test_a_case_for_someone_else_is_refused_and_records_nothing(
    store: RecordStore, in_leeds: str, command: RecordProbationCase, complaint: str
) -> None:
    outcome = apply_one(store, command)
    assert outcome.status == "rejected"
    assert outcome.error is not None and complaint in outcome.error.reason
    assert store.person_view(crn(757129)) is None


def test_a_second_crn_for_a_person_with_a_case_is_refused(
    store: RecordStore, in_leeds: str
) -> None:
    apply_one(store, case(pnc(23456)))
    other = RecordProbationCase((pnc(23456), crn(111111)), crn(111111), LATER)
    outcome = apply_one(store, other)
    assert outcome.status == "rejected"
    assert (
        outcome.error is not None
        and "has the probation case X757129 already" in outcome.error.reason
    )


def test_an_allocation_before_the_case_is_known_is_refused(
    store: RecordStore, in_leeds: str
) -> None:
    allocation = AllocateOffenderManager(
        (Identifier(NOMS, in_leeds),), "N02A123", "Priya Sandhu", "N02SHF", "N02",
        date(2024, 5, 2), LATER,
    )  # fmt: skip
    outcome = apply_one(store, allocation)
    assert outcome.status == "rejected"
    assert outcome.error is not None and "has no probation case (CRN)" in outcome.error.reason


def rosh_alerts(store: RecordStore) -> list[tuple[str, bool]]:
    with store.engine.connect() as connection:
        rows = connection.execute(
            sa.select(alert.c.alert_code, alert.c.active).order_by(alert.c.id)
        ).all()
    return [(code, active) for code, active in rows]


def test_each_assessment_sets_the_rosh_alert_its_level_calls_for_and_ends_the_last(
    store: RecordStore, in_leeds: str
) -> None:
    apply_one(store, case(pnc(23456)))

    high = apply_one(store, assessment("HIGH", "1001"))
    assert [e.event_type for e in high.events] == ["assessment.summary.produced",
                                                   "person.alert.created"]  # fmt: skip
    assert high.events[0].additional_information["riskOfSeriousHarm"] == "HIGH"
    assert high.events[1].additional_information["alertCode"] == "ROH"
    assert rosh_alerts(store) == [("ROH", True)]

    very_high = apply_one(store, assessment("VERY_HIGH", "1002"))
    assert [(e.event_type, e.additional_information.get("alertCode")) for e in very_high.events][
        1:
    ] == [("person.alert.inactive", "ROH"), ("person.alert.created", "ROV")]
    assert rosh_alerts(store) == [("ROH", False), ("ROV", True)]

    same = apply_one(store, assessment("VERY_HIGH", "1003"))
    assert [e.event_type for e in same.events] == ["assessment.summary.produced"]

    low = apply_one(store, assessment("LOW", "1004"))
    assert [e.event_type for e in low.events] == ["assessment.summary.produced",
                                                  "person.alert.inactive"]  # fmt: skip
    assert rosh_alerts(store) == [("ROH", False), ("ROV", False)]
    with store.engine.connect() as connection:
        kept = connection.execute(sa.select(risk_assessment.c.assessment_id)).scalars().all()
    assert sorted(kept) == ["1001", "1002", "1003", "1004"]


def test_two_assessments_in_one_batch_leave_one_active_alert(
    store: RecordStore, in_leeds: str
) -> None:
    apply_one(store, case(pnc(23456)))
    outcomes = store.apply(
        [message(assessment("MEDIUM", "2001")), message(assessment("HIGH", "2002"))]
    )
    assert [o.status for o in outcomes] == ["applied", "applied"]
    assert rosh_alerts(store) == [("ROM", False), ("ROH", True)]


def test_the_overall_level_is_the_highest_in_any_group_and_setting() -> None:
    command = replace(
        assessment("LOW"),
        rosh=(RoshLevel("CHILDREN", "MEDIUM", "LOW"), RoshLevel("STAFF", "VERY_HIGH", None)),
    )
    assert command.overall_rosh == "VERY_HIGH"
    assert replace(command, rosh=()).overall_rosh == "LOW"


def a_visit(*person: Identifier, at_prison: str = "LEI") -> RecordVisit:
    return RecordVisit(
        person=person,
        establishment=at_prison,
        visit_reference="LEI-V-1",
        visit_type="SOCIAL",
        starts_at=LATER,
        ends_at=LATER + timedelta(hours=1),
        outcome="COMPLETED",
        visitors=(Visitor("SMITH", "MARY", "MOTHER"),),
    )


def test_a_visit_to_a_person_in_that_prison_is_recorded_with_its_visitors(
    store: RecordStore, in_leeds: str
) -> None:
    outcome = apply_one(store, a_visit(pnc(23456)))
    assert outcome.status == "applied", outcome.error
    [event] = outcome.events
    assert event.event_type == "prisoner.visit.recorded"
    assert event.additional_information["visitors"] == [
        {"surname": "SMITH", "forenames": "MARY", "relationship": "MOTHER"}
    ]
    with store.engine.connect() as connection:
        [row] = connection.execute(sa.select(visit)).mappings().all()
    assert (row["establishment"], row["outcome"]) == ("LEI", "COMPLETED")


def test_a_visit_at_a_prison_the_person_is_not_in_is_refused(
    store: RecordStore, in_leeds: str
) -> None:
    outcome = apply_one(store, a_visit(pnc(23456), at_prison="MDI"))
    assert outcome.status == "rejected"
    assert outcome.error is not None
    assert outcome.error.reason == f"no one in custody at MDI has PNC {pnc(23456).value}"
    assert in_leeds not in outcome.error.reason and "LEI" not in outcome.error.reason


def a_sentence(*dates: tuple[str, date], status: str | None = "SENTENCED") -> RecordSentence:
    return RecordSentence((pnc(23456),), "LEI", dates, LATER, status)


SED, CRD = ("SED", date(2027, 3, 14)), ("CRD", date(2025, 9, 14))


def test_a_sentence_records_its_dates_and_status_and_says_what_changed(
    store: RecordStore, in_leeds: str
) -> None:
    first = apply_one(store, a_sentence(SED, CRD))
    assert first.status == "applied", first.error
    assert [e.event_type for e in first.events] == [
        "prisoner.sentence-dates-changed", "prisoner.imprisonment-status-changed",
    ]  # fmt: skip
    assert first.events[0].additional_information["sentenceDates"] == {
        "CRD": "2025-09-14", "SED": "2027-03-14",
    }  # fmt: skip
    assert first.events[1].additional_information["imprisonmentStatus"] == "SENTENCED"
    view = store.person_view(pnc(23456))
    assert view is not None and view["legalStatus"] == "SENTENCED"

    recalculated = apply_one(store, a_sentence(SED, ("CRD", date(2025, 10, 1))))
    [changed] = recalculated.events
    assert changed.additional_information["sentenceDates"] == {
        "CRD": "2025-10-01", "SED": "2027-03-14",
    }  # fmt: skip
    assert apply_one(store, a_sentence(SED, ("CRD", date(2025, 10, 1)))).events == ()
    with store.engine.connect() as connection:
        rows = connection.execute(
            sa.select(sentence_date.c.code, sentence_date.c.date).order_by(sentence_date.c.code)
        ).all()
    assert [tuple(r) for r in rows] == [("CRD", date(2025, 10, 1)), ("SED", date(2027, 3, 14))]


@pytest.mark.parametrize(
    ("command", "complaint"),
    [
        (a_sentence(("XYZ", date(2027, 1, 1))), "unknown sentence key date XYZ"),
        (a_sentence(SED, status="ON_HOLIDAY"), "unknown legal status code 'ON_HOLIDAY'"),
        (replace(a_sentence(SED), establishment="MDI"), "no one in custody at MDI has PNC"),
    ],
)
def test_a_sentence_that_cannot_be_right_is_refused(
    store: RecordStore, in_leeds: str, command: RecordSentence, complaint: str
) -> None:
    outcome = apply_one(store, command)
    assert outcome.status == "rejected"
    assert outcome.error is not None and complaint in outcome.error.reason
