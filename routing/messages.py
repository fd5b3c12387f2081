"""What travels on a transport: a body with headers, and a delivery handed to a consumer.

Gatehouse's own headers (``HEADER_*``) travel with every message so that any hop can write
the journal and any dead letter can be traced back to where it came from.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

HEADER_CORRELATION_ID = "gatehouse-correlation-id"
HEADER_CAUSATION_ID = "gatehouse-causation-id"
HEADER_ADAPTER = "gatehouse-adapter"
HEADER_MESSAGE_TYPE = "gatehouse-message-type"
HEADER_PARTNER = "gatehouse-partner"
HEADER_PERSON_KEY = "gatehouse-person-key"
HEADER_RECEIVED_AT = "gatehouse-received-at"
HEADER_SCHEMA_CHECKED = "gatehouse-schema-checked"
SCHEMA_CHECKED = "yes"
"""``HEADER_SCHEMA_CHECKED`` is ``yes`` on an inbound message whose edge validated the
document against its schema (the HTTP edges, batch documents, the AMQP partners'
listener) or wrote it from fields it checked (an order file's lines): ingest then parses it
without validating it again. Only the hub's own edges publish to the inbound exchange (a
partner's broker user may write to its own exchange alone), so the header is the hub's
word."""
HEADER_SEQUENCE = "gatehouse-sequence"
"""The outbox sequence of an event: orders one person's events for delivery."""
HEADER_ATTEMPTS = "gatehouse-attempts"
"""JSON list of what happened to the message before:
``[{"at": iso, "kind": "failure" | "held" | "replayed", "reason": str, "delay_ms": int}]``.
Only ``failure`` entries count towards the retry limit: a message ``held`` back behind an
earlier one for the same person has not failed."""
HEADER_DEAD_LETTER_REASON = "gatehouse-dead-letter-reason"
HEADER_ORIGIN_QUEUE = "gatehouse-origin-queue"
"""The work queue a dead letter or a delayed retry came from, and goes back to."""

AMQP_REPLY_TO = "amqp-reply-to"
AMQP_CORRELATION_ID = "amqp-correlation-id"
AMQP_TYPE = "amqp-type"
"""Partner-facing AMQP properties (``reply_to``, ``correlation_id``, ``type``). On RabbitMQ
they travel as the real AMQP properties, which partners' own clients read and set; on the
embedded transport, as headers of these names. ``AMQP_CORRELATION_ID`` is a partner's
request/reply pairing, not Gatehouse's correlation id (``HEADER_CORRELATION_ID``)."""


def new_message_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class Message:
    """A message to publish, or as it was delivered.

    ``routing_key`` picks the queues through the exchange's bindings. ``headers`` hold
    strings only, so that both transports carry them unchanged.
    """

    routing_key: str
    body: bytes
    message_id: str = field(default_factory=new_message_id)
    headers: Mapping[str, str] = field(default_factory=dict)
    content_type: str = "application/octet-stream"
    timestamp: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def correlation_id(self) -> str:
        return self.headers.get(HEADER_CORRELATION_ID, self.message_id)

    @property
    def attempts(self) -> list[dict[str, Any]]:
        raw = self.headers.get(HEADER_ATTEMPTS)
        return json.loads(raw) if raw else []

    def with_headers(self, **changes: str) -> Message:
        """A copy with some headers added or replaced (keys with ``_`` read as ``-``)."""
        headers = dict(self.headers)
        headers.update({key.replace("_", "-"): value for key, value in changes.items()})
        return replace(self, headers=headers)

    @property
    def failures(self) -> int:
        """How many times handling this message has failed since it was last replayed."""
        count = 0
        for attempt in self.attempts:
            kind = attempt.get("kind", "failure")
            if kind == "replayed":
                count = 0
            elif kind == "failure":
                count += 1
        return count

    def with_attempt(self, reason: str, delay_ms: int, kind: str = "failure") -> Message:
        """A copy whose attempt history records one more entry (a failure by default)."""
        history = [
            *self.attempts,
            {
                "at": datetime.now(UTC).isoformat(),
                "kind": kind,
                "reason": reason,
                "delay_ms": delay_ms,
            },
        ]
        headers = dict(self.headers)
        headers[HEADER_ATTEMPTS] = json.dumps(history, separators=(",", ":"))
        return replace(self, headers=headers)


@dataclass(frozen=True)
class Delivery:
    """A message handed to a consumer, to be settled exactly once.

    ``redelivered`` is true when the transport has handed this message out before without
    it being settled (a consumer died holding it); ``delivery_count`` counts those handings
    out where the transport knows it. ``token`` is the transport's own handle.
    """

    message: Message
    queue: str
    redelivered: bool
    delivery_count: int
    token: Any = field(compare=False, repr=False)
