"""Canteen accounts: spends, refunds and credits applied once, refusals recorded with reasons."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from core_records import events
from core_records.canteen import account as canteen
from core_records.canteen.account import RecordCanteenTransaction
from core_records.canteen.ledger import account_of, order_file_outcomes, roll
from core_records.canteen.tables import canteen_refusal, canteen_transaction
from core_records.identifiers import NOMS, Identifier
from core_records.store.record_store import ApplyOutcome, RecordStore
from tests.integration.core_records.examples import (
    MONDAY,
    apply_racing,
    message,
    particulars,
    pnc,
    reception,
    release,
    row_counts,
)


def _transaction(
    prison_number: str,
    kind: str,
    pence: int,
    reference: str,
    *,
    at: datetime = MONDAY + timedelta(hours=1),
    establishment: str | None = "LEI",
    order_file: str | None = None,
    line: int | None = None,
) -> RecordCanteenTransaction:
    return RecordCanteenTransaction(
        person=(Identifier(NOMS, prison_number),),
        transaction_type=kind,
        amount_pence=pence,
        client_reference=reference,
        occurred_at=at,
        establishment=establishment,
        order_file=order_file,
        line_number=line,
    )


def _apply(store: RecordStore, *commands: RecordCanteenTransaction) -> list[ApplyOutcome]:
    return store.apply([message(command) for command in commands])


def _event(outcome: ApplyOutcome) -> dict[str, object]:
    assert outcome.status == "applied", outcome.error
    [event] = outcome.events
    return {"type": event.event_type, **event.additional_information}


@pytest.fixture
def in_leeds(store: RecordStore) -> str:
    """A person received into Leeds, with 2,000p credited to their account."""
    someone = particulars(pnc(23456), surname="SMITH", forenames="JOHN PAUL")
    [outcome] = store.apply([message(reception(someone, "LEI"))])
    assert outcome.person_key is not None
    [credited] = _apply(store, _transaction(outcome.person_key, canteen.CREDIT, 2000, "CASH-1"))
    assert _event(credited)["balancePence"] == 2000
    return outcome.person_key


def test_a_spend_takes_the_money_from_the_account_and_says_what_is_left(
    store: RecordStore, in_leeds: str
) -> None:
    [outcome] = _apply(store, _transaction(in_leeds, canteen.SPEND, 1250, "SHOP-1"))

    assert _event(outcome) == {
        "type": events.CANTEEN_TRANSACTION_APPLIED,
        "clientReference": "SHOP-1",
        "transactionType": "CANT",
        "amountPence": 1250,
        "nomsNumber": in_leeds,
        "prisonId": "LEI",
        "balancePence": 750,
        # Standard level, convicted: 1,550p a week, of which 1,250p is spent.
        "availableSpendsPence": 300,
    }
    assert account_of(store.engine, in_leeds, MONDAY).balance_pence == 750  # type: ignore[union-attr]


def test_a_spend_over_the_balance_is_refused_for_insufficient_funds(
    store: RecordStore, in_leeds: str
) -> None:
    store.apply([message(_transaction(in_leeds, canteen.CREDIT, 5000, "CASH-2"))])
    _apply(store, _transaction(in_leeds, canteen.SPEND, 1500, "SHOP-1"))
    [outcome] = _apply(
        store,
        _transaction(in_leeds, canteen.SPEND, 6000, "SHOP-2", at=MONDAY + timedelta(days=7)),
    )

    event = _event(outcome)
    assert event["type"] == events.CANTEEN_TRANSACTION_REFUSED
    assert event["refusalReason"] == canteen.INSUFFICIENT_FUNDS
    assert "5500p" in str(event["refusalDetail"])
    assert account_of(store.engine, in_leeds, MONDAY).balance_pence == 5500  # type: ignore[union-attr]


def test_spends_over_the_weekly_limit_are_refused_until_the_next_week(
    store: RecordStore, in_leeds: str
) -> None:
    first, second = _apply(
        store,
        _transaction(in_leeds, canteen.SPEND, 1000, "SHOP-1"),
        _transaction(in_leeds, canteen.SPEND, 600, "SHOP-2"),
    )
    [next_week] = _apply(
        store, _transaction(in_leeds, canteen.SPEND, 600, "SHOP-3", at=MONDAY + timedelta(days=7))
    )

    assert _event(first)["type"] == events.CANTEEN_TRANSACTION_APPLIED
    assert _event(second)["refusalReason"] == canteen.SPEND_LIMIT_EXCEEDED
    assert _event(next_week)["balancePence"] == 400


def test_a_refund_gives_back_the_money_and_the_allowance(store: RecordStore, in_leeds: str) -> None:
    _apply(store, _transaction(in_leeds, canteen.SPEND, 1500, "SHOP-1"))
    [refund] = _apply(store, _transaction(in_leeds, canteen.REFUND, 500, "SHOP-1-R"))

    assert _event(refund)["balancePence"] == 1000
    assert _event(refund)["availableSpendsPence"] == 550


def test_a_client_reference_already_applied_is_refused_and_not_applied_again(
    store: RecordStore, in_leeds: str
) -> None:
    first, again_in_batch = _apply(
        store,
        _transaction(in_leeds, canteen.SPEND, 100, "SHOP-1"),
        _transaction(in_leeds, canteen.SPEND, 100, "SHOP-1"),
    )
    [again_later] = _apply(store, _transaction(in_leeds, canteen.REFUND, 100, "SHOP-1"))

    assert _event(first)["balancePence"] == 1900
    for duplicate in (again_in_batch, again_later):
        assert _event(duplicate)["refusalReason"] == canteen.DUPLICATE_REFERENCE
    assert account_of(store.engine, in_leeds, MONDAY).balance_pence == 1900  # type: ignore[union-attr]


def test_a_redelivered_message_changes_the_account_once(store: RecordStore, in_leeds: str) -> None:
    spend = message(_transaction(in_leeds, canteen.SPEND, 300, "SHOP-1"))

    [first] = store.apply([spend])
    [again] = store.apply([spend])

    assert first.status == "applied" and again.status == "duplicate"
    assert account_of(store.engine, in_leeds, MONDAY).balance_pence == 1700  # type: ignore[union-attr]
    assert row_counts(store.engine, canteen_transaction, canteen_refusal) == {
        "canteen_transaction": 2,
        "canteen_refusal": 0,
    }


def test_an_unknown_prisoner_and_a_person_elsewhere_are_refused(
    store: RecordStore, in_leeds: str
) -> None:
    unknown, elsewhere = _apply(
        store,
        _transaction("Z9999ZZ", canteen.SPEND, 100, "SHOP-1"),
        _transaction(in_leeds, canteen.SPEND, 100, "SHOP-2", establishment="MDI"),
    )
    store.apply([message(release(pnc(23456), establishment="LEI"))])
    [released] = _apply(store, _transaction(in_leeds, canteen.SPEND, 100, "SHOP-3"))

    assert _event(unknown)["refusalReason"] == canteen.UNKNOWN_PRISONER
    assert _event(elsewhere)["refusalReason"] == canteen.NOT_AT_ESTABLISHMENT
    assert "they are at LEI" in str(_event(elsewhere)["refusalDetail"])
    assert _event(released)["refusalReason"] == canteen.NOT_AT_ESTABLISHMENT


def test_an_unreadable_transaction_is_rejected_without_changing_anything(
    store: RecordStore, in_leeds: str
) -> None:
    negative, unknown_type, unknown_prison = _apply(
        store,
        _transaction(in_leeds, canteen.SPEND, -5, "SHOP-1"),
        _transaction(in_leeds, "GIFT", 5, "SHOP-2"),
        _transaction(in_leeds, canteen.SPEND, 5, "SHOP-3", establishment="XXI"),
    )

    assert [o.status for o in (negative, unknown_type, unknown_prison)] == ["rejected"] * 3
    assert "positive number of pence" in negative.error.reason  # type: ignore[union-attr]
    assert "GIFT" in unknown_type.error.reason  # type: ignore[union-attr]
    assert "XXI" in unknown_prison.error.reason  # type: ignore[union-attr]
    assert row_counts(store.engine, canteen_refusal) == {"canteen_refusal": 0}


def test_an_order_files_outcomes_name_each_line(store: RecordStore, in_leeds: str) -> None:
    _apply(
        store,
        _transaction(in_leeds, canteen.SPEND, 500, "F-1", order_file="file-1", line=2),
        _transaction(in_leeds, canteen.SPEND, 9000, "F-2", order_file="file-1", line=3),
        _transaction(in_leeds, canteen.SPEND, 100, "F-3", order_file="file-2", line=2),
    )

    outcomes = order_file_outcomes(store.engine, "file-1")

    assert [(o.line_number, o.accepted, o.reason) for o in outcomes] == [
        (2, True, None),
        (3, False, canteen.INSUFFICIENT_FUNDS),
    ]
    assert outcomes[0].balance_after_pence == 1500
    assert outcomes[0].prison_number == in_leeds


def test_the_roll_lists_the_people_in_a_prison_with_their_available_spends(
    store: RecordStore, in_leeds: str
) -> None:
    store.apply([message(reception(particulars(pnc(34567), surname="JONES"), "MDI"))])
    _apply(store, _transaction(in_leeds, canteen.SPEND, 1000, "SHOP-1"))

    leeds = list(roll(store.engine, "LEI", MONDAY + timedelta(hours=2)))
    next_week = list(roll(store.engine, "LEI", MONDAY + timedelta(days=7)))

    assert [
        (e.prison_number, e.surname, e.forenames, e.location, e.incentive_level) for e in leeds
    ] == [(in_leeds, "SMITH", "JOHN PAUL", "LEI", "STD")]
    assert leeds[0].available_spends_pence == 550
    assert next_week[0].available_spends_pence == 1000


def test_concurrent_writers_with_one_client_reference_apply_it_once(
    engine: sa.Engine, in_leeds: str
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    # Four messages (four message ids) with one client reference.
    spends = [[message(_transaction(in_leeds, canteen.SPEND, 100, "RACE"))] for _ in range(4)]
    outcomes = apply_racing(engine, spends, attempts=5)

    kinds = sorted(o.events[0].event_type for o in outcomes)
    assert kinds == [events.CANTEEN_TRANSACTION_APPLIED] + [events.CANTEEN_TRANSACTION_REFUSED] * 3
    assert account_of(engine, in_leeds, MONDAY).balance_pence == 1900  # type: ignore[union-attr]
