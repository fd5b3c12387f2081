"""The private-prison adapter against the contract kit: every valid sample is accepted and
translates, every invalid one is refused for the one reason its name gives."""

from __future__ import annotations

from pathlib import Path

import pytest

import adapters.private_prisons as package
from adapters import testing
from adapters.private_prisons import adapter
from core_records.commands import RecordReception, RecordRelease, RecordTransfer
from core_records.errors import InvalidIdentifier, InvalidMessage, NotPermitted
from core_records.partner_records.commands import (
    CloseNonAssociation,
    RecordNonAssociation,
    RecordSentence,
    RecordVisit,
)

SAMPLES = Path(package.__file__).parent / "samples"
SERCO = adapter.partners["serco"]

VALID = testing.samples(SAMPLES / "valid")
INVALID = testing.samples(SAMPLES / "invalid")

COMMAND_TYPES = {"reception": RecordReception, "transfer": RecordTransfer, "release": RecordRelease,
                 "visit": RecordVisit, "sentence": RecordSentence,
                 "non-association": RecordNonAssociation | CloseNonAssociation}  # fmt: skip

WHY_INVALID = {
    "reception-at-prison-operator-does-not-run.xml": (NotPermitted, None),
    "reception-bad-date-of-birth.xml": (InvalidMessage, "SCHEMAV_CVC_DATATYPE_VALID_1_2_1"),
    "reception-bad-pnc-check-letter.xml": (InvalidIdentifier, None),
    "reception-header-and-movement-disagree.xml": (InvalidMessage, "establishment-mismatch"),
    "reception-missing-surname.xml": (InvalidMessage, "SCHEMAV_ELEMENT_CONTENT"),
    "reception-movement-time-without-offset.xml": (InvalidMessage, "SCHEMAV_CVC_PATTERN_VALID"),
    "reception-unknown-element.xml": (InvalidMessage, "SCHEMAV_ELEMENT_CONTENT"),
    "reception-with-doctype.xml": (InvalidMessage, "no-dtd"),
    "reception-wrong-namespace.xml": (InvalidMessage, "SCHEMAV_CVC_ELT_1"),
    "release-establishment-code-not-a-prison.xml": (InvalidMessage, "SCHEMAV_CVC_PATTERN_VALID"),
    "sentence-calculated-without-offset.xml": (InvalidMessage, "SCHEMAV_CVC_PATTERN_VALID"),
    "sentence-key-date-given-twice.xml": (InvalidMessage, "key-date-repeated"),
    "transfer-to-the-same-prison.xml": (InvalidMessage, "transfer-destination"),
    "visit-at-prison-operator-does-not-run.xml": (NotPermitted, None),
    "visit-ends-before-it-starts.xml": (InvalidMessage, "visit-times"),
    "visit-unknown-type.xml": (InvalidMessage, "SCHEMAV_CVC_ENUMERATION_VALID"),
    "non-association-at-prison-operator-does-not-run.xml": (NotPermitted, None),
    "non-association-closed-without-end-date.xml": (InvalidMessage, "end-date-required"),
    "non-association-ends-before-it-starts.xml": (InvalidMessage, "non-association-dates"),
    "non-association-open-with-end-date.xml": (InvalidMessage, "end-date-on-open"),
    "non-association-unknown-reason.xml": (InvalidMessage, "SCHEMAV_CVC_ENUMERATION_VALID"),
    "non-association-with-themselves.xml": (InvalidMessage, "same-person"),
}
"""Each invalid sample, with the error and rule it must be refused with."""


def test_the_declaration_hangs_together() -> None:
    testing.check_declaration(adapter)
    assert set(adapter.inbound) == {
        "reception", "transfer", "release", "visit", "sentence", "non-association",
    }  # fmt: skip
    assert set(adapter.subscriptions) == {
        "prisoner.received", "prisoner.released", "prisoner.updated",
    }  # fmt: skip


def test_there_is_a_valid_sample_of_every_message_type() -> None:
    found = {testing.message_type_of(sample, adapter.inbound) for sample in VALID}
    assert found == set(adapter.inbound)


@pytest.mark.parametrize("sample", VALID, ids=lambda p: p.name)
def test_a_valid_sample_is_accepted_and_translates(sample: Path) -> None:
    (command,) = testing.check_valid_sample(adapter, sample, SERCO)
    assert isinstance(command, COMMAND_TYPES[testing.message_type_of(sample, adapter.inbound)])


def test_every_invalid_sample_says_why_it_is_invalid() -> None:
    assert sorted(p.name for p in INVALID) == sorted(WHY_INVALID)


@pytest.mark.parametrize("sample", INVALID, ids=lambda p: p.name)
def test_an_invalid_sample_is_refused_for_its_reason(sample: Path) -> None:
    error = testing.check_invalid_sample(adapter, sample, SERCO)
    expected_type, expected_rule = WHY_INVALID[sample.name]
    assert type(error) is expected_type
    if expected_rule is not None:
        assert isinstance(error, InvalidMessage)
        assert error.rule == expected_rule
