"""The kiosks adapter against the contract kit: orders become one canteen spend of their
total, applications an application, and each invalid sample is refused for its reason."""

from __future__ import annotations

from pathlib import Path

import pytest

import adapters.kiosks as package
from adapters import testing
from adapters.kiosks import adapter
from core_records.canteen.account import SPEND, RecordCanteenTransaction
from core_records.custody.applications import RecordApplication
from core_records.errors import InvalidMessage, NotPermitted
from core_records.identifiers import NOMS, Identifier

SAMPLES = Path(package.__file__).parent / "samples"
LEEDS_KIOSKS = adapter.partners["kiosks_lei"]

INVALID = testing.samples(SAMPLES / "invalid", "*.json")

WHY_INVALID = {
    "application-blank-text.json": (InvalidMessage, "pattern"),
    "application-unknown-field.json": (InvalidMessage, "additionalProperties"),
    "application-unknown-type.json": (InvalidMessage, "enum"),
    "order-bad-prison-number.json": (InvalidMessage, "pattern"),
    "order-for-another-prison.json": (NotPermitted, None),
    "order-impossible-time.json": (InvalidMessage, "date-time"),
    "order-not-json.json": (InvalidMessage, "json-syntax"),
    "order-over-the-order-limit.json": (InvalidMessage, "order-total"),
    "order-quantity-zero.json": (InvalidMessage, "minimum"),
    "order-without-items.json": (InvalidMessage, "minItems"),
}


def test_the_declaration_hangs_together() -> None:
    testing.check_declaration(adapter)
    assert set(adapter.inbound) == {"order", "application"}
    assert {t.format for t in adapter.inbound.values()} == {"json"}
    assert adapter.subscriptions == {}
    assert LEEDS_KIOSKS.establishments == frozenset({"LEI"})


def test_there_is_a_valid_sample_of_every_message_type() -> None:
    valid = testing.samples(SAMPLES / "valid", "*.json")
    assert {testing.message_type_of(sample) for sample in valid} == set(adapter.inbound)


def test_an_order_becomes_one_spend_of_its_total() -> None:
    [command] = testing.check_valid_sample(
        adapter, SAMPLES / "valid/order-two-items.json", LEEDS_KIOSKS
    )

    assert isinstance(command, RecordCanteenTransaction)
    assert (command.transaction_type, command.amount_pence) == (SPEND, 2 * 85 + 199)
    assert command.person == (Identifier(NOMS, "A1234BC"),)
    assert (command.client_reference, command.establishment) == ("KSK-LEI-0000001", "LEI")


def test_an_application_keeps_its_type_text_and_reference() -> None:
    sample = SAMPLES / "valid/application-healthcare.json"
    [command] = testing.check_valid_sample(adapter, sample, LEEDS_KIOSKS)

    assert isinstance(command, RecordApplication)
    assert (command.application_type, command.establishment) == ("HEALTHCARE", "LEI")
    assert command.text.startswith("I would like to see the dentist")


def test_every_invalid_sample_says_why_it_is_invalid() -> None:
    assert sorted(p.name for p in INVALID) == sorted(WHY_INVALID)


@pytest.mark.parametrize("sample", INVALID, ids=lambda p: p.name)
def test_an_invalid_sample_is_refused_for_its_reason(sample: Path) -> None:
    error = testing.check_invalid_sample(adapter, sample, LEEDS_KIOSKS)
    kind, rule = WHY_INVALID[sample.name]
    assert isinstance(error, kind), error
    if rule is not None:
        assert isinstance(error, InvalidMessage) and error.rule == rule, error.reason
