"""The outbox relay: canonical events from the store's outbox onto the events exchange.

An event is in the outbox because its record change committed; it is marked published only
after the broker confirmed it. So no event is lost if the process dies between the commit
and the publish (the next relay publishes it), and none is invented if the commit fails.
The price is that an event may be published twice after a crash; deliveries are
idempotent by event id (see ``routing.delivery``).

One relay publishes at a time, holding a lease in the store, so that events leave in
outbox order: that order is each person's order.
"""

from __future__ import annotations

import logging
import socket
import time
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from core_records.errors import TransientError
from core_records.store.record_store import OutboxEntry, RecordStore
from routing import worker_metrics
from routing.log_context import bound
from routing.messages import (
    HEADER_CAUSATION_ID,
    HEADER_CORRELATION_ID,
    HEADER_MESSAGE_TYPE,
    HEADER_PERSON_KEY,
    HEADER_SEQUENCE,
    Message,
)
from routing.transport import Transport

log = logging.getLogger(__name__)

LEASE_NAME = "outbox-relay"


def event_message(entry: OutboxEntry, published_at: datetime) -> Message:
    """The message that carries one outbox event to the events exchange."""
    event = replace(entry.event, published_at=published_at)
    headers = {
        HEADER_CORRELATION_ID: entry.correlation_id,
        HEADER_CAUSATION_ID: entry.causation_id,
        HEADER_MESSAGE_TYPE: event.event_type,
        HEADER_SEQUENCE: str(entry.sequence),
    }
    if event.person_key:
        headers[HEADER_PERSON_KEY] = event.person_key
    return Message(
        routing_key=event.event_type,
        body=event.to_json(),
        message_id=event.event_id,
        headers=headers,
        content_type="application/json",
        timestamp=published_at,
    )


@dataclass
class OutboxRelay:
    store: RecordStore
    transport: Transport
    exchange: str
    batch_size: int = 500
    lease_ttl_s: float = 30.0
    owner: str = field(default_factory=lambda: f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}")
    name: str = "relay"
    max_backoff_s: float = 10.0
    _renew_at: float = field(default=float("-inf"), init=False, repr=False)
    _failures: int = field(default=0, init=False, repr=False)
    """Failed publishes in a row."""

    @property
    def backoff_s(self) -> float:
        """How long the runner waits before the next round: it doubles with each failed
        publish in a row (from half a second, up to ``max_backoff_s``) and is 0 once one
        succeeds. A nack from one queue the exchange routes to does not mean the others did
        not store the batch (RabbitMQ nacks a message if any queue failed it), so every retry
        may add a copy to the healthy queues: retrying at once, round after round, would
        flood them."""
        if not self._failures:
            return 0.0
        return min(self.max_backoff_s, 0.5 * 2 ** (self._failures - 1))

    def run_once(self) -> int:
        """Publish one batch of unpublished events; the number published."""
        if not self._holds_lease():
            return 0
        entries = self.store.unpublished_events(self.batch_size)
        if not entries:
            return 0
        now = datetime.now(UTC)
        try:
            self.transport.publish(self.exchange, [event_message(e, now) for e in entries])
        except TransientError as error:
            self._failures += 1
            log.warning(
                "relay could not publish %d events: %s; trying again in %.1f s",
                len(entries), error, self.backoff_s,
            )  # fmt: skip
            return 0
        self._failures = 0
        self.store.mark_published(entries, now)
        worker_metrics.count(self.name, "published", len(entries))
        if log.isEnabledFor(logging.DEBUG):
            for entry in entries:
                event = entry.event
                with bound(
                    message_id=event.event_id,
                    correlation_id=entry.correlation_id,
                    causation_id=entry.causation_id,
                ):
                    log.debug("published %s (%s)", event.event_id, event.event_type)
        return len(entries)

    def _holds_lease(self) -> bool:
        """Claim the lease again once a sixth of its time to live has passed, rather than
        every round: the lease is ours until it expires, so five sixths of it remain for the
        batch in hand, and an idle relay no longer writes to the store twenty times a second."""
        now = time.monotonic()
        if now < self._renew_at:
            return True
        if not self.store.claim_lease(LEASE_NAME, self.owner, self.lease_ttl_s):
            self._renew_at = float("-inf")
            return False
        self._renew_at = now + self.lease_ttl_s / 6
        return True

    def close(self) -> None:
        self.store.release_lease(LEASE_NAME, self.owner)
