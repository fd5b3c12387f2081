"""OASys: assessment summaries translated, each invalid sample refused for its reason, and
offender updates rendered for what keeps an assessment current."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

import adapters.oasys as package
from adapters import testing
from adapters.oasys import adapter
from adapters.oasys.simulator import assessment_summary
from core_records.errors import InvalidMessage
from core_records.events import CanonicalEvent
from core_records.identifiers import Identifier
from core_records.partner_records.commands import RecordRiskAssessment, RoshLevel

SAMPLES = Path(package.__file__).parent / "samples"
OASYS = adapter.partners["oasys"]


def test_a_summary_carries_each_groups_levels_and_the_scores() -> None:
    sample = SAMPLES / "valid" / "assessment-high-risk-to-the-public.xml"
    (command,) = testing.check_valid_sample(adapter, sample, OASYS)
    assert isinstance(command, RecordRiskAssessment)
    assert command.person == (Identifier("NOMS", "A7301EK"), Identifier("CRN", "X757129"))
    assert (command.assessment_id, command.assessment_type, command.status) == (
        "10082385", "LAYER3", "COMPLETE",
    )  # fmt: skip
    assert RoshLevel("PUBLIC", "MEDIUM", "HIGH") in command.rosh
    assert RoshLevel("PRISONERS", "LOW", None) in command.rosh
    assert command.overall_rosh == "HIGH"
    assert dict(command.scores) == {"OGRS3_1YR": 34, "OGRS3_2YR": 51, "OVP_1YR": 22}


def test_the_simulators_summaries_are_valid_documents() -> None:
    body = assessment_summary(
        "5", datetime(2024, 5, 4, 13, 55, tzinfo=UTC), {"STAFF": ("VERY_HIGH", None)}, crn="X757129"
    )
    (command,) = testing.accept(adapter, "assessment", body, OASYS)
    assert isinstance(command, RecordRiskAssessment)
    assert command.overall_rosh == "VERY_HIGH"


WHY_INVALID = {
    "assessment-bad-prison-number.xml": "SCHEMAV_CVC_PATTERN_VALID",
    "assessment-group-assessed-twice.xml": "group-repeated",
    "assessment-group-without-a-level.xml": "level-required",
    "assessment-naming-no-one.xml": "identifier-required",
    "assessment-prisoners-at-risk-in-the-community.xml": "prisoners-in-custody-only",
    "assessment-unknown-level.xml": "SCHEMAV_CVC_ENUMERATION_VALID",
}


def test_every_invalid_sample_says_why_it_is_invalid() -> None:
    assert sorted(p.name for p in testing.samples(SAMPLES / "invalid")) == sorted(WHY_INVALID)


@pytest.mark.parametrize("name", sorted(WHY_INVALID))
def test_an_invalid_sample_is_refused_for_its_reason(name: str) -> None:
    error = testing.check_invalid_sample(adapter, SAMPLES / "invalid" / name, OASYS)
    assert isinstance(error, InvalidMessage)
    assert error.rule == WHY_INVALID[name]


def sample_event(name: str) -> CanonicalEvent:
    return CanonicalEvent.from_json((SAMPLES / "events" / f"{name}.json").read_bytes())


def test_oasys_hears_nothing_of_the_leaving_half_of_a_transfer() -> None:
    leaving = replace(
        sample_event("released-on-licence"),
        additional_information={"prisonId": "DNI", "reason": "TRANSFERRED",
                                "movementReasonCode": "NOTR", "toPrisonId": "LEI"},
    )  # fmt: skip
    assert adapter.render(leaving) is None


def test_oasys_is_never_sent_a_pnc_id() -> None:
    for name in ("received-new-admission", "sentence-dates-changed"):
        rendered = adapter.render(sample_event(name))
        assert rendered is not None and b"2003/0412876Y" not in rendered


def test_a_sentence_event_without_dates_cannot_be_rendered() -> None:
    event = replace(sample_event("sentence-dates-changed"), additional_information={})
    with pytest.raises(InvalidMessage, match="has no sentenceDates"):
        adapter.render(event)
