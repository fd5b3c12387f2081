"""The Delius adapter against the contract kit: its declaration, its rendered samples, and
nothing its sharing policy withholds ever reaching Delius."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given

import adapters.delius as package
from adapters import testing
from adapters.delius import adapter
from core_records.events import TEMPORARY_MOVEMENT_REASONS, CanonicalEvent
from tests.unit.adapters.delius.events import renderable_events

SAMPLES = Path(package.__file__).parent / "samples"


def test_the_declaration_hangs_together() -> None:
    testing.check_declaration(adapter)
    assert adapter.delivery == "http"
    assert set(adapter.inbound) == {"case", "allocation", "registration", "licence"}
    assert set(adapter.partners) == {"delius"}


def test_the_policy_shares_custody_events_probation_identifiers_and_the_documents_fields() -> None:
    policy = adapter.policy
    assert policy.event_types == {
        "prisoner.received", "prisoner.released", "prisoner.sentence-dates-changed",
        "probation-case.prison-identifier.added", "prisoner.merged", "prisoner.unmerged",
        "prisoner.updated",
    }  # fmt: skip
    assert policy.identifier_types == {"NOMS", "CRN", "PNC", "CRO"}
    assert policy.information_keys == {
        "prisonId", "reason", "movementReasonCode", "sentenceDates", "removedNomsNumber",
        "restoredNomsNumber", "names", "dateOfBirth",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("event_file", "rendered_file"),
    testing.rendered_samples(SAMPLES),
    ids=lambda p: p.name,
)
def test_each_sample_event_renders_to_its_sample_document(
    event_file: Path, rendered_file: Path
) -> None:
    testing.check_rendered_sample(adapter, event_file, rendered_file)


def test_the_samples_show_every_downstream_action() -> None:
    actions = {
        rendered.read_text().split("<Action>")[1].split("</Action>")[0]
        for _, rendered in testing.rendered_samples(SAMPLES)
        if "<CustodyStatus" in rendered.read_text()
    }
    assert actions == {
        "RECEPTION", "TRANSFER", "RELEASE", "DEATH", "HOSPITAL_TRANSFER", "DEPORTATION",
        "ABSCONDED",
    }  # fmt: skip


@given(testing.events_with_withheld_fields(adapter, renderable_events()))
def test_nothing_the_policy_withholds_reaches_delius(
    case: tuple[CanonicalEvent, frozenset[str]],
) -> None:
    event, markers = case
    released_on_transfer = event.additional_information["reason"] == "TRANSFERRED" and (
        event.event_type == "prisoner.released"
    )
    # Out to court or on temporary absence and back: still in custody, nothing for Delius.
    temporary = event.additional_information["reason"] in TEMPORARY_MOVEMENT_REASONS
    testing.check_renders_nothing_withheld(
        adapter, event, markers, must_render=not (released_on_transfer or temporary)
    )
