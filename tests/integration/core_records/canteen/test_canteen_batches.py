"""Canteen transactions decided together: the lines of one batch see each other, in order.

The store reads a batch's canteen standing ahead and decides the lines in memory; these
tests hold it to what applying the lines one at a time would do.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from core_records import events
from core_records.canteen import account as canteen
from core_records.canteen.account import RecordCanteenTransaction
from core_records.canteen.ledger import account_of
from core_records.canteen.tables import canteen_account, canteen_refusal, canteen_transaction
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

AN_HOUR_IN = MONDAY + timedelta(hours=1)


def _line(
    kind: str, pence: int, reference: str, *, who: Identifier, establishment: str | None = "LEI"
) -> RecordCanteenTransaction:
    return RecordCanteenTransaction(
        person=(who,),
        transaction_type=kind,
        amount_pence=pence,
        client_reference=reference,
        occurred_at=AN_HOUR_IN,
        establishment=establishment,
    )


def _decided(outcomes: list[ApplyOutcome]) -> list[tuple[str, object]]:
    """Each line's outcome: the balance it left, or why it was refused."""
    decided: list[tuple[str, object]] = []
    for outcome in outcomes:
        assert outcome.status == "applied", outcome.error
        [event] = outcome.events
        information = event.additional_information
        if event.event_type == events.CANTEEN_TRANSACTION_APPLIED:
            decided.append(("applied", information["balancePence"]))
        else:
            decided.append(("refused", information["refusalReason"]))
    return decided


def _balance(store: RecordStore, prison_number: str) -> int:
    account = account_of(store.engine, prison_number, MONDAY)
    assert account is not None
    return account.balance_pence


@pytest.fixture
def smith(store: RecordStore) -> Identifier:
    """A person received into Leeds (their prison number), with 2,000p in their account."""
    someone = particulars(pnc(23456), surname="SMITH", forenames="JOHN PAUL")
    [received] = store.apply([message(reception(someone, "LEI"))])
    assert received.person_key is not None
    who = Identifier(NOMS, received.person_key)
    store.apply([message(_line(canteen.CREDIT, 2000, "CASH-1", who=who))])
    return who


def test_a_reference_twice_in_one_batch_is_applied_once_and_then_refused(
    store: RecordStore, smith: Identifier
) -> None:
    outcomes = store.apply(
        [
            message(_line(canteen.SPEND, 300, "SHOP-1", who=smith)),
            message(_line(canteen.SPEND, 300, "SHOP-1", who=smith)),
            message(_line(canteen.REFUND, 300, "SHOP-1", who=smith)),
        ]
    )

    assert _decided(outcomes) == [
        ("applied", 1700),
        ("refused", canteen.DUPLICATE_REFERENCE),
        ("refused", canteen.DUPLICATE_REFERENCE),
    ]
    assert _balance(store, smith.value) == 1700
    assert row_counts(store.engine, canteen_transaction, canteen_refusal) == {
        "canteen_transaction": 2,
        "canteen_refusal": 2,
    }


def test_a_second_spend_in_one_batch_is_decided_on_the_balance_the_first_left(
    store: RecordStore, smith: Identifier
) -> None:
    outcomes = store.apply(
        [
            message(_line(canteen.SPEND, 1200, "SHOP-1", who=smith)),
            message(_line(canteen.SPEND, 1000, "SHOP-2", who=smith)),
        ]
    )

    assert _decided(outcomes) == [("applied", 800), ("refused", canteen.INSUFFICIENT_FUNDS)]
    assert "balance of 800p" in str(outcomes[1].events[0].additional_information)
    assert _balance(store, smith.value) == 800


def test_a_refund_in_a_batch_gives_back_money_and_allowance_to_the_lines_after_it(
    store: RecordStore, smith: Identifier
) -> None:
    outcomes = store.apply(
        [
            message(_line(canteen.SPEND, 1500, "SHOP-1", who=smith)),
            message(_line(canteen.REFUND, 500, "SHOP-1-R", who=smith)),
            # 550p needs both the money and the allowance (1,550p a week) refunded.
            message(_line(canteen.SPEND, 550, "SHOP-2", who=smith)),
            message(_line(canteen.SPEND, 1, "SHOP-3", who=smith)),
        ]
    )

    assert _decided(outcomes) == [
        ("applied", 500),
        ("applied", 1000),
        ("applied", 450),
        ("refused", canteen.SPEND_LIMIT_EXCEEDED),
    ]
    assert _balance(store, smith.value) == 450


def test_a_rejected_message_leaves_no_trace_on_the_lines_after_it(
    store: RecordStore, smith: Identifier
) -> None:
    half_good = message(
        _line(canteen.SPEND, 1500, "SHOP-1", who=smith),
        _line(canteen.SPEND, -5, "SHOP-2", who=smith),
    )
    outcomes = store.apply([half_good, message(_line(canteen.SPEND, 1500, "SHOP-1", who=smith))])

    assert outcomes[0].status == "rejected"
    assert _decided(outcomes[1:]) == [("applied", 500)]
    assert _balance(store, smith.value) == 500


def test_a_person_released_earlier_in_the_batch_cannot_spend_in_it(
    store: RecordStore, smith: Identifier
) -> None:
    outcomes = store.apply(
        [
            message(release(pnc(23456), establishment="LEI")),
            message(_line(canteen.SPEND, 100, "SHOP-1", who=smith)),
        ]
    )

    assert _decided(outcomes[1:]) == [("refused", canteen.NOT_AT_ESTABLISHMENT)]
    assert _balance(store, smith.value) == 2000


def test_a_person_received_in_the_batch_has_one_account_for_all_its_lines(
    store: RecordStore,
) -> None:
    newcomer = pnc(45678)
    outcomes = store.apply(
        [
            message(reception(particulars(newcomer, surname="JONES"), "LEI")),
            message(_line(canteen.CREDIT, 1000, "CASH-1", who=newcomer)),
            message(_line(canteen.SPEND, 300, "SHOP-1", who=newcomer)),
        ]
    )

    assert _decided(outcomes[1:]) == [("applied", 1000), ("applied", 700)]
    assert outcomes[0].person_key is not None
    assert _balance(store, outcomes[0].person_key) == 700
    assert row_counts(store.engine, canteen_account) == {"canteen_account": 1}


def test_concurrent_batches_spending_from_one_account_lose_no_spend(
    engine: sa.Engine, smith: Identifier
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    batches = [
        [message(_line(canteen.SPEND, 100, f"RACE-{n}-{k}", who=smith)) for k in (1, 2)]
        for n in range(4)
    ]
    outcomes = apply_racing(engine, batches, attempts=10)

    assert len(outcomes) == 8
    assert {kind for kind, _ in _decided(outcomes)} == {"applied"}
    assert _balance(RecordStore(engine), smith.value) == 2000 - 8 * 100
