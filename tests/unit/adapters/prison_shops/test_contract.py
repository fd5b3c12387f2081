"""The prison shops adapter against the contract kit: each order-line sample is accepted and
translates to one canteen transaction, or is refused for the reason its name gives."""

from __future__ import annotations

from pathlib import Path

import pytest

import adapters.prison_shops as package
from adapters import testing
from adapters.prison_shops import PARTNER, adapter
from core_records.canteen.account import REFUND, SPEND, RecordCanteenTransaction
from core_records.errors import InvalidMessage
from core_records.identifiers import NOMS, Identifier

SAMPLES = Path(package.__file__).parent / "samples"
SHOP = adapter.partners[PARTNER]

VALID = testing.samples(SAMPLES / "valid", "*.json")
INVALID = testing.samples(SAMPLES / "invalid", "*.json")

WHY_INVALID = {
    "order_line-bad-prison-number.json": "pattern",
    "order_line-credit-from-a-shop.json": "enum",
    "order_line-impossible-date.json": "date-time",
    "order_line-missing-client-reference.json": "required",
    "order_line-negative-amount.json": "minimum",
    "order_line-not-json.json": "json-syntax",
    "order_line-time-without-offset.json": "pattern",
}


def test_the_declaration_hangs_together() -> None:
    testing.check_declaration(adapter)
    assert set(adapter.inbound) == {"order_line"}
    assert adapter.inbound["order_line"].format == "json"
    assert adapter.subscriptions == {}
    assert adapter.policy.event_types == frozenset()


def test_a_spend_line_becomes_a_canteen_transaction_of_its_order_file() -> None:
    [command] = testing.check_valid_sample(adapter, SAMPLES / "valid/order_line-spend.json", SHOP)

    assert isinstance(command, RecordCanteenTransaction)
    assert command.person == (Identifier(NOMS, "A1234BC"),)
    assert (command.transaction_type, command.amount_pence) == (SPEND, 1250)
    assert (command.client_reference, command.establishment) == ("DHL-LEI-000101", "LEI")
    assert command.order_file is not None and command.line_number == 2
    assert command.occurred_at.utcoffset() is not None


@pytest.mark.parametrize("sample", VALID, ids=lambda p: p.name)
def test_every_valid_sample_is_accepted(sample: Path) -> None:
    [command] = testing.check_valid_sample(adapter, sample, SHOP)
    assert command.transaction_type in (SPEND, REFUND)  # type: ignore[union-attr]


def test_every_invalid_sample_says_why_it_is_invalid() -> None:
    assert sorted(p.name for p in INVALID) == sorted(WHY_INVALID)


@pytest.mark.parametrize("sample", INVALID, ids=lambda p: p.name)
def test_an_invalid_sample_is_refused_for_its_reason(sample: Path) -> None:
    error = testing.check_invalid_sample(adapter, sample, SHOP)
    assert isinstance(error, InvalidMessage)
    assert error.rule == WHY_INVALID[sample.name], error.reason
