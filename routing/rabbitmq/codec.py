"""Between Gatehouse ``Message`` objects and AMQP: properties out, messages back in.

Two things RabbitMQ changes on the way are put back, so that a message reads the same on
both transports whatever route it took:

- A retry goes through the default exchange and a dead letter through the dead-letter
  exchange, each under a routing key of its own (a queue name). The original routing key (an
  event type, say) travels in a private header and becomes ``Message.routing_key`` again.
- A dead letter the broker made on its own (delivery limit) carries RabbitMQ's ``x-death``
  table instead of Gatehouse's headers; it is read into ``HEADER_DEAD_LETTER_REASON`` and
  ``HEADER_ORIGIN_QUEUE``. The broker's own ``x-`` headers are not passed on: headers of a
  ``Message`` are strings only.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pika

from routing.dead_letter_reasons import broker_reason
from routing.messages import (
    AMQP_CORRELATION_ID,
    AMQP_REPLY_TO,
    AMQP_TYPE,
    HEADER_DEAD_LETTER_REASON,
    HEADER_ORIGIN_QUEUE,
    Message,
)

ROUTING_KEY_HEADER = "gatehouse-routing-key"
PERSISTENT = 2
BROKER_HEADERS = frozenset(
    {
        "x-death",
        "x-delivery-count",
        "x-first-death-exchange",
        "x-first-death-queue",
        "x-first-death-reason",
        "x-last-death-exchange",
        "x-last-death-queue",
        "x-last-death-reason",
    }
)
_EXPIRED = "expired"
"""The ``x-death`` reason of a message leaving a wait queue: a retry, not a dead letter."""


def properties_for(message: Message, *, rerouted: bool = False) -> pika.BasicProperties:
    """Persistent properties carrying the message's id, type, timestamp and headers.

    ``rerouted``: the message goes out under a routing key other than its own, which is kept
    in a header to be restored on delivery.
    """
    headers: dict[str, str] = dict(message.headers)
    if rerouted:
        headers[ROUTING_KEY_HEADER] = message.routing_key
    # Partner-facing properties leave the headers to become real AMQP properties.
    reply_to = headers.pop(AMQP_REPLY_TO, None)
    correlation_id = headers.pop(AMQP_CORRELATION_ID, None)
    message_type = headers.pop(AMQP_TYPE, None)
    return pika.BasicProperties(
        delivery_mode=PERSISTENT,
        reply_to=reply_to,
        correlation_id=correlation_id,
        type=message_type,
        message_id=message.message_id,
        content_type=message.content_type,
        # AMQP timestamps are whole seconds.
        timestamp=int(message.timestamp.timestamp()),
        headers=headers,
    )


def message_from(routing_key: str, properties: pika.BasicProperties, body: bytes) -> Message:
    """The ``Message`` a delivery carries, as it was first published."""
    raw: Mapping[str, Any] = properties.headers or {}
    headers: dict[str, str] = {}
    for key, value in raw.items():
        text = _header_text(key, value)
        if text is not None:
            headers[key] = text
    original_key = headers.pop(ROUTING_KEY_HEADER, None)
    for name, value in (
        (AMQP_REPLY_TO, properties.reply_to),
        (AMQP_CORRELATION_ID, properties.correlation_id),
        (AMQP_TYPE, properties.type),
    ):
        if value:
            headers[name] = value
    deaths = raw.get("x-death") or []
    if deaths and HEADER_DEAD_LETTER_REASON not in headers:
        latest = deaths[0]  # RabbitMQ keeps the most recent death first
        if latest.get("reason") != _EXPIRED:
            headers[HEADER_DEAD_LETTER_REASON] = broker_reason(str(latest.get("reason")))
            headers[HEADER_ORIGIN_QUEUE] = str(latest.get("queue"))
    if original_key is None and deaths:
        first_keys = deaths[-1].get("routing-keys") or [routing_key]
        original_key = str(first_keys[0])
    timestamp = (
        datetime.fromtimestamp(properties.timestamp, UTC)
        if properties.timestamp is not None
        else datetime.now(UTC)
    )
    return Message(
        routing_key=original_key if original_key is not None else routing_key,
        body=body,
        message_id=properties.message_id or _content_id(routing_key, body, timestamp),
        headers=headers,
        content_type=properties.content_type or "application/octet-stream",
        timestamp=timestamp,
    )


def delivery_count(properties: pika.BasicProperties) -> int:
    """How many times this message has been handed out, this time included.

    Quorum queues count earlier handings out that were not acked in ``x-delivery-count``.
    """
    earlier = (properties.headers or {}).get("x-delivery-count", 0)
    return int(earlier) + 1


def _header_text(key: str, value: Any) -> str | None:
    if key in BROKER_HEADERS:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, bool | int | float):
        return str(value)
    return None  # tables and arrays from a partner's own client: not Gatehouse headers


def _content_id(routing_key: str, body: bytes, timestamp: datetime) -> str:
    # A partner that publishes without a message id still gets a stable one, so that a
    # redelivery of the same message is recognised as such by the inbox.
    digest = hashlib.sha256(routing_key.encode() + b"\0" + body + timestamp.isoformat().encode())
    return str(uuid.UUID(bytes=digest.digest()[:16], version=5))
