"""The contract kit itself: each check fails on an adapter that breaks the contract, so that
an adapter passing it has shown something."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import adapters.delius as delius_package
import adapters.private_prisons as private_prisons_package
from adapters import testing
from adapters.base import Adapter, PartnerScope, SharingPolicy, Subscription
from adapters.delius import adapter as delius
from adapters.kiosks import adapter as kiosks
from adapters.private_prisons import adapter as private_prisons
from core_records.errors import InvalidMessage
from core_records.events import PRISONER_RECEIVED, CanonicalEvent
from core_records.identifiers import Identifier

PRIVATE_PRISON_SAMPLES = Path(private_prisons_package.__file__).parent / "samples"
DELIUS_SAMPLES = Path(delius_package.__file__).parent / "samples"


@dataclass(frozen=True)
class PolicyThatWithholdsNothing(SharingPolicy):
    def apply(self, event: CanonicalEvent) -> CanonicalEvent:
        return event


def render_everything(event: CanonicalEvent) -> bytes:
    return event.to_json()


LEAKY = Adapter(
    name="leaky",
    partner="A partner that sees too much",
    partners={"leaky": PartnerScope("leaky", "leaky")},
    subscriptions={PRISONER_RECEIVED: Subscription(PRISONER_RECEIVED, render_everything)},
    policy=PolicyThatWithholdsNothing(
        frozenset({PRISONER_RECEIVED}), frozenset({"NOMS"}), frozenset({"prisonId"})
    ),
    delivery="http",
)

A_RECEPTION = CanonicalEvent(
    PRISONER_RECEIVED,
    datetime(2024, 5, 1, 9, 5, tzinfo=UTC),
    (Identifier("NOMS", "A1234BC"),),
    {"prisonId": "DNI"},
)


def test_a_policy_that_lets_a_withheld_value_through_is_caught() -> None:
    marker = "withheld0123456789abcdef"
    event = replace(
        A_RECEPTION,
        person_identifiers=(*A_RECEPTION.person_identifiers, Identifier("NINO", marker)),
    )
    with pytest.raises(AssertionError, match=marker):
        testing.check_renders_nothing_withheld(LEAKY, event, frozenset({marker}))


def test_the_property_finds_the_leak_on_its_own() -> None:
    @settings(max_examples=20, database=None)
    @given(testing.events_with_withheld_fields(LEAKY, st.just(A_RECEPTION)))
    def property_holds(case: tuple[CanonicalEvent, frozenset[str]]) -> None:
        testing.check_renders_nothing_withheld(LEAKY, *case)

    with pytest.raises(AssertionError, match="rendered values its policy withholds"):
        property_holds()


def test_an_adapter_that_renders_nothing_cannot_pass_the_withholding_check() -> None:
    silent = replace(
        LEAKY,
        policy=SharingPolicy(frozenset({PRISONER_RECEIVED}), frozenset(), frozenset()),
        subscriptions={PRISONER_RECEIVED: Subscription(PRISONER_RECEIVED, lambda event: None)},
    )
    with pytest.raises(AssertionError, match="rendered nothing"):
        testing.check_renders_nothing_withheld(silent, A_RECEPTION, frozenset())


def test_an_invalid_sample_that_is_accepted_is_caught(tmp_path: Path) -> None:
    sample = tmp_path / "reception-looks-invalid.xml"
    shutil.copy(PRIVATE_PRISON_SAMPLES / "valid" / "reception-new-person.xml", sample)
    with pytest.raises(AssertionError, match="invalid sample, but private_prisons accepted it"):
        testing.check_invalid_sample(private_prisons, sample, private_prisons.partners["serco"])


def test_a_rendered_sample_that_drifted_from_the_renderer_is_caught(tmp_path: Path) -> None:
    event_file, rendered_file = next(
        pair
        for pair in testing.rendered_samples(DELIUS_SAMPLES)
        if b"<Action>" in pair[1].read_bytes()
    )
    stale = tmp_path / rendered_file.name
    stale.write_bytes(rendered_file.read_bytes().replace(b"<Action>", b"<Action>OLD"))
    with pytest.raises(AssertionError, match="no longer renders to"):
        testing.check_rendered_sample(delius, event_file, stale)


def test_a_sample_event_that_is_not_a_valid_envelope_is_caught(tmp_path: Path) -> None:
    (event_file, rendered_file), *_ = testing.rendered_samples(DELIUS_SAMPLES)
    envelope = json.loads(event_file.read_text())
    envelope["occurredAt"] = "2024-05-01 09:05"
    broken = tmp_path / event_file.name
    broken.write_text(json.dumps(envelope))
    with pytest.raises(InvalidMessage, match=r"\$\.occurredAt"):
        testing.check_rendered_sample(delius, broken, rendered_file)


def test_a_subscription_the_policy_withholds_is_caught() -> None:
    muted = replace(delius, policy=replace(delius.policy, event_types=frozenset()))
    with pytest.raises(AssertionError, match="its policy withholds it"):
        testing.check_declaration(muted)


def test_a_subscription_without_a_delivery_is_caught() -> None:
    with pytest.raises(AssertionError, match="has no delivery"):
        testing.check_declaration(replace(delius, delivery=None))


def test_the_message_type_of_a_sample_is_the_start_of_its_name() -> None:
    assert testing.message_type_of(Path("reception-new-person.xml")) == "reception"
    assert testing.message_type_of(Path("release.xml")) == "release"


def test_a_message_type_with_a_hyphen_is_told_from_the_rest_of_a_samples_name() -> None:
    accepted = ("non", "non-association", "visit")
    for name, expected in [
        ("non-association-closed.xml", "non-association"),
        ("non-association.xml", "non-association"),
        ("non-sense.xml", "non"),
        ("visit-social.xml", "visit"),
        ("unknown-kind.xml", "unknown"),
    ]:
        assert testing.message_type_of(Path(name), accepted) == expected, name


def test_a_sample_in_another_format_than_its_message_types_is_caught(tmp_path: Path) -> None:
    as_xml = tmp_path / "order-two-items.xml"
    as_json = tmp_path / "reception-new-person.json"
    with pytest.raises(AssertionError, match="'order' messages are json, so its samples end in"):
        testing.check_sample_format(kiosks, as_xml)
    with pytest.raises(AssertionError, match="'reception' messages are xml"):
        testing.check_sample_format(private_prisons, as_json)
    testing.check_sample_format(kiosks, tmp_path / "order-two-items.json")


def test_inbound_samples_of_every_format_are_found(tmp_path: Path) -> None:
    for name in ("order-a.json", "reception-b.xml", "notes.txt", "orders.csv"):
        (tmp_path / name).write_text("{}")
    assert [p.name for p in testing.inbound_samples(tmp_path)] == [
        "order-a.json",
        "reception-b.xml",
    ]
