"""What Delius sends, translated: each valid sample to its command, each invalid one
refused for the one reason its name gives."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

import adapters.delius as package
from adapters import testing
from adapters.delius import adapter
from core_records.errors import InvalidIdentifier, InvalidMessage
from core_records.identifiers import Identifier
from core_records.partner_records.commands import (
    AllocateOffenderManager,
    RecordLicenceConditions,
    RecordProbationCase,
    RecordRegistration,
)

SAMPLES = Path(package.__file__).parent / "samples"
DELIUS = adapter.partners["delius"]
CRN = Identifier("CRN", "X757129")
NOMS = Identifier("NOMS", "A7301EK")


def translated(name: str) -> object:
    (command,) = testing.check_valid_sample(adapter, SAMPLES / "valid" / name, DELIUS)
    return command


def test_a_case_names_the_crn_and_the_identifiers_delius_matched_on() -> None:
    command = translated("case-matched-by-prison-number.xml")
    assert isinstance(command, RecordProbationCase)
    assert command.crn == CRN
    assert set(command.person) == {NOMS, CRN}
    assert command.date_of_birth == date(1987, 11, 23)


def test_a_pnc_id_in_its_short_form_is_made_canonical() -> None:
    command = translated("case-matched-by-pnc-id.xml")
    assert isinstance(command, RecordProbationCase)
    assert Identifier("PNC", "2003/0412876Y") in command.person


def test_an_allocation_names_the_offender_manager_and_team() -> None:
    command = translated("allocation-offender-manager.xml")
    assert isinstance(command, AllocateOffenderManager)
    assert command.person == (CRN, NOMS)
    assert (command.staff_code, command.staff_name, command.team_code, command.provider_code) == (
        "N02A123", "Priya Sandhu", "N02SHF", "N02",
    )  # fmt: skip
    assert command.allocated_on == date(2024, 5, 2)


def test_a_registration_carries_its_type_level_and_action() -> None:
    command = translated("registration-mappa-level-2.xml")
    assert isinstance(command, RecordRegistration)
    assert (command.registration_type, command.level, command.action) == (
        "MAPP", "M2", "REGISTERED",
    )  # fmt: skip


def test_a_licence_carries_every_condition_in_order() -> None:
    command = translated("licence-standard-and-additional-conditions.xml")
    assert isinstance(command, RecordLicenceConditions)
    assert [c.code for c in command.conditions] == ["STANDARD", "RESIDENCE", "NO_CONTACT"]


WHY_INVALID = {
    "allocation-sent-without-offset.xml": (InvalidMessage, "SCHEMAV_CVC_PATTERN_VALID"),
    "case-bad-crn.xml": (InvalidMessage, "SCHEMAV_CVC_PATTERN_VALID"),
    "case-bad-pnc-check-letter.xml": (InvalidIdentifier, None),
    "case-without-any-prison-identifier.xml": (InvalidMessage, "identifier-required"),
    "licence-condition-listed-twice.xml": (InvalidMessage, "condition-repeated"),
    "registration-unknown-action.xml": (InvalidMessage, "SCHEMAV_CVC_ENUMERATION_VALID"),
}


def test_every_invalid_sample_says_why_it_is_invalid() -> None:
    assert sorted(p.name for p in testing.samples(SAMPLES / "invalid")) == sorted(WHY_INVALID)


@pytest.mark.parametrize("name", sorted(WHY_INVALID))
def test_an_invalid_sample_is_refused_for_its_reason(name: str) -> None:
    error = testing.check_invalid_sample(adapter, SAMPLES / "invalid" / name, DELIUS)
    expected_type, expected_rule = WHY_INVALID[name]
    assert type(error) is expected_type
    if expected_rule is not None:
        assert isinstance(error, InvalidMessage)
        assert error.rule == expected_rule
