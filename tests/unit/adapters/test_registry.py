"""The registry finds adapters through their entry points and refuses ambiguity: one name per
adapter, one adapter per partner identity."""

from __future__ import annotations

from dataclasses import replace
from importlib.metadata import EntryPoint

import pytest

import adapters.registry as registry_module
from adapters.base import Adapter, PartnerScope
from adapters.delius import adapter as delius
from adapters.private_prisons import adapter as private_prisons
from adapters.registry import (
    AdapterRegistry,
    AdapterRegistryError,
    DuplicateAdapter,
    UnknownAdapter,
    UnknownPartner,
    load_adapters,
)
from routing.topology import build_topology

SECOND_DELIUS = replace(delius, partner="Delius again", partners={})
SERCO_AGAIN = Adapter(
    name="serco_direct",
    partner="Serco's own feed",
    partners={"serco": PartnerScope("serco", "serco_direct")},
)
NOT_AN_ADAPTER = object()


def entry_point(name: str, value: str) -> EntryPoint:
    return EntryPoint(name, value, registry_module.ENTRY_POINT_GROUP)


@pytest.fixture
def registry() -> AdapterRegistry:
    return AdapterRegistry.from_entry_points()


def test_the_installed_entry_points_give_the_private_prisons_and_delius_adapters() -> None:
    found = load_adapters()
    assert {"private_prisons", "delius"} <= set(found)
    assert found["private_prisons"] is private_prisons
    assert found["delius"] is delius


def test_two_entry_points_for_one_adapter_name_are_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    points = [
        entry_point("delius", "adapters.delius:adapter"),
        entry_point("delius_copy", f"{__name__}:SECOND_DELIUS"),
    ]
    monkeypatch.setattr(registry_module, "entry_points", lambda group: points)
    with pytest.raises(DuplicateAdapter, match="two adapters are named 'delius'") as caught:
        load_adapters()
    assert "delius_copy" in str(caught.value)


def test_an_entry_point_that_is_not_an_adapter_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    points = [entry_point("odd", f"{__name__}:NOT_AN_ADAPTER")]
    monkeypatch.setattr(registry_module, "entry_points", lambda group: points)
    with pytest.raises(AdapterRegistryError, match=r"not an adapters\.base\.Adapter"):
        load_adapters()


def test_one_partner_claimed_by_two_adapters_is_refused() -> None:
    with pytest.raises(DuplicateAdapter, match="'serco' is claimed by both") as caught:
        AdapterRegistry([private_prisons, SERCO_AGAIN])
    assert "'private_prisons'" in str(caught.value)
    assert "'serco_direct'" in str(caught.value)


def test_a_partner_scope_that_names_another_adapter_is_refused() -> None:
    confused = replace(delius, partners={"delius": PartnerScope("delius", "private_prisons")})
    with pytest.raises(AdapterRegistryError, match="scope of partner 'delius' of adapter"):
        AdapterRegistry([confused])


def test_adapters_are_found_by_name(registry: AdapterRegistry) -> None:
    assert registry.adapter("delius") is delius
    assert registry.adapters["private_prisons"] is private_prisons
    assert [a.name for a in registry] == sorted(registry.adapters)


def test_an_unknown_adapter_name_is_a_clear_error(registry: AdapterRegistry) -> None:
    with pytest.raises(UnknownAdapter, match="no adapter is called 'magistrates'") as caught:
        registry.adapter("magistrates")
    assert "delius" in str(caught.value)
    assert not isinstance(caught.value, KeyError)


def test_a_partner_identity_gives_its_scope(registry: AdapterRegistry) -> None:
    serco = registry.scope_for_partner("serco")
    assert serco.adapter == "private_prisons"
    assert serco.establishments == {"ASI", "DGI", "DNI", "LGI", "TSI"}
    assert registry.scope_for_partner("delius") == PartnerScope("delius", "delius")


def test_an_unknown_partner_is_a_clear_error(registry: AdapterRegistry) -> None:
    with pytest.raises(UnknownPartner, match="no adapter serves a partner called 'mitie'"):
        registry.scope_for_partner("mitie")


def test_subscriptions_name_each_adapters_event_types_for_the_topology() -> None:
    registry = AdapterRegistry([private_prisons, delius])
    assert registry.subscriptions() == {
        "delius": [
            "prisoner.merged",
            "prisoner.received",
            "prisoner.released",
            "prisoner.sentence-dates-changed",
            "prisoner.unmerged",
            "prisoner.updated",
            "probation-case.prison-identifier.added",
        ],
        "private_prisons": ["prisoner.received", "prisoner.released", "prisoner.updated"],
    }
    topology = build_topology(registry.subscriptions(), namespace="test")
    bindings = topology.queue(topology.outbound_queue("delius")).bindings
    assert sorted(b.routing_key for b in bindings) == registry.subscriptions()["delius"]
