"""The outbox relay claims its lease again only once part of its time to live has passed."""

from __future__ import annotations

from dataclasses import dataclass, field

from core_records.store.outbox import OutboxEntry
from routing.relay import LEASE_NAME, OutboxRelay


@dataclass
class LeaseCountingStore:
    """A store with nothing to publish that grants the lease while ``grants`` says so."""

    grants: bool = True
    claims: list[tuple[str, str, float]] = field(default_factory=list)

    def claim_lease(self, name: str, owner: str, ttl_s: float) -> bool:
        self.claims.append((name, owner, ttl_s))
        return self.grants

    def unpublished_events(self, limit: int = 500) -> list[OutboxEntry]:
        return []


def relay(store: LeaseCountingStore, ttl_s: float = 600.0) -> OutboxRelay:
    return OutboxRelay(store=store, transport=None, exchange="events", lease_ttl_s=ttl_s)  # type: ignore[arg-type]


def test_an_idle_relay_holding_its_lease_does_not_claim_it_every_round() -> None:
    store = LeaseCountingStore()
    idle = relay(store)
    for _ in range(5):
        assert idle.run_once() == 0
    assert store.claims == [(LEASE_NAME, idle.owner, 600.0)]


def test_a_relay_refused_the_lease_asks_again_next_round() -> None:
    store = LeaseCountingStore(grants=False)
    waiting = relay(store)
    waiting.run_once()
    waiting.run_once()
    assert len(store.claims) == 2
    store.grants = True
    waiting.run_once()
    waiting.run_once()
    assert len(store.claims) == 3


def test_a_relay_whose_lease_is_a_sixth_through_claims_it_again() -> None:
    store = LeaseCountingStore()
    renewing = relay(store, ttl_s=0.0)  # every round is a sixth of no time later
    renewing.run_once()
    renewing.run_once()
    assert len(store.claims) == 2
