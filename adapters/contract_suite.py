"""The contract suite: one pytest class any adapter's tests subclass to run the whole kit.

    from adapters.contract_suite import AdapterContract

    class TestMyPartnerContract(AdapterContract):
        adapter_packages = ("my_partner",)   # a package with `adapter` and `samples/`

Left empty, ``adapter_packages`` means every adapter registered in the ``gatehouse.adapters``
entry-point group, so that an adapter installed later (in this repository or outside it) is
checked without anyone editing a test. For each adapter the suite checks, with the checks
of ``adapters.testing``:

- its declaration, its ``policy.toml``, and a rendered sample for every subscription;
- every ``samples/valid/*`` is accepted (by at least one of its partner identities) and
  translates to commands; every ``samples/invalid/*`` is refused by every one of them,
  with a reason; each is ``.xml`` or ``.json`` as its message type's format is;
- every ``samples/events/*.json`` renders to exactly its ``samples/rendered/*.xml`` (or
  ``*.json`` for an adapter that delivers JSON);
- property-based (hypothesis): nothing its policy withholds reaches what it renders, and an
  event carrying a security (X) alert reaches no partner that is not security-cleared.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from importlib import import_module
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters import testing
from adapters.base import Adapter
from adapters.policy_file import POLICY_FILE, load_policy
from adapters.registry import ENTRY_POINT_GROUP
from core_records.errors import PermanentError
from core_records.events import CanonicalEvent


@dataclass(frozen=True)
class AdapterUnderTest:
    """An adapter and the directory of its package (where ``samples/`` and ``policy.toml``
    are)."""

    adapter: Adapter
    package_dir: Path

    @property
    def samples_dir(self) -> Path:
        return self.package_dir / "samples"

    def sample_files(self, kind: str, pattern: str) -> list[Path]:
        return sorted((self.samples_dir / kind).glob(pattern))

    def sample_events(self) -> list[CanonicalEvent]:
        return [
            CanonicalEvent.from_json(path.read_bytes())
            for path in self.sample_files("events", "*.json")
        ]


def from_package(package: str) -> AdapterUnderTest:
    """The ``adapter`` of the importable ``package`` (``adapters.delius``)."""
    module = import_module(package)
    return AdapterUnderTest(module.adapter, Path(module.__file__ or "").parent)


def registered() -> list[AdapterUnderTest]:
    """Every adapter in the ``gatehouse.adapters`` entry-point group, by name."""
    found = [
        AdapterUnderTest(ep.load(), Path(import_module(ep.module).__file__ or "").parent)
        for ep in entry_points(group=ENTRY_POINT_GROUP)
    ]
    return sorted(found, key=lambda a: a.adapter.name)


def _cases(under_test: Iterable[AdapterUnderTest], kind: str, pattern: str) -> list[Any]:
    return [
        pytest.param(a, path, id=f"{a.adapter.name}:{path.name}")
        for a in under_test
        for path in a.sample_files(kind, pattern)
    ]


def _inbound_cases(under_test: Iterable[AdapterUnderTest], kind: str) -> list[Any]:
    return [
        pytest.param(a, path, id=f"{a.adapter.name}:{path.name}")
        for a in under_test
        for path in testing.inbound_samples(a.samples_dir / kind)
    ]


def _renders(adapter: Adapter) -> bool:
    return bool(adapter.subscriptions)


def _renders_uncleared(adapter: Adapter) -> bool:
    return bool(adapter.subscriptions) and not adapter.policy.security_cleared


_WHICH_ADAPTERS = {
    "test_nothing_its_policy_withholds_reaches_what_it_renders": _renders,
    "test_a_security_alert_renders_for_no_partner_but_a_cleared_one": _renders_uncleared,
}
"""Tests that concern only some adapters; the others run for every adapter."""


class AdapterContract:
    """Subclass as ``Test...``; see the module's docstring."""

    adapter_packages: ClassVar[tuple[str, ...]] = ()
    """Packages to check; empty means every registered adapter."""

    @classmethod
    def adapters_under_test(cls) -> list[AdapterUnderTest]:
        if cls.adapter_packages:
            return [from_package(package) for package in cls.adapter_packages]
        return registered()

    @classmethod
    def pytest_generate_tests(cls, metafunc: pytest.Metafunc) -> None:
        under_test = cls.adapters_under_test()
        names = metafunc.fixturenames
        if "valid_sample" in names:
            metafunc.parametrize(
                ("under_test", "valid_sample"), _inbound_cases(under_test, "valid")
            )
        elif "invalid_sample" in names:
            metafunc.parametrize(
                ("under_test", "invalid_sample"), _inbound_cases(under_test, "invalid")
            )
        elif "event_sample" in names:
            metafunc.parametrize(
                ("under_test", "event_sample"), _cases(under_test, "events", "*.json")
            )
        elif "under_test" in names:
            wanted = _WHICH_ADAPTERS.get(metafunc.function.__name__, lambda adapter: True)
            metafunc.parametrize(
                "under_test",
                [pytest.param(a, id=a.adapter.name) for a in under_test if wanted(a.adapter)],
            )

    # --- declaration ------------------------------------------------------------------------

    def test_the_declaration_hangs_together(self, under_test: AdapterUnderTest) -> None:
        testing.check_declaration(under_test.adapter)

    def test_the_policy_is_the_one_its_policy_file_declares(
        self, under_test: AdapterUnderTest
    ) -> None:
        declared = load_policy(under_test.package_dir / POLICY_FILE)
        assert under_test.adapter.policy == declared, (
            f"{under_test.adapter.name}'s policy is not the one in its {POLICY_FILE}"
        )

    def test_every_message_type_and_subscription_has_a_sample(
        self, under_test: AdapterUnderTest
    ) -> None:
        adapter = under_test.adapter
        valid_samples = testing.inbound_samples(under_test.samples_dir / "valid")
        valid = {testing.message_type_of(p, adapter.inbound) for p in valid_samples}
        assert valid == set(adapter.inbound), (
            f"{adapter.name}: valid samples show {sorted(valid)},"
            f" it accepts {sorted(adapter.inbound)}"
        )
        if adapter.inbound:
            assert testing.inbound_samples(under_test.samples_dir / "invalid"), (
                f"{adapter.name}: no invalid sample"
            )
        rendered = {event.event_type for event in under_test.sample_events()}
        assert rendered == set(adapter.subscriptions), (
            f"{adapter.name}: sample events show {sorted(rendered)}, it subscribes to"
            f" {sorted(adapter.subscriptions)}"
        )

    # --- inbound samples --------------------------------------------------------------------

    def test_a_valid_sample_is_accepted_and_translates(
        self, under_test: AdapterUnderTest, valid_sample: Path
    ) -> None:
        adapter = under_test.adapter
        testing.check_sample_format(adapter, valid_sample)
        refusals: list[str] = []
        for scope in adapter.partners.values():
            try:
                testing.check_valid_sample(adapter, valid_sample, scope)
                return
            except PermanentError as error:
                refusals.append(f"{scope.partner}: {error.reason}")
        raise AssertionError(
            f"no partner of {adapter.name} may send {valid_sample.name}: {refusals}"
        )

    def test_an_invalid_sample_is_refused_with_a_reason(
        self, under_test: AdapterUnderTest, invalid_sample: Path
    ) -> None:
        testing.check_sample_format(under_test.adapter, invalid_sample)
        for scope in under_test.adapter.partners.values():
            testing.check_invalid_sample(under_test.adapter, invalid_sample, scope)

    # --- outbound ---------------------------------------------------------------------------

    def test_a_sample_event_renders_to_its_sample_document(
        self, under_test: AdapterUnderTest, event_sample: Path
    ) -> None:
        suffix = testing.rendered_suffix(under_test.adapter)
        rendered = under_test.samples_dir / "rendered" / f"{event_sample.stem}{suffix}"
        testing.check_rendered_sample(under_test.adapter, event_sample, rendered)

    def test_nothing_its_policy_withholds_reaches_what_it_renders(
        self, under_test: AdapterUnderTest
    ) -> None:
        adapter = under_test.adapter
        events = st.sampled_from(under_test.sample_events())

        @settings(max_examples=60, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
        @given(testing.events_with_withheld_fields(adapter, events))
        def holds(case: tuple[CanonicalEvent, frozenset[str]]) -> None:
            testing.check_renders_nothing_withheld(adapter, *case)

        holds()

    def test_a_security_alert_renders_for_no_partner_but_a_cleared_one(
        self, under_test: AdapterUnderTest
    ) -> None:
        adapter = under_test.adapter
        events = st.sampled_from(under_test.sample_events())
        markings = st.sampled_from(
            [{"alertType": "X"}, {"alertCode": "XEL"}, {"alertCode": "xsa", "alertType": "R"}]
        )

        @settings(max_examples=30, deadline=None, database=None)
        @given(events, markings)
        def holds(event: CanonicalEvent, marking: dict[str, str]) -> None:
            marked = replace(
                event, additional_information={**event.additional_information, **marking}
            )
            assert adapter.recipients(marked) == (), f"{adapter.name} would receive {marking}"
            assert adapter.render(marked) is None, f"{adapter.name} rendered {marking}"

        holds()
