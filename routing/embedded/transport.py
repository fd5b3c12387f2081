"""The embedded transport: RabbitMQ's semantics in one SQLite file, for a single machine.

With no broker configured (``make demo``, a laptop), Gatehouse runs on this. It keeps the
promises of ``routing.transport`` that the contract suite checks on both transports: durable
on commit, topic routing, leases instead of unacked deliveries, redelivery after a consumer
dies, delay tiers, dead letters with the same headers, a delivery limit, and single active
consumers. Several processes (the api and a worker) and threads may share one file.

    EmbeddedTransport          one connection behind a lock: declare, publish, depths
    └── EmbeddedConsumer       a connection of its own per consumer, one thread each

A wait queue is a set of rows with a future ``available_at``; the consumer of its work queue
moves them back when their time comes. One difference from RabbitMQ 3.x: giving a message
back with ``release`` does not count towards its delivery limit here (a quorum queue before
RabbitMQ 4.0 counts it), so a restart that releases a prefetched batch costs nothing.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from core_records.errors import TransportUnavailable
from routing.embedded.consumer import EmbeddedConsumer
from routing.embedded.messages import enqueue, load_work_queue, publish_through
from routing.embedded.schema import connect, create_schema, now_ms, write_transaction
from routing.messages import Message
from routing.topology import Topology
from routing.transport import Consumer, Transport

__all__ = ["EmbeddedTransport"]


class EmbeddedTransport(Transport):
    """A ``Transport`` in the SQLite file at ``path``, created if missing.

    ``lease_timeout_s``: how long a consumer keeps messages without renewing its lease
    before they are handed to another (a consumer renews whenever it fetches or settles).
    ``poll_interval_s``: how often an idle ``fetch`` looks for new messages.
    ``busy_timeout_s``: how long to wait for another process's write to finish.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        lease_timeout_s: float = 30.0,
        poll_interval_s: float = 0.025,
        busy_timeout_s: float = 30.0,
    ) -> None:
        self._path = Path(path)
        self._lease_timeout_s = lease_timeout_s
        self._poll_interval_s = poll_interval_s
        self._busy_timeout_s = busy_timeout_s
        self._lock = threading.Lock()
        self._closed = False
        self._db = connect(self._path, busy_timeout_s=busy_timeout_s)
        create_schema(self._db)

    def declare(self, topology: Topology) -> None:
        with self._writing("declare the topology") as db:
            db.executemany(
                "INSERT OR REPLACE INTO exchanges (name, kind) VALUES (?, ?)",
                [(exchange.name, exchange.kind) for exchange in topology.exchanges],
            )
            for queue in topology.work_queues:
                db.execute(
                    "INSERT OR REPLACE INTO queues (name, dead_letter_exchange, delivery_limit,"
                    " single_active_consumer) VALUES (?, ?, ?, ?)",
                    (
                        queue.name,
                        queue.dead_letter_exchange,
                        queue.delivery_limit,
                        queue.single_active_consumer,
                    ),
                )
                db.executemany(
                    "INSERT OR IGNORE INTO bindings (exchange, pattern, queue) VALUES (?, ?, ?)",
                    [(b.exchange, b.routing_key, queue.name) for b in queue.bindings],
                )
                db.executemany(
                    "INSERT OR REPLACE INTO queues (name, returns_to, delay_ms) VALUES (?, ?, ?)",
                    [(wait.name, wait.returns_to, wait.delay_ms) for wait in queue.wait_queues],
                )

    def publish(self, exchange: str, messages: Sequence[Message]) -> None:
        if not messages:
            return
        with self._writing(f"publish to {exchange}") as db:
            try:
                publish_through(db, exchange, messages, now_ms())
            except LookupError as error:
                raise TransportUnavailable(str(error)) from error

    def send_to_queue(self, queue: str, messages: Sequence[Message]) -> None:
        if not messages:
            return
        with self._writing(f"send to {queue}") as db:
            row = db.execute("SELECT delay_ms FROM queues WHERE name = ?", (queue,)).fetchone()
            if row is None:
                raise TransportUnavailable(f"no queue named {queue!r}")
            # A wait queue holds what is sent to it for its delay, as on RabbitMQ.
            enqueue(db, queue, messages, now_ms() + (row[0] or 0))

    def consumer(self, queue: str, *, prefetch: int = 200) -> Consumer:
        with self._lock:
            work_queue = load_work_queue(self._db, queue)
        return EmbeddedConsumer(
            self._path,
            work_queue,
            prefetch=prefetch,
            lease_timeout_s=self._lease_timeout_s,
            poll_interval_s=self._poll_interval_s,
            busy_timeout_s=self._busy_timeout_s,
        )

    def queue_depth(self, queue: str) -> int:
        with self._reading() as db:
            row = db.execute("SELECT returns_to FROM queues WHERE name = ?", (queue,)).fetchone()
            if row is None:
                raise KeyError(f"no queue named {queue!r}")
            now = now_ms()
            if row[0] is not None:  # a wait queue: what is still waiting
                return _count(db, "queue = ? AND available_at > ?", queue, now)
            # A work queue: what no live consumer holds, and what has finished waiting.
            return _count(
                db, "queue = ? AND (lease_owner IS NULL OR leased_until < ?)", queue, now
            ) + _count(
                db,
                "queue IN (SELECT name FROM queues WHERE returns_to = ?) AND available_at <= ?",
                queue,
                now,
            )

    def ping(self) -> None:
        with self._reading() as db:
            db.execute("SELECT 1 FROM queues LIMIT 1").fetchall()

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                self._db.close()

    @contextmanager
    def _writing(self, what: str) -> Iterator[sqlite3.Connection]:
        with self._reading() as db:
            try:
                with write_transaction(db):
                    yield db
            except sqlite3.OperationalError as error:
                raise TransportUnavailable(f"could not {what}: {error}") from error

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._closed:
                raise TransportUnavailable("the embedded transport is closed")
            try:
                yield self._db
            except sqlite3.OperationalError as error:
                raise TransportUnavailable(f"the embedded transport failed: {error}") from error


def _count(db: sqlite3.Connection, where: str, *parameters: object) -> int:
    return int(db.execute(f"SELECT count(*) FROM messages WHERE {where}", parameters).fetchone()[0])
