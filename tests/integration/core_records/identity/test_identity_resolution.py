"""Receptions without a recorded strong identifier are matched on names and date of birth:
linked, held for a person to decide, or a new person; every decision is recorded."""

from __future__ import annotations

import json
from datetime import date, timedelta

import sqlalchemy as sa

from core_records.bookkeeping.journal import Journal
from core_records.commands import PersonName
from core_records.identifiers import NOMS, Identifier
from core_records.identity.review import IdentityReview
from core_records.identity.tables import identity_case, identity_decision
from core_records.store.record_store import RecordStore
from core_records.tables import person
from monitoring.trace import trace_of
from tests.integration.core_records.examples import (
    MONDAY,
    crn,
    message,
    particulars,
    pnc,
    reception,
    release,
    row_counts,
)

BORN = date(1979, 11, 3)


def _receive_and_release(store: RecordStore) -> str:
    first = particulars(pnc(1), surname="HARGREAVES", forenames="LIAM JOSEPH", born=BORN)
    [received] = store.apply([message(reception(first))])
    assert received.status == "applied", received.error
    [released] = store.apply([message(release(pnc(1)))])
    assert released.status == "applied", released.error
    assert received.person_key is not None
    return received.person_key


def _decisions(engine: sa.Engine) -> list[sa.Row]:  # type: ignore[type-arg]
    with engine.connect() as connection:
        return connection.execute(
            sa.select(identity_decision).order_by(identity_decision.c.id)
        ).all()


def test_a_returning_person_with_no_identifiers_and_a_birth_date_typo_is_readmitted(
    store: RecordStore, engine: sa.Engine
) -> None:
    prison_number = _receive_and_release(store)
    back = particulars(surname="Hargreaves", forenames="Liam", born=date(1979, 11, 30))
    later = MONDAY + timedelta(days=90)
    [outcome] = store.apply([message(reception(back, "MDI", at=later))])

    assert outcome.status == "applied", outcome.error
    assert outcome.person_key == prison_number
    assert outcome.events[0].additional_information["reason"] == "READMISSION"
    assert row_counts(engine, person)["person"] == 1
    last = _decisions(engine)[-1]
    assert (last.outcome, last.person_key, last.candidate_key) == (
        "link",
        prison_number,
        prison_number,
    )
    assert last.score >= store.match_rules.link_threshold
    evidence = json.loads(last.evidence)["candidates"][0]
    assert {e["field"]: e["level"] for e in evidence["evidence"]}["dateOfBirth"] == "one typo"


def test_a_returning_person_with_a_new_crn_and_swapped_names_is_linked(
    store: RecordStore,
) -> None:
    prison_number = _receive_and_release(store)
    swapped = particulars(crn(5), surname="LIAM", forenames="HARGREAVES", born=BORN)
    [outcome] = store.apply([message(reception(swapped, at=MONDAY + timedelta(days=60)))])
    assert outcome.person_key == prison_number
    view = store.person_view(crn(5))
    assert view is not None and view["prisonNumber"] == prison_number


def test_someone_with_a_different_pnc_is_a_new_person_however_alike(
    store: RecordStore, engine: sa.Engine
) -> None:
    prison_number = _receive_and_release(store)
    alike = particulars(pnc(2), surname="HARGREAVES", forenames="LIAM JOSEPH", born=BORN)
    [outcome] = store.apply([message(reception(alike))])
    assert outcome.status == "applied" and outcome.person_key != prison_number
    assert _decisions(engine)[-1].outcome == "new"


def test_a_possible_match_is_held_without_a_duplicate_until_a_person_links_it(
    store: RecordStore, engine: sa.Engine
) -> None:
    prison_number = _receive_and_release(store)
    # Same surname and date of birth, another forename: a twin, or the same man?
    twin = particulars(surname="HARGREAVES", forenames="NOEL", born=BORN)
    held_message = message(reception(twin, "MDI", at=MONDAY + timedelta(days=40)))
    [outcome] = store.apply([held_message])

    assert outcome.status == "held"
    assert row_counts(engine, person)["person"] == 1
    trace = trace_of(held_message.message_id, Journal(engine).trace(held_message.message_id))
    assert trace is not None and trace.status == "held_for_review"
    review = IdentityReview(store)
    [case] = review.cases()
    assert case.message_id == held_message.message_id
    assert case.candidates[0]["prisonNumber"] == prison_number
    assert prison_number in case.summary

    # Redelivered while held: the same case, still nobody new.
    [again] = store.apply([held_message])
    assert again.status == "held"
    assert len(review.cases()) == 1 and row_counts(engine, person)["person"] == 1

    decided = review.link(case.id, prison_number, actor="case.worker")
    assert decided.status == "applied" and decided.person_key == prison_number
    view = store.person_view(Identifier(NOMS, prison_number))
    assert view is not None and view["establishment"] == "MDI"
    assert review.cases() == []
    [closed] = review.cases(status=None)
    assert (closed.status, closed.decided_by, closed.decision_key) == (
        "linked",
        "case.worker",
        prison_number,
    )
    assert [d.outcome for d in _decisions(engine)][-2:] == ["review", "decided"]


def test_a_held_reception_decided_to_be_someone_new_creates_them_once(
    store: RecordStore, engine: sa.Engine
) -> None:
    _receive_and_release(store)
    twin = particulars(surname="HARGREAVES", forenames="NOEL", born=BORN)
    [outcome] = store.apply([message(reception(twin))])
    assert outcome.status == "held"
    review = IdentityReview(store)
    [case] = review.cases()
    created = review.new_person(case.id, actor="case.worker")
    assert created.status == "applied"
    assert row_counts(engine, person)["person"] == 2
    with engine.connect() as connection:
        status = connection.execute(sa.select(identity_case.c.status)).scalar_one()
    assert status == "new"


def test_the_same_new_person_twice_in_one_batch_is_matched_within_the_batch(
    store: RecordStore,
) -> None:
    first = particulars(surname="OKAFOR", forenames="CHIDI", born=BORN)
    second = particulars(
        surname="OKAFOR",
        forenames="CHIDI",
        born=BORN,
        aliases=(PersonName("OKAFOR", "CHIDIEBERE", "A"),),
    )
    outcomes = store.apply([message(reception(first)), message(reception(second, "MDI"))])
    assert outcomes[0].status == "applied"
    # Linked to the person the first message created, who is in custody already.
    assert outcomes[1].status == "rejected"
    assert outcomes[1].error is not None
    assert "already in custody" in outcomes[1].error.reason
