"""Non-associations an operator records between two people held in its own prisons: on both
records, an event for each person, and every refusal saying what was wrong without
revealing anyone held elsewhere. Both databases."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from core_records.identifiers import LOCAL, NOMS, Identifier
from core_records.partner_records.commands import CloseNonAssociation, RecordNonAssociation
from core_records.partner_records.tables import non_association
from core_records.store.record_store import ApplyOutcome, RecordStore
from tests.integration.core_records.examples import (
    MONDAY,
    message,
    particulars,
    pnc,
    reception,
    release,
    row_counts,
)

SERCO_PRISONS = frozenset({"ASI", "DGI", "DNI", "LGI", "TSI"})
LATER = MONDAY + timedelta(days=3)


def apply_one(store: RecordStore, command: object) -> ApplyOutcome:
    [outcome] = store.apply([message(command)])  # type: ignore[arg-type]
    return outcome


def receive(store: RecordStore, serial: int, prison: str, *more: Identifier) -> str:
    outcome = apply_one(store, reception(particulars(pnc(serial), *more), prison))
    assert outcome.status == "applied", outcome.error
    assert outcome.person_key is not None
    return outcome.person_key


def noms(number: str) -> tuple[Identifier, ...]:
    return (Identifier(NOMS, number),)


def record(first: str, second: str, reason: str = "VIC") -> RecordNonAssociation:
    return RecordNonAssociation(
        person=noms(first),
        other_person=noms(second),
        reason_code=reason,
        effective_on=date(2025, 3, 5),
        occurred_at=LATER,
        operator="serco",
        prisons=SERCO_PRISONS,
        comment="assaulted on B wing; keep apart at association and education",
    )


def close(first: str, second: str, reason: str = "VIC") -> CloseNonAssociation:
    return CloseNonAssociation(
        person=noms(first),
        other_person=noms(second),
        reason_code=reason,
        effective_on=date(2025, 3, 5),
        ended_on=date(2025, 6, 1),
        occurred_at=LATER + timedelta(days=90),
        operator="serco",
        prisons=SERCO_PRISONS,
    )


def refusal(outcome: ApplyOutcome) -> str:
    assert outcome.status == "rejected", f"{outcome.message_id} was {outcome.status}"
    assert outcome.error is not None
    return outcome.error.reason


def rows(store: RecordStore) -> list[dict[str, object]]:
    with store.engine.connect() as connection:
        found = connection.execute(sa.select(non_association).order_by(non_association.c.id))
        return [dict(row) for row in found.mappings()]


@pytest.fixture
def pair(store: RecordStore) -> tuple[str, str]:
    """Two people held at Doncaster, which Serco runs."""
    return receive(store, 1001, "DNI"), receive(store, 1002, "DNI")


def test_a_non_association_is_on_both_records_with_an_event_for_each_person(
    store: RecordStore, pair: tuple[str, str]
) -> None:
    victim, perpetrator = pair
    outcome = apply_one(store, record(victim, perpetrator))

    assert outcome.status == "applied", outcome.error
    created = [e for e in outcome.events if e.event_type == "prisoner.non-association.created"]
    assert len(created) == len(outcome.events) == 2
    about = {e.person_key: e.additional_information for e in created}
    assert about[victim]["otherPrisonNumber"] == perpetrator
    assert about[perpetrator]["otherPrisonNumber"] == victim
    assert {info["reasonCode"] for info in about.values()} == {"VIC"}
    assert {info["prisonId"] for info in about.values()} == {"DNI"}
    for event in created:
        assert pnc(1001) in event.person_identifiers or pnc(1002) in event.person_identifiers
        assert "comment" not in str(event.to_envelope()).lower()
        assert "B wing" not in str(event.to_envelope())
    [row] = rows(store)
    assert (row["status"], row["reason_code"], row["operator"]) == ("OPEN", "VIC", "serco")
    assert row["comment"] == "assaulted on B wing; keep apart at association and education"
    assert row["effective_on"] == date(2025, 3, 5) and row["ended_on"] is None


def test_people_in_two_of_the_operators_prisons_may_be_kept_apart(store: RecordStore) -> None:
    at_doncaster, at_thameside = receive(store, 1001, "DNI"), receive(store, 1003, "TSI")
    outcome = apply_one(store, record(at_doncaster, at_thameside, "GAN"))
    assert outcome.status == "applied", outcome.error
    prisons = {e.person_key: e.additional_information["prisonId"] for e in outcome.events}
    assert prisons == {at_doncaster: "DNI", at_thameside: "TSI"}


def test_recording_an_open_one_again_for_the_same_reason_changes_nothing(
    store: RecordStore, pair: tuple[str, str]
) -> None:
    first, second = pair
    assert apply_one(store, record(first, second)).status == "applied"

    for again in (record(first, second), record(second, first)):
        outcome = apply_one(store, again)
        assert outcome.status == "applied", outcome.error
        assert outcome.events == ()
    assert len(rows(store)) == 1


def test_recording_an_open_one_again_for_another_reason_is_refused(
    store: RecordStore, pair: tuple[str, str]
) -> None:
    first, second = pair
    assert apply_one(store, record(first, second, "VIC")).status == "applied"

    reason = refusal(apply_one(store, record(second, first, "BUL")))

    assert reason == (
        f"{second} and {first} have an open non-association already, for reason VIC:"
        " close it before recording one for reason BUL"
    )
    assert len(rows(store)) == 1


def test_closing_one_raises_a_closed_event_for_each_person_and_it_may_be_recorded_again(
    store: RecordStore, pair: tuple[str, str]
) -> None:
    first, second = pair
    assert apply_one(store, record(first, second)).status == "applied"

    outcome = apply_one(store, close(second, first))

    assert outcome.status == "applied", outcome.error
    assert [e.event_type for e in outcome.events] == ["prisoner.non-association.closed"] * 2
    others = {e.person_key: e.additional_information["otherPrisonNumber"] for e in outcome.events}
    assert others == {first: second, second: first}
    assert {e.additional_information["reasonCode"] for e in outcome.events} == {"VIC"}
    assert [(r["status"], r["ended_on"]) for r in rows(store)] == [
        ("OPEN", None),
        ("CLOSED", date(2025, 6, 1)),
    ]
    assert len(apply_one(store, record(first, second, "RIV")).events) == 2


def test_closing_one_that_is_not_open_is_refused(store: RecordStore, pair: tuple[str, str]) -> None:
    first, second = pair
    never = refusal(apply_one(store, close(first, second)))
    assert never == f"{first} and {second} have no open non-association to close"

    assert apply_one(store, record(first, second)).status == "applied"
    assert apply_one(store, close(first, second)).status == "applied"
    again = refusal(apply_one(store, close(first, second)))
    assert again == f"{first} and {second} have no open non-association to close"
    assert len(rows(store)) == 2


def test_a_close_must_name_the_open_ones_reason_and_end_after_it_took_effect(
    store: RecordStore, pair: tuple[str, str]
) -> None:
    first, second = pair
    assert apply_one(store, record(first, second, "VIC")).status == "applied"

    other_reason = refusal(apply_one(store, close(first, second, "GAN")))
    assert other_reason == (
        f"the open non-association between {first} and {second} is for reason VIC, not GAN"
    )
    too_early = refusal(apply_one(store, replace(close(first, second), ended_on=date(2025, 3, 4))))
    assert too_early == (
        f"the non-association between {first} and {second} took effect on 2025-03-05,"
        " so cannot have ended on 2025-03-04"
    )
    assert len(rows(store)) == 1


def test_a_person_cannot_be_kept_apart_from_themselves(
    store: RecordStore, pair: tuple[str, str]
) -> None:
    first, _ = pair
    reason = refusal(apply_one(store, record(first, first)))
    assert reason == f"{first} cannot be kept apart from themselves"
    assert rows(store) == []


def test_an_unknown_reason_is_refused(store: RecordStore, pair: tuple[str, str]) -> None:
    reason = refusal(apply_one(store, record(*pair, reason="XYZ")))
    assert reason.startswith("unknown non-association reason 'XYZ' (known: VIC, PER, RIV")


def test_anyone_not_held_in_the_operators_prisons_gets_the_answer_no_one_gets(
    store: RecordStore, pair: tuple[str, str]
) -> None:
    at_doncaster, _ = pair
    at_forest_bank = receive(store, 2001, "FBI")  # Sodexo's
    at_leeds = receive(store, 2002, "LEI")  # a public prison
    released = receive(store, 2003, "DNI")
    assert apply_one(store, release(pnc(2003), establishment="DNI")).status == "applied"
    no_one = "Z9999ZZ"

    for elsewhere in (at_forest_bank, at_leeds, released, no_one):
        for command in (
            record(at_doncaster, elsewhere),
            record(elsewhere, at_doncaster),
            close(elsewhere, at_doncaster),
        ):
            reason = refusal(apply_one(store, command))
            assert reason == f"no one held in a prison serco runs has the prison number {elsewhere}"
    assert rows(store) == []


def test_a_local_id_that_is_someone_elses_is_refused(store: RecordStore) -> None:
    first = receive(store, 1001, "DNI", Identifier(LOCAL, "serco:DN0001"))
    second = receive(store, 1002, "DNI", Identifier(LOCAL, "serco:DN0002"))
    third = receive(store, 1003, "DNI")
    command = replace(
        record(first, third), person=(*noms(first), Identifier(LOCAL, "serco:DN0002"))
    )

    reason = refusal(apply_one(store, command))

    assert reason == f"LOCAL serco:DN0002 is not the identifier of {first}"
    assert second != first and rows(store) == []
    named = replace(record(first, third), person=(*noms(first), Identifier(LOCAL, "serco:DN0001")))
    assert apply_one(store, named).status == "applied"


def test_a_later_message_in_the_same_batch_sees_an_earlier_ones_non_association(
    store: RecordStore, pair: tuple[str, str]
) -> None:
    first, second = pair
    outcomes = store.apply(
        [
            message(record(first, second)),
            message(record(second, first)),
            message(close(first, second)),
            message(close(first, second)),
        ]
    )
    assert [o.status for o in outcomes] == ["applied", "applied", "applied", "rejected"]
    assert [len(o.events) for o in outcomes] == [2, 0, 2, 0]
    assert [r["status"] for r in rows(store)] == ["OPEN", "CLOSED"]
    assert row_counts(store.engine, non_association) == {"non_association": 2}
