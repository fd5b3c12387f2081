"""A consumer of one work queue in the embedded transport's SQLite file.

A consumer leases messages: it writes its name and a deadline on them, and no other consumer
takes them until it settles them or the deadline passes. The consumer renews its leases as
it goes (when it fetches or settles, every third of the lease time), so only a consumer that
has died, or hung for longer than the lease, loses them. A message whose lease ran out goes
back to the queue marked ``redelivered``, or, once handed out more than the queue's delivery
limit, to the dead-letter queue: the same rules as a RabbitMQ quorum queue.

On a single-active-consumer queue the consumers also compete for one lease on the queue
itself (``consumer_leases``). Only its holder leases messages; a consumer taking it over from
one that closed or died first puts back everything the old one held, so that the order holds.

Each fetch that leases messages is one ``BEGIN IMMEDIATE`` transaction, so consumers in
several processes never take the same message. Fetch polls: a cheap read first, and the write
lock only when there may be something to take.
"""

from __future__ import annotations

import logging
import sqlite3
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core_records.errors import TransportUnavailable
from routing.embedded.messages import MESSAGE_COLUMNS, enqueue, message_from_row
from routing.embedded.schema import connect, now_ms, write_transaction
from routing.embedded.upkeep import PUT_BACK, bring_back_waiting, put_back, send_to_dead_letters
from routing.messages import HEADER_DEAD_LETTER_REASON, HEADER_ORIGIN_QUEUE, Delivery
from routing.topology import WorkQueue
from routing.transport import Consumer

log = logging.getLogger(__name__)

_SETTLE_WHERE = "id = ? AND lease_owner = ? AND lease_fetch = ?"


@dataclass(frozen=True)
class _Lease:
    message_row: int
    fetch: int
    """Which fetch of this consumer took it: a lease lost and taken again is a new lease."""


class EmbeddedConsumer(Consumer):
    """Takes deliveries from one work queue of an embedded transport's file."""

    def __init__(
        self,
        path: str | Path,
        work_queue: WorkQueue,
        *,
        prefetch: int,
        lease_timeout_s: float,
        poll_interval_s: float,
        busy_timeout_s: float,
    ) -> None:
        self.queue = work_queue.name
        self._work_queue = work_queue
        self._db = connect(path, busy_timeout_s=busy_timeout_s)
        self._owner = uuid.uuid4().hex
        self._prefetch = prefetch
        self._lease_ms = int(lease_timeout_s * 1000)
        self._poll_interval_s = poll_interval_s
        self._fetches = 0
        self._holding: set[_Lease] = set()
        self._renewed_at = 0
        self._active = False
        """Whether this consumer holds its single-active-consumer queue, as far as it knows."""
        self._wait_queues = tuple(wait.name for wait in work_queue.wait_queues)
        self._closed = False

    def fetch(self, max_messages: int, timeout_s: float) -> list[Delivery]:
        if self._closed:
            return []
        deadline = time.monotonic() + timeout_s
        while True:
            room = min(max_messages, self._prefetch - len(self._holding))
            try:
                deliveries = self._lease(room, now_ms())
            except sqlite3.OperationalError as error:  # locked for longer than busy_timeout
                log.warning("could not lease from %s: %s", self.queue, error)
                deliveries = []
            if deliveries or time.monotonic() >= deadline:
                return deliveries
            time.sleep(min(self._poll_interval_s, max(deadline - time.monotonic(), 0)))

    def ack(self, deliveries: Sequence[Delivery]) -> None:
        # What cannot be settled is handed out again once this consumer is gone, like an ack
        # lost with a RabbitMQ connection.
        self._settle_held(
            deliveries, f"DELETE FROM messages WHERE {_SETTLE_WHERE}", "ack", renew_lease=True
        )

    def retry_later(
        self, delivery: Delivery, delay_ms: int, reason: str, *, kind: str = "failure"
    ) -> None:
        wait_queue = self._work_queue.wait_queue_for(delay_ms)
        copy = delivery.message.with_attempt(reason, delay_ms, kind=kind).with_headers(
            **{HEADER_ORIGIN_QUEUE: self.queue}
        )
        with self._settling(delivery) as now:
            if now is not None:
                enqueue(self._db, wait_queue.name, [copy], now + delay_ms)

    def dead_letter(self, delivery: Delivery, reason: str) -> None:
        if self._work_queue.dead_letter_exchange is None:
            raise ValueError(f"{self.queue} has no dead-letter exchange to send to")
        copy = delivery.message.with_headers(
            **{HEADER_DEAD_LETTER_REASON: reason, HEADER_ORIGIN_QUEUE: self.queue}
        )
        with self._settling(delivery) as now:
            if now is not None and not send_to_dead_letters(
                self._db, self._work_queue, [copy], now
            ):
                raise TransportUnavailable(
                    f"the dead-letter exchange routes nothing from {self.queue}"
                )

    def release(self, deliveries: Sequence[Delivery]) -> None:
        # A release is not a failed handing out: the count goes back down. What cannot be
        # released is handed out again when its lease expires.
        self._settle_held(
            deliveries,
            f"UPDATE messages SET {PUT_BACK}, delivery_count = delivery_count - 1"
            f" WHERE {_SETTLE_WHERE}",
            "release",
            renew_lease=False,
        )

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            with write_transaction(self._db):
                self._db.execute(
                    f"UPDATE messages SET {PUT_BACK}, delivery_count = delivery_count - 1"
                    " WHERE lease_owner = ?",
                    (self._owner,),
                )
                self._db.execute(
                    "DELETE FROM consumer_leases WHERE queue = ? AND owner = ?",
                    (self.queue, self._owner),
                )
        except sqlite3.OperationalError as error:
            log.warning(
                "%s consumer closed holding leases, which will expire: %s", self.queue, error
            )
        finally:
            self._holding.clear()
            self._db.close()

    # --- leasing --------------------------------------------------------------------------

    def _lease(self, room: int, now: int) -> list[Delivery]:
        if not self._worth_a_write(now, room):
            return []
        with write_transaction(self._db):
            if self._work_queue.single_active_consumer and not self._hold_queue(now):
                return []
            self._renew_if_due(now)
            put_back(
                self._db,
                self._work_queue,
                "queue = ? AND lease_owner IS NOT NULL AND leased_until < ?",
                (self.queue, now),
                now,
            )
            bring_back_waiting(self._db, self._work_queue, now)
            if room <= 0:
                return []
            self._fetches += 1
            rows = self._db.execute(
                "UPDATE messages SET lease_owner = ?, lease_fetch = ?, leased_until = ?,"
                " delivery_count = delivery_count + 1"
                " WHERE id IN (SELECT id FROM messages WHERE queue = ? AND lease_owner IS NULL"
                "              ORDER BY id LIMIT ?)"
                f" RETURNING {MESSAGE_COLUMNS}, delivery_count, redelivered",
                (self._owner, self._fetches, now + self._lease_ms, self.queue, room),
            ).fetchall()
        deliveries = [self._delivery(row) for row in sorted(rows)]
        self._holding.update(d.token for d in deliveries)
        return deliveries

    def _worth_a_write(self, now: int, room: int) -> bool:
        """Whether there may be anything to take or renew; read without the write lock."""
        if self._renewal_due(now):
            return True
        if room <= 0:
            return False
        if self._work_queue.single_active_consumer:
            holder = self._db.execute(
                "SELECT owner, expires_at FROM consumer_leases WHERE queue = ?", (self.queue,)
            ).fetchone()
            if holder is not None and holder[0] != self._owner and holder[1] >= now:
                return False
        waits = ",".join("?" * len(self._wait_queues))
        row = self._db.execute(
            "SELECT EXISTS (SELECT 1 FROM messages WHERE queue = ?"
            "               AND (lease_owner IS NULL OR leased_until < ?))"
            f" OR EXISTS (SELECT 1 FROM messages WHERE queue IN ({waits}) AND available_at <= ?)",
            (self.queue, now, *self._wait_queues, now),
        ).fetchone()
        return bool(row[0])

    def _hold_queue(self, now: int) -> bool:
        """Whether this consumer is (or now becomes) the queue's single active consumer."""
        holder = self._db.execute(
            "SELECT owner, expires_at FROM consumer_leases WHERE queue = ?", (self.queue,)
        ).fetchone()
        if holder is not None and holder[0] == self._owner:
            self._active = True  # _renew_if_due keeps it
            return True
        if holder is not None and holder[1] >= now:
            self._active = False
            return False
        # Whoever held the queue before closed or died: what it held comes first again.
        put_back(
            self._db,
            self._work_queue,
            "queue = ? AND lease_owner IS NOT NULL AND lease_owner != ?",
            (self.queue, self._owner),
            now,
        )
        self._db.execute(
            "INSERT OR REPLACE INTO consumer_leases (queue, owner, expires_at) VALUES (?, ?, ?)",
            (self.queue, self._owner, now + self._lease_ms),
        )
        self._active = True
        self._renewed_at = now
        return True

    def _renewal_due(self, now: int) -> bool:
        return bool(self._holding or self._active) and now - self._renewed_at > self._lease_ms / 3

    def _renew_if_due(self, now: int) -> None:
        if not self._renewal_due(now):
            return
        self._db.execute(
            "UPDATE messages SET leased_until = ? WHERE lease_owner = ?",
            (now + self._lease_ms, self._owner),
        )
        if self._active:
            self._db.execute(
                "UPDATE consumer_leases SET expires_at = ? WHERE queue = ? AND owner = ?",
                (now + self._lease_ms, self.queue, self._owner),
            )
        self._renewed_at = now

    # --- settling -------------------------------------------------------------------------

    @contextmanager
    def _settling(self, delivery: Delivery) -> Iterator[int | None]:
        """Settle one delivery and store its copy in one transaction. Yields the time, or
        None if the lease is lost (another consumer has the message now, so no copy)."""
        lease = delivery.token
        if lease not in self._holding:
            yield None
            return
        try:
            with write_transaction(self._db):
                now = now_ms()
                settled = self._db.execute(
                    f"DELETE FROM messages WHERE {_SETTLE_WHERE}", self._keys([lease])[0]
                ).rowcount
                yield now if settled else None
                self._renew_if_due(now)
        except sqlite3.OperationalError as error:
            raise TransportUnavailable(f"the embedded transport's file is busy: {error}") from error
        self._holding.discard(lease)

    def _settle_held(
        self, deliveries: Sequence[Delivery], statement: str, action: str, *, renew_lease: bool
    ) -> None:
        """Run ``statement`` for each of ``deliveries`` this consumer still holds, in one
        write; a write the file refuses is logged, and the deliveries are let go either way."""
        leases = [d.token for d in deliveries if d.token in self._holding]
        if not leases:
            return
        try:
            with write_transaction(self._db):
                self._db.executemany(statement, self._keys(leases))
                if renew_lease:
                    self._renew_if_due(now_ms())
        except sqlite3.OperationalError as error:
            log.warning(
                "could not %s %d deliveries from %s: %s", action, len(leases), self.queue, error
            )
        self._holding.difference_update(leases)

    def _keys(self, leases: Sequence[_Lease]) -> list[tuple[int, str, int]]:
        return [(lease.message_row, self._owner, lease.fetch) for lease in leases]

    def _delivery(self, row: Sequence[Any]) -> Delivery:
        *columns, count, redelivered = row
        return Delivery(
            message=message_from_row(columns),
            queue=self.queue,
            redelivered=bool(redelivered),
            delivery_count=int(count),
            token=_Lease(int(columns[0]), self._fetches),
        )
