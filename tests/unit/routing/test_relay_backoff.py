"""The outbox relay backs off after a failed publish, doubling the wait each time, and goes
back to full speed once a publish succeeds: a nack from one queue does not stop the batch
reaching the others, so retrying at once, round after round, would flood them with copies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from core_records.errors import TransportUnavailable
from core_records.events import person_event
from core_records.identifiers import NOMS, Identifier
from core_records.store.outbox import OutboxEntry
from routing.messages import Message
from routing.relay import OutboxRelay

AT = datetime(2026, 12, 2, 9, tzinfo=UTC)
ENTRY = OutboxEntry(
    sequence=1,
    event=person_event(
        "prisoner.released", AT, [Identifier(NOMS, "A1234BC")], {"nomsNumber": "A1234BC"}
    ),
    correlation_id="c-1",
    causation_id="m-1",
    created_at=AT,
)


@dataclass
class OneEventStore:
    published: list[int] = field(default_factory=list)

    def claim_lease(self, name: str, owner: str, ttl_s: float) -> bool:
        return True

    def unpublished_events(self, limit: int = 500) -> list[OutboxEntry]:
        return [] if self.published else [ENTRY]

    def mark_published(self, entries: Sequence[OutboxEntry], at: datetime) -> None:
        self.published.extend(e.sequence for e in entries)


@dataclass
class NackingTransport:
    nacks_left: int
    attempts: int = 0

    def publish(self, exchange: str, messages: Sequence[Message]) -> None:
        self.attempts += 1
        if self.nacks_left:
            self.nacks_left -= 1
            raise TransportUnavailable("RabbitMQ refused a message published to 'events' (nack)")


def test_each_failed_publish_doubles_the_wait_up_to_the_cap_and_a_success_clears_it() -> None:
    store, transport = OneEventStore(), NackingTransport(nacks_left=8)
    relay = OutboxRelay(store=store, transport=transport, exchange="events", max_backoff_s=30)  # type: ignore[arg-type]

    waits = []
    for _ in range(8):
        assert relay.run_once() == 0
        waits.append(relay.backoff_s)
    assert waits == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
    assert store.published == []

    assert relay.run_once() == 1
    assert relay.backoff_s == 0.0
    assert store.published == [1]
    assert transport.attempts == 9
