"""Messages in the embedded transport's tables: routing them in, and reading them out.

Routing follows RabbitMQ: a topic exchange copies a message to every queue with a binding
whose pattern matches its routing key (once per queue however many bindings match), and the
default exchange ``""`` puts it on the queue named by its routing key. A message that matches
nothing is dropped, as a topic exchange drops it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from routing.embedded.topic_matching import topic_matches
from routing.messages import Message
from routing.topology import Binding, WaitQueue, WorkQueue

DEFAULT_EXCHANGE = ""

_INSERT = """
INSERT INTO messages (queue, routing_key, body, headers, message_id, content_type,
                      timestamp, available_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
"""
MESSAGE_COLUMNS = "id, routing_key, body, headers, message_id, content_type, timestamp"


def route(
    connection: sqlite3.Connection, exchange: str, routing_keys: set[str]
) -> dict[str, list[str]]:
    """The queues each routing key reaches through ``exchange``.

    Raises ``LookupError`` if the exchange was never declared.
    """
    if exchange == DEFAULT_EXCHANGE:
        existing = {name for (name,) in connection.execute("SELECT name FROM queues").fetchall()}
        return {key: [key] if key in existing else [] for key in routing_keys}
    if connection.execute("SELECT 1 FROM exchanges WHERE name = ?", (exchange,)).fetchone() is None:
        raise LookupError(f"no exchange named {exchange!r}")
    bindings = connection.execute(
        "SELECT pattern, queue FROM bindings WHERE exchange = ? ORDER BY queue", (exchange,)
    ).fetchall()
    return {
        key: sorted({queue for pattern, queue in bindings if topic_matches(pattern, key)})
        for key in routing_keys
    }


def enqueue(
    connection: sqlite3.Connection, queue: str, messages: Sequence[Message], available_at: int
) -> None:
    connection.executemany(_INSERT, [_row(queue, message, available_at) for message in messages])


def publish_through(
    connection: sqlite3.Connection, exchange: str, messages: Sequence[Message], now: int
) -> int:
    """Route and store ``messages``; returns how many copies were stored."""
    queues_by_key = route(connection, exchange, {message.routing_key for message in messages})
    rows = [
        _row(queue, message, now)
        for message in messages
        for queue in queues_by_key[message.routing_key]
    ]
    connection.executemany(_INSERT, rows)
    return len(rows)


def message_from_row(row: Sequence[Any]) -> Message:
    """A ``Message`` from the columns ``MESSAGE_COLUMNS`` (the id first, not used here)."""
    _id, routing_key, body, headers, message_id, content_type, timestamp = row
    return Message(
        routing_key=str(routing_key),
        body=bytes(body),
        message_id=str(message_id),
        headers=json.loads(str(headers)),
        content_type=str(content_type),
        timestamp=datetime.fromisoformat(str(timestamp)),
    )


def load_work_queue(connection: sqlite3.Connection, name: str) -> WorkQueue:
    """The declared shape of work queue ``name``; ``KeyError`` if there is none."""
    row = connection.execute(
        "SELECT dead_letter_exchange, delivery_limit, single_active_consumer FROM queues"
        " WHERE name = ? AND returns_to IS NULL",
        (name,),
    ).fetchone()
    if row is None:
        raise KeyError(f"{name!r} is not a declared work queue")
    dead_letter_exchange, delivery_limit, single_active_consumer = row
    bindings = connection.execute(
        "SELECT exchange, pattern FROM bindings WHERE queue = ?", (name,)
    ).fetchall()
    waits = connection.execute(
        "SELECT name, delay_ms FROM queues WHERE returns_to = ? ORDER BY delay_ms", (name,)
    ).fetchall()
    return WorkQueue(
        name=name,
        bindings=tuple(Binding(exchange, pattern) for exchange, pattern in bindings),
        dead_letter_exchange=dead_letter_exchange,
        delivery_limit=delivery_limit,
        single_active_consumer=bool(single_active_consumer),
        wait_queues=tuple(WaitQueue(wait, delay, returns_to=name) for wait, delay in waits),
    )


def _row(queue: str, message: Message, available_at: int) -> tuple[object, ...]:
    return (
        queue,
        message.routing_key,
        message.body,
        json.dumps(dict(message.headers), separators=(",", ":")),
        message.message_id,
        message.content_type,
        message.timestamp.isoformat(),
        available_at,
    )
