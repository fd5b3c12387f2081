"""The security application's adapter against the contract kit."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import adapters.security as package
from adapters import testing
from adapters.security import adapter
from adapters.security.identity import INFORMATION_KEYS as IDENTITY_KEYS
from adapters.security.identity import RENDERERS as IDENTITY_RENDERERS
from adapters.security.render import INFORMATION_KEYS, RENDERERS
from core_records.commands import RecordIntelligenceFlag, RecordSecurityAlert
from core_records.errors import InvalidMessage
from core_records.events import (
    ALERT_CREATED,
    ALERT_INACTIVE,
    NON_ASSOCIATION_CLOSED,
    NON_ASSOCIATION_CREATED,
    PRISONER_MERGED,
    PRISONER_RECEIVED,
    PRISONER_RELEASED,
    PRISONER_UNMERGED,
    PRISONER_UPDATED,
    CanonicalEvent,
)
from core_records.identifiers import Identifier
from tests.unit.adapters.delius.events import prison_numbers, prisons, renderable_events

SAMPLES = Path(package.__file__).parent / "samples"
SECURITY = adapter.partners["security"]
VALID = testing.samples(SAMPLES / "valid")
INVALID = testing.samples(SAMPLES / "invalid")

WHY_INVALID = {
    "alert-bad-prison-number.xml": "SCHEMAV_CVC_PATTERN_VALID",
    "alert-not-a-security-code.xml": "SCHEMAV_CVC_PATTERN_VALID",
    "alert-unknown-status.xml": "SCHEMAV_CVC_ENUMERATION_VALID",
    "flag-an-alert-sent-as-a-flag.xml": "SCHEMAV_CVC_ELT_1",
    "flag-bad-grading.xml": "SCHEMAV_CVC_PATTERN_VALID",
    "flag-time-without-offset.xml": "SCHEMAV_CVC_PATTERN_VALID",
    "flag-unknown-code.xml": "SCHEMAV_CVC_ENUMERATION_VALID",
}


def test_the_declaration_hangs_together() -> None:
    testing.check_declaration(adapter)
    assert (adapter.delivery, adapter.transports) == ("amqp", ("amqp",))
    assert set(adapter.inbound) == {"alert", "flag"}
    assert set(adapter.subscriptions) == {
        PRISONER_RECEIVED,
        PRISONER_RELEASED,
        ALERT_CREATED,
        ALERT_INACTIVE,
        NON_ASSOCIATION_CREATED,
        NON_ASSOCIATION_CLOSED,
        PRISONER_MERGED,
        PRISONER_UNMERGED,
        PRISONER_UPDATED,
    }


def test_the_policy_is_security_cleared_and_names_only_what_the_documents_need() -> None:
    policy = adapter.policy
    assert policy.security_cleared
    assert policy.event_types == set(RENDERERS) | set(IDENTITY_RENDERERS)
    assert policy.identifier_types == {"NOMS", "PNC", "CRO"}
    assert policy.information_keys == INFORMATION_KEYS | IDENTITY_KEYS
    assert (policy.rows, policy.person_fields) == ("everyone", frozenset())


def test_there_is_a_valid_sample_of_every_message_type() -> None:
    assert {testing.message_type_of(sample) for sample in VALID} == set(adapter.inbound)


@pytest.mark.parametrize("sample", VALID, ids=lambda p: p.name)
def test_a_valid_sample_is_accepted_and_translates(sample: Path) -> None:
    (command,) = testing.check_valid_sample(adapter, sample, SECURITY)
    expected = RecordSecurityAlert if sample.name.startswith("alert") else RecordIntelligenceFlag
    assert isinstance(command, expected)


def test_every_invalid_sample_says_why_it_is_invalid() -> None:
    assert sorted(p.name for p in INVALID) == sorted(WHY_INVALID)


@pytest.mark.parametrize("sample", INVALID, ids=lambda p: p.name)
def test_an_invalid_sample_is_refused_for_its_reason(sample: Path) -> None:
    error = testing.check_invalid_sample(adapter, sample, SECURITY)
    assert isinstance(error, InvalidMessage)
    assert error.rule == WHY_INVALID[sample.name]


@pytest.mark.parametrize(
    ("event_file", "rendered_file"), testing.rendered_samples(SAMPLES), ids=lambda p: p.name
)
def test_each_sample_event_renders_to_its_sample_document(
    event_file: Path, rendered_file: Path
) -> None:
    testing.check_rendered_sample(adapter, event_file, rendered_file)


@st.composite
def security_events(draw: st.DrawFn) -> CanonicalEvent:
    kind = draw(st.sampled_from(["movement", "alert", "non-association"]))
    if kind == "movement":
        return draw(renderable_events())
    event_type, information = (
        (
            draw(st.sampled_from([ALERT_CREATED, ALERT_INACTIVE])),
            {"alertType": draw(st.sampled_from("ACHRX")), "alertCode": "ROH"},
        )
        if kind == "alert"
        else (
            draw(st.sampled_from([NON_ASSOCIATION_CREATED, NON_ASSOCIATION_CLOSED])),
            {"otherPrisonNumber": draw(prison_numbers), "reasonCode": "VIC"},
        )
    )
    return CanonicalEvent(
        event_type=event_type,
        occurred_at=datetime(2024, 5, 2, 10, tzinfo=UTC),
        person_identifiers=(Identifier("NOMS", draw(prison_numbers)),),
        additional_information={**information, "prisonId": draw(prisons)},
    )


@given(testing.events_with_withheld_fields(adapter, security_events()))
def test_nothing_the_policy_withholds_reaches_the_security_application(
    case: tuple[CanonicalEvent, frozenset[str]],
) -> None:
    event, markers = case
    assert testing.check_renders_nothing_withheld(adapter, event, markers) is not None
