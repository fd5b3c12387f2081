"""The PNC adapter against the contract kit: its declaration, every valid sample accepted,
every invalid one refused for its reason, its rendered samples, and nothing its sharing
policy withholds ever reaching PNC."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import adapters.pnc as package
from adapters import testing
from adapters.pnc import adapter
from adapters.pnc.prison_merge import INFORMATION_KEYS as MERGE_KEYS
from adapters.pnc.render import INFORMATION_KEYS
from core_records.commands import (
    AmendPoliceRecord,
    AssignPoliceIdentifiers,
    MergePoliceRecords,
    RecordPoliceLookup,
)
from core_records.errors import InvalidIdentifier, InvalidMessage
from core_records.events import TEMPORARY_MOVEMENT_REASONS, CanonicalEvent
from tests.unit.adapters.delius.events import renderable_events

SAMPLES = Path(package.__file__).parent / "samples"
PNC = adapter.partners["pnc"]
VALID = testing.samples(SAMPLES / "valid")
INVALID = testing.samples(SAMPLES / "invalid")

COMMAND_TYPES = {
    "identifiers": AssignPoliceIdentifiers,
    "amendment": AmendPoliceRecord,
    "merge": MergePoliceRecords,
    "reply": RecordPoliceLookup,
}

WHY_INVALID = {
    "amendment-name-without-forenames.xml": (InvalidMessage, "SCHEMAV_ELEMENT_CONTENT"),
    "amendment-with-doctype.xml": (InvalidMessage, "no-dtd"),
    "identifiers-bad-cro-check-letter.xml": (InvalidIdentifier, None),
    "identifiers-bad-pnc-check-letter.xml": (InvalidIdentifier, None),
    "identifiers-missing-prison-number.xml": (InvalidMessage, "SCHEMAV_ELEMENT_CONTENT"),
    "identifiers-short-year.xml": (InvalidMessage, "SCHEMAV_CVC_PATTERN_VALID"),
    "identifiers-time-without-offset.xml": (InvalidMessage, "SCHEMAV_CVC_PATTERN_VALID"),
    "identifiers-wrong-namespace.xml": (InvalidMessage, "SCHEMAV_CVC_ELT_1"),
    "merge-a-reply-sent-as-a-merge.xml": (InvalidMessage, "SCHEMAV_CVC_ELT_1"),
    "merge-same-record.xml": (InvalidMessage, "merge-same-record"),
    "reply-found-without-pnc-id.xml": (InvalidMessage, "found-without-pnc-id"),
    "reply-not-found-with-ids.xml": (InvalidMessage, "not-found-with-ids"),
}


def test_the_declaration_hangs_together() -> None:
    testing.check_declaration(adapter)
    assert adapter.delivery == "amqp"
    assert adapter.transports == ("amqp",)
    assert set(adapter.partners) == {"pnc"}


def test_the_policy_shares_custody_events_police_ids_and_the_documents_fields() -> None:
    policy = adapter.policy
    assert policy.event_types == {
        "prisoner.received", "prisoner.released", "prisoner.merged", "prisoner.unmerged",
    }  # fmt: skip
    assert policy.identifier_types == {"NOMS", "PNC", "CRO"}
    assert policy.information_keys == {
        "prisonId", "reason", "movementReasonCode", "person", "removedNomsNumber",
        "restoredNomsNumber",
    }  # fmt: skip
    # Exactly what the documents are made from: no more leaks, no less starves a document.
    assert policy.information_keys == INFORMATION_KEYS | MERGE_KEYS
    assert (policy.rows, policy.security_cleared, policy.person_fields) == (
        "everyone",
        False,
        frozenset(),
    )


def test_there_is_a_valid_sample_of_every_message_type() -> None:
    assert {testing.message_type_of(sample) for sample in VALID} == set(adapter.inbound)


@pytest.mark.parametrize("sample", VALID, ids=lambda p: p.name)
def test_a_valid_sample_is_accepted_and_translates(sample: Path) -> None:
    (command,) = testing.check_valid_sample(adapter, sample, PNC)
    assert isinstance(command, COMMAND_TYPES[testing.message_type_of(sample)])


def test_every_invalid_sample_says_why_it_is_invalid() -> None:
    assert sorted(p.name for p in INVALID) == sorted(WHY_INVALID)


@pytest.mark.parametrize("sample", INVALID, ids=lambda p: p.name)
def test_an_invalid_sample_is_refused_for_its_reason(sample: Path) -> None:
    error = testing.check_invalid_sample(adapter, sample, PNC)
    expected_type, expected_rule = WHY_INVALID[sample.name]
    assert type(error) is expected_type
    if expected_rule is not None:
        assert isinstance(error, InvalidMessage)
        assert error.rule == expected_rule


@pytest.mark.parametrize(
    ("event_file", "rendered_file"), testing.rendered_samples(SAMPLES), ids=lambda p: p.name
)
def test_each_sample_event_renders_to_its_sample_document(
    event_file: Path, rendered_file: Path
) -> None:
    testing.check_rendered_sample(adapter, event_file, rendered_file)


PERSON = st.fixed_dictionaries(
    {
        "surname": st.sampled_from(["JONES", "O'NEILL", "SMITH-PATEL"]),
        "forenames": st.sampled_from(["DAVID", "MARY ANN"]),
        "dateOfBirth": st.dates().map(lambda d: d.isoformat()),
        "sex": st.sampled_from(["M", "F", "NK", "NS"]),
    }
)


@st.composite
def pnc_events(draw: st.DrawFn) -> CanonicalEvent:
    event = draw(renderable_events())
    if event.event_type == "prisoner.received" and draw(st.booleans()):
        information = {**event.additional_information, "person": draw(PERSON)}
        event = CanonicalEvent(**{**event.__dict__, "additional_information": information})
    return event


def _renders_something(event: CanonicalEvent) -> bool:
    reason = event.additional_information["reason"]
    has_pnc = any(i.type == "PNC" for i in event.person_identifiers)
    if reason in TEMPORARY_MOVEMENT_REASONS:
        return False  # out to court or on temporary absence: still in custody
    if event.event_type == "prisoner.released":
        return has_pnc and reason != "TRANSFERRED"
    return has_pnc or (reason != "TRANSFERRED" and "person" in event.additional_information)


@given(testing.events_with_withheld_fields(adapter, pnc_events()))
def test_nothing_the_policy_withholds_reaches_pnc(
    case: tuple[CanonicalEvent, frozenset[str]],
) -> None:
    event, markers = case
    body = testing.check_renders_nothing_withheld(
        adapter, event, markers, must_render=_renders_something(event)
    )
    assert (body is not None) == _renders_something(event)
