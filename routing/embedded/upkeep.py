"""What happens to a work queue's messages in the embedded transport with no consumer asking,
as a RabbitMQ quorum queue does it on its own:

- messages whose consumer is gone go back to the queue, marked ``redelivered``; once handed
  out more than the queue's delivery limit, to the dead-letter queue instead;
- messages whose wait in a wait queue is over go back to the end of their work queue.

The embedded transport has no process of its own to do this, so each consumer of the work
queue does it inside the transaction in which it leases, before it leases.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from routing.dead_letter_reasons import DELIVERY_LIMIT_EXCEEDED
from routing.embedded.messages import MESSAGE_COLUMNS, enqueue, message_from_row, route
from routing.messages import HEADER_DEAD_LETTER_REASON, HEADER_ORIGIN_QUEUE, Message
from routing.topology import WorkQueue

PUT_BACK = "lease_owner = NULL, lease_fetch = NULL, leased_until = NULL, redelivered = 1"
"""The ``SET`` clause that hands a leased message back to its queue."""


def put_back(
    db: sqlite3.Connection,
    queue: WorkQueue,
    where: str,
    parameters: Sequence[object],
    now: int,
) -> None:
    """Return the leased messages selected by ``where`` to ``queue``, or those past its
    delivery limit to the dead-letter queue (if it routes them; otherwise they stay, not lost).
    """
    rows = db.execute(
        f"SELECT {MESSAGE_COLUMNS}, delivery_count FROM messages WHERE {where}", parameters
    ).fetchall()
    limit = queue.delivery_limit
    over_limit = [row for row in rows if limit and row[-1] > limit]
    if over_limit:
        copies = [
            message_from_row(row[:-1]).with_headers(
                **{
                    HEADER_DEAD_LETTER_REASON: DELIVERY_LIMIT_EXCEEDED,
                    HEADER_ORIGIN_QUEUE: queue.name,
                }
            )
            for row in over_limit
        ]
        if send_to_dead_letters(db, queue, copies, now):
            db.executemany("DELETE FROM messages WHERE id = ?", [(row[0],) for row in over_limit])
    db.execute(f"UPDATE messages SET {PUT_BACK} WHERE {where}", parameters)


def bring_back_waiting(db: sqlite3.Connection, queue: WorkQueue, now: int) -> None:
    """Move messages whose wait is over to the end of ``queue``, in the order their waits
    ended, as RabbitMQ does when a wait queue's TTL expires."""
    waits = [wait.name for wait in queue.wait_queues]
    if not waits:
        return
    placeholders = ",".join("?" * len(waits))
    db.execute(
        "INSERT INTO messages (queue, routing_key, body, headers, message_id, content_type,"
        "                      timestamp, available_at)"
        " SELECT ?, routing_key, body, headers, message_id, content_type, timestamp, ?"
        f" FROM messages WHERE queue IN ({placeholders}) AND available_at <= ?"
        " ORDER BY available_at, id",
        (queue.name, now, *waits, now),
    )
    db.execute(
        f"DELETE FROM messages WHERE queue IN ({placeholders}) AND available_at <= ?",
        (*waits, now),
    )


def send_to_dead_letters(
    db: sqlite3.Connection, queue: WorkQueue, copies: list[Message], now: int
) -> bool:
    """Route ``copies`` through the queue's dead-letter exchange, under the queue's name as
    on RabbitMQ; False if that routes them nowhere."""
    if queue.dead_letter_exchange is None:
        return False
    destinations = route(db, queue.dead_letter_exchange, {queue.name})[queue.name]
    for destination in destinations:
        enqueue(db, destination, copies, now)
    return bool(destinations)
