"""Dead letters: from the dead-letter queue into the store, and back to work on replay.

The keeper consumes the dead-letter queue and files each message in the store's dead-letter
table with its reason, origin queue and attempt history, where service managers browse it;
it acks only after that commit. A message reaches the queue either because a worker gave
up on it (our headers say why) or because the broker gave up on it after too many
unsettled deliveries (RabbitMQ's ``x-first-death-*`` headers say why).

Replay sends a dead letter back to the queue it came from, with a ``replayed`` entry in its
history, and marks it replayed; discard only marks it.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from core_records.bookkeeping import journal
from core_records.bookkeeping.dead_letters import DeadLetter, DeadLetterStore
from core_records.bookkeeping.journal import Hop
from routing import worker_metrics
from routing.log_context import bound_to
from routing.messages import (
    HEADER_ADAPTER,
    HEADER_ATTEMPTS,
    HEADER_DEAD_LETTER_REASON,
    HEADER_MESSAGE_TYPE,
    HEADER_ORIGIN_QUEUE,
    HEADER_PARTNER,
    HEADER_PERSON_KEY,
    Delivery,
    Message,
)
from routing.transport import Consumer, Transport

log = logging.getLogger(__name__)

BROKER_REASONS = {
    "delivery_limit": "the broker handed it out too many times without it being settled",
    "expired": "it expired in the queue",
    "maxlen": "the queue was full",
    "rejected": "a consumer rejected it",
}


def dead_letter_reason(message: Message) -> str:
    reason = message.headers.get(HEADER_DEAD_LETTER_REASON)
    if reason:
        return reason
    broker_reason = message.headers.get("x-first-death-reason", "")
    return BROKER_REASONS.get(
        broker_reason, f"dead-lettered by the broker ({broker_reason or 'no reason given'})"
    )


def origin_queue(delivery: Delivery) -> str:
    headers = delivery.message.headers
    return (
        headers.get(HEADER_ORIGIN_QUEUE)
        or headers.get("x-first-death-queue")
        or delivery.message.routing_key
    )


def dedupe_key(message: Message, origin: str, reason: str) -> str:
    """The same dead letter handed out twice gets the same key; the same message
    dead-lettered again after a replay gets a new one (its history has grown)."""
    parts = [
        message.message_id,
        origin,
        reason,
        message.headers.get(HEADER_ATTEMPTS, ""),
        message.headers.get("x-delivery-count", ""),
        message.headers.get("x-death", ""),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@dataclass
class DeadLetterKeeper:
    consumer: Consumer
    dead_letters: DeadLetterStore
    batch_size: int = 100
    fetch_timeout_s: float = 0.5
    name: str = "dead-letters"

    def run_once(self) -> int:
        deliveries = self.consumer.fetch(self.batch_size, self.fetch_timeout_s)
        for delivery in deliveries:
            with bound_to(delivery.message):
                self.file(delivery)
        self.consumer.ack(deliveries)
        worker_metrics.count(self.name, "filed", len(deliveries))
        return len(deliveries)

    def file(self, delivery: Delivery) -> int | None:
        message = delivery.message
        origin = origin_queue(delivery)
        reason = dead_letter_reason(message)
        now = datetime.now(UTC)
        hop = Hop(
            message_id=message.message_id,
            hop=journal.DEAD_LETTERED,
            at=now,
            outcome="error",
            correlation_id=message.correlation_id,
            # Events carry no adapter header; an outbound queue is named after its adapter, so
            # the hop is put down to the interface that failed (the dashboard groups by it).
            adapter=message.headers.get(HEADER_ADAPTER) or _outbound_adapter(origin),
            partner=message.headers.get(HEADER_PARTNER),
            direction=journal.INBOUND if origin.endswith(".ingest") else journal.OUTBOUND,
            message_type=message.headers.get(HEADER_MESSAGE_TYPE),
            person_key=message.headers.get(HEADER_PERSON_KEY),
            detail=reason,
        )
        stored = self.dead_letters.add(
            dedupe_key=dedupe_key(message, origin, reason),
            message_id=message.message_id,
            origin_queue=origin,
            routing_key=message.routing_key,
            reason=reason,
            attempts=message.attempts,
            headers=dict(message.headers),
            body=message.body,
            content_type=message.content_type,
            dead_lettered_at=now,
            hop=hop,
        )
        log.warning("dead letter from %s: %s (%s)", origin, message.message_id, reason)
        return stored

    def close(self) -> None:
        self.consumer.close()


def _outbound_adapter(origin: str) -> str | None:
    _, marker, adapter = origin.rpartition(".outbound.")
    return adapter if marker else None


def _replayable_headers(headers: dict[str, str]) -> dict[str, str]:
    return {
        key: value
        for key, value in headers.items()
        if key != HEADER_DEAD_LETTER_REASON and not key.startswith("x-")
    }


def replay(
    dead_letters: DeadLetterStore, transport: Transport, dead_letter_id: int, actor: str
) -> DeadLetter:
    """Send one waiting dead letter back to its queue, then mark it replayed."""
    record = dead_letters.get(dead_letter_id)
    if record is None:
        raise LookupError(f"no dead letter {dead_letter_id}")
    if record.status != "waiting":
        raise ValueError(f"dead letter {dead_letter_id} is {record.status}, not waiting")
    message = Message(
        routing_key=record.routing_key,
        body=record.body,
        message_id=record.message_id,
        headers=_replayable_headers(record.headers),
        content_type=record.content_type,
    ).with_attempt(f"replayed by {actor}", 0, kind="replayed")
    transport.send_to_queue(record.origin_queue, [message])
    dead_letters.mark_replayed(dead_letter_id, actor)
    return record


def replay_all(dead_letters: DeadLetterStore, transport: Transport, actor: str) -> list[int]:
    """Replay every waiting dead letter, oldest first; the ids replayed."""
    replayed: list[int] = []
    while batch := dead_letters.list(status="waiting", limit=100):
        for record in batch:
            replay(dead_letters, transport, record.id, actor)
            replayed.append(record.id)
    return replayed
