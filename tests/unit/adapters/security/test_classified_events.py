"""Security alerts and intelligence flags reach no partner but the security application:
whatever any other adapter declares, it renders nothing for them, and the registry refuses
an adapter that asks for them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.base import Adapter, PartnerScope, SharingPolicy, Subscription
from adapters.registry import AdapterRegistry, AdapterRegistryError
from core_records.events import SECURITY_CLASSIFIED_EVENT_TYPES, CanonicalEvent
from core_records.identifiers import CRN, CRO, NOMS, PNC, Identifier

INSTALLED = AdapterRegistry.from_entry_points()
OTHERS = [a for a in INSTALLED if a.name != "security"]


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


def test_every_installed_adapter_but_the_security_one_is_checked() -> None:
    assert {a.name for a in OTHERS} >= {"delius", "pnc", "private_prisons"}
    assert "security" in INSTALLED.adapters


@pytest.mark.parametrize("adapter", OTHERS, ids=lambda a: a.name)
@pytest.mark.parametrize("event_type", sorted(SECURITY_CLASSIFIED_EVENT_TYPES))
def test_no_other_adapter_renders_anything_for_a_classified_event(
    adapter: Adapter, event_type: str
) -> None:
    assert adapter.render(_classified(event_type)) is None
    assert event_type not in INSTALLED.subscriptions().get(adapter.name, [])


def _render_anything(event: CanonicalEvent) -> bytes:
    return event.to_json()


def _greedy(name: str, event_type: str) -> Adapter:
    """An adapter whose own policy lets it have a classified event."""
    return Adapter(
        name=name,
        partner="A partner that should not see security intelligence",
        partners={name: PartnerScope(name, name)},
        subscriptions={event_type: Subscription(event_type, _render_anything)},
        policy=SharingPolicy(frozenset({event_type}), frozenset({NOMS}), frozenset({"alertCode"})),
        delivery="http",
    )


@pytest.mark.parametrize("event_type", sorted(SECURITY_CLASSIFIED_EVENT_TYPES))
def test_an_adapter_cannot_clear_itself_by_its_own_policy(event_type: str) -> None:
    greedy = _greedy("kiosks", event_type)
    assert greedy.render(_classified(event_type)) is None
    with pytest.raises(AdapterRegistryError, match="security-classified"):
        AdapterRegistry([greedy])


def test_the_security_adapter_is_cleared() -> None:
    cleared = _greedy("security", "alert.security.raised")
    assert cleared.render(_classified("alert.security.raised")) is not None
    assert AdapterRegistry([cleared]).subscriptions() == {"security": ["alert.security.raised"]}
