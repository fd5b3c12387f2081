"""Security alerts and intelligence flags reach no partner but a security-cleared one (the
security application, whose ``policy.toml`` alone says ``security_cleared = true``):
whatever any other adapter declares, it renders nothing for them, and the registry refuses
an adapter that asks for them without being cleared."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from adapters.base import Adapter, PartnerScope, SharingPolicy, Subscription, is_security_event_type
from adapters.registry import AdapterRegistry, AdapterRegistryError
from core_records.events import EVENT_DESCRIPTIONS, CanonicalEvent
from core_records.identifiers import CRN, CRO, NOMS, PNC, Identifier

INSTALLED = AdapterRegistry.from_entry_points()
CLEARED = sorted(a.name for a in INSTALLED if a.policy.security_cleared)
OTHERS = [a for a in INSTALLED if not a.policy.security_cleared]

CLASSIFIED = sorted(t for t in EVENT_DESCRIPTIONS if is_security_event_type(t))
"""The security-classified events the hub raises."""


def _classified(event_type: str) -> CanonicalEvent:
    """An event with every detail any renderer could want."""
    return CanonicalEvent(
        event_type=event_type,
        occurred_at=datetime(2024, 5, 2, 16, 35, tzinfo=UTC),
        person_identifiers=(
            Identifier(NOMS, "A1234BC"),
            Identifier(PNC, "2011/1187342F"),
            Identifier(CRO, "123456/99L"),
            Identifier(CRN, "X757129"),
        ),
        additional_information={
            "nomsNumber": "A1234BC",
            "prisonId": "LEI",
            "reason": "NEW_ADMISSION",
            "movementType": "ADM",
            "movementReasonCode": "N",
            "alertType": "X",
            "alertCode": "XEL",
            "alertReference": "SEC-1",
            "flagCode": "DRUG_SUPPLY",
            "grading": "B2",
        },
    )


def test_the_hub_raises_security_alerts_and_intelligence_flags_as_classified() -> None:
    assert CLASSIFIED == [
        "alert.security.closed",
        "alert.security.raised",
        "intelligence.flag.raised",
    ]


def test_the_security_application_is_the_only_installed_cleared_adapter() -> None:
    assert CLEARED == ["security"]
    assert {a.name for a in OTHERS} >= {"delius", "pnc", "private_prisons"}


@pytest.mark.parametrize("adapter", OTHERS, ids=lambda a: a.name)
@pytest.mark.parametrize("event_type", CLASSIFIED)
def test_no_other_adapter_renders_anything_for_a_classified_event(
    adapter: Adapter, event_type: str
) -> None:
    assert adapter.render(_classified(event_type)) is None
    assert adapter.recipients(_classified(event_type)) == ()
    assert event_type not in INSTALLED.subscriptions().get(adapter.name, [])


def _render_anything(event: CanonicalEvent) -> bytes:
    return event.to_json()


def _greedy(name: str, event_type: str, *, cleared: bool = False) -> Adapter:
    """An adapter whose own policy names a classified event."""
    return Adapter(
        name=name,
        partner="A partner that should not see security intelligence",
        partners={name: PartnerScope(name, name)},
        subscriptions={event_type: Subscription(event_type, _render_anything)},
        policy=SharingPolicy(
            frozenset({event_type}),
            frozenset({NOMS}),
            frozenset({"alertCode"}),
            security_cleared=cleared,
        ),
        delivery="http",
    )


@pytest.mark.parametrize("event_type", CLASSIFIED)
def test_an_adapter_that_is_not_cleared_cannot_have_one_by_naming_it(event_type: str) -> None:
    greedy = _greedy("kiosks", event_type)
    assert greedy.render(_classified(event_type)) is None
    with pytest.raises(AdapterRegistryError, match="security-classified") as refused:
        AdapterRegistry([greedy])
    assert event_type in str(refused.value) and "security_cleared" in str(refused.value)


def test_clearance_is_the_policys_not_the_adapters_name() -> None:
    uncleared = _greedy("security", "alert.security.raised")
    assert uncleared.render(_classified("alert.security.raised")) is None
    with pytest.raises(AdapterRegistryError, match="security-classified"):
        AdapterRegistry([uncleared])


def test_a_cleared_adapter_receives_them() -> None:
    cleared = _greedy("vetted", "alert.security.raised", cleared=True)
    assert cleared.render(_classified("alert.security.raised")) is not None
    assert AdapterRegistry([cleared]).subscriptions() == {"vetted": ["alert.security.raised"]}


def test_the_registry_refuses_an_uncleared_installed_adapter_that_asks() -> None:
    pnc = INSTALLED.adapter("pnc")
    asking = replace(
        pnc,
        policy=replace(
            pnc.policy, event_types=pnc.policy.event_types | {"intelligence.flag.raised"}
        ),
    )
    with pytest.raises(AdapterRegistryError, match="'pnc' adapter"):
        AdapterRegistry([asking])
