"""Partitioned ingest: which partition a message goes to, and a worker reading them all.

A message's person key (``core_records.identity.person_keys``) names the person it is about
as well as the edge can tell: the sender's own number for them (a private prison's local id,
a legacy prison's LIDS number), else their prison number, else a police number, else, for a
first reception naming no number, their particulars. Every edge sets it on the
``Submission``: the HTTP edges and batch documents from the commands they translate to check
a document anyway, file formats from each record, partner AMQP messages by reading them.

The key hashes (stably, in every process) to one of ``INGEST_SLOTS`` slots, which the
routing key ends with; partition n of K takes the slots s with ``s % K == n``
(``routing.topology``). So one person's messages share a partition, and each partition's
queue, with a single active consumer, keeps their order. A message the edge cannot key goes
to slot 0: in order, never in parallel.

Two messages about one new person may still key differently (one names a PNC id, the other
only particulars) and land in two partitions: the store takes a lock per identity key for
each reception before it looks for the person (``core_records.store.identity_locks``), so
that only one of them creates the person.

``PartitionedConsumer`` reads the partitions a worker holds through one consumer each;
``PartitionShare`` shares the K partitions fairly among the live workers, on many machines,
and a worker that stops leaves its partitions to the others.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import math
import os
import socket
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from adapters.registry import AdapterRegistry
from core_records.identity.person_keys import person_key_of
from routing.messages import Delivery
from routing.topology import INGEST_SLOTS
from routing.transport import Consumer

log = logging.getLogger(__name__)


def slot_of(person_key: str | None) -> int:
    """The slot of a person key: a stable hash (not Python's ``hash``, which each process
    seeds anew); 0 for a message no one could key."""
    if not person_key:
        return 0
    digest = hashlib.blake2b(person_key.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % INGEST_SLOTS


def partition_of(person_key: str | None, partitions: int) -> int:
    return slot_of(person_key) % partitions


@dataclass(frozen=True)
class PartnerDocument:
    """What an edge learnt reading a partner document: who it is about, and whether it met
    its schema (then ingest need not validate it again: ``routing.inbound.Submission``)."""

    person_key: str | None
    schema_checked: bool


def read_partner_document(
    registry: AdapterRegistry, adapter: str, message_type: str, partner: str, body: bytes
) -> PartnerDocument:
    """Read and translate a partner document as ingest will. A document ingest will refuse
    has no person key (it is refused in whichever partition it lands), and is marked checked
    only if it met its schema."""
    try:
        inbound_type = registry.adapter(adapter).inbound_type(message_type)
        document = inbound_type.read(body)
    except Exception:  # any refusal: ingest gives the reason, not the edge
        return PartnerDocument(None, schema_checked=False)
    try:
        commands = inbound_type.translate(document, registry.scope_for_partner(partner))
        return PartnerDocument(person_key_of(commands), schema_checked=True)
    except Exception:
        return PartnerDocument(None, schema_checked=True)


def document_person_key(
    registry: AdapterRegistry, adapter: str, message_type: str, partner: str, body: bytes
) -> str | None:
    """The person key of a partner document, read and translated as ingest will; None for a
    document ingest will refuse."""
    return read_partner_document(registry, adapter, message_type, partner, body).person_key


_Group = tuple[Consumer, list[Delivery]]


class Leases(Protocol):
    """What sharing the partitions needs from the store (``RecordStore`` has it)."""

    def claim_lease(self, name: str, owner: str, ttl_s: float) -> bool: ...
    def release_lease(self, name: str, owner: str) -> None: ...
    def live_leases(self, prefix: str) -> int: ...


@dataclass
class PartitionShare:
    """Which partitions this worker should read: a fair share, claimed as leases.

    RabbitMQ's single active consumer (before 4.0) hands a queue to whichever consumer came
    first and never moves it, so a worker that attached to every partition would keep them
    all and a second worker would only stand by. So each worker holds a lease for being
    alive, counts the live workers W, and holds leases for at most ceil(K / W) partitions:
    it gives up the extras when another worker arrives, and takes free ones (a stopped
    worker's, once its lease expires) when it has fewer. The leases only share the work:
    order is still kept by the broker, which hands each queue to one consumer at a time
    even in the moment two workers both think it theirs.
    """

    leases: Leases
    namespace: str
    queues: Sequence[str]
    ttl_s: float = 15.0
    owner: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    _id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])

    def wanted(self, held: Sequence[str]) -> list[str]:
        """The queues to hold from now on, given those held: renew, give up, or take more."""
        owner = f"{self.owner}:{self._id}"
        self.leases.claim_lease(f"ingest-worker:{self.namespace}:{self._id}", owner, self.ttl_s)
        workers = max(1, self.leases.live_leases(f"ingest-worker:{self.namespace}:"))
        share = -(-len(self.queues) // workers)
        keep = [q for q in held if self.leases.claim_lease(self._lease(q), owner, self.ttl_s)]
        for queue in keep[share:]:
            self.leases.release_lease(self._lease(queue), owner)
        keep = keep[:share]
        # Start looking at a place of our own, so that workers starting together spread out.
        start = int(self._id, 16) % len(self.queues)
        for queue in [*self.queues[start:], *self.queues[:start]]:
            if len(keep) >= share:
                break
            if queue not in keep and self.leases.claim_lease(self._lease(queue), owner, self.ttl_s):
                keep.append(queue)
        return keep

    def release_all(self, held: Sequence[str]) -> None:
        owner = f"{self.owner}:{self._id}"
        for queue in held:
            self.leases.release_lease(self._lease(queue), owner)
        self.leases.release_lease(f"ingest-worker:{self.namespace}:{self._id}", owner)

    def _lease(self, queue: str) -> str:
        return f"ingest-partition:{queue}"[:64]


class PartitionedConsumer(Consumer):
    """One ``Consumer`` over several partitions' queues: each fetch takes what is ready in
    every partition it holds (each partition's deliveries in their order), and settles each
    delivery through the consumer of the queue it came from.

    With a ``share``, it holds only the partitions the share gives it, looking again every
    ``rebalance_s`` seconds, always between batches (a fetch comes after the last batch is
    settled), so that a partition given up holds no unsettled delivery. Without, it holds
    them all.
    """

    def __init__(
        self,
        open_consumer: Callable[[str], Consumer],
        queues: Sequence[str],
        *,
        share: PartitionShare | None = None,
        rebalance_s: float = 2.0,
    ) -> None:
        if not queues:
            raise ValueError("a partitioned consumer needs at least one partition")
        self._open = open_consumer
        self._queues = list(queues)
        self._share = share
        self._rebalance_s = rebalance_s
        self._held: dict[str, Consumer] = {}
        self._checked_at = -math.inf
        self._next = 0

    @property
    def held(self) -> list[str]:
        return list(self._held)

    def fetch(self, max_messages: int, timeout_s: float) -> list[Delivery]:
        self._rebalance()
        consumers = list(self._held.values())
        if not consumers:
            time.sleep(timeout_s)  # nothing of ours to read until the next look
            return []
        got = self._take_ready(consumers, max_messages)
        if got or timeout_s <= 0:
            return got
        # Nothing ready anywhere: wait on each partition in turn for its share of the time.
        share = timeout_s / len(consumers)
        for _ in range(len(consumers)):
            got = self._turn(consumers).fetch(max_messages, share)
            if got:
                return got + self._take_ready(consumers, max_messages - len(got))
        return []

    def _rebalance(self) -> None:
        now = time.monotonic()
        if now - self._checked_at < self._rebalance_s:
            return
        self._checked_at = now
        wanted = self._queues if self._share is None else self._share.wanted(self.held)
        for queue in [q for q in self._held if q not in wanted]:
            self._held.pop(queue).close()
            log.info("ingest: gave up partition %s", queue)
        for queue in wanted:
            if queue not in self._held:
                self._held[queue] = self._open(queue)
                log.info("ingest: reading partition %s", queue)

    def _take_ready(self, consumers: list[Consumer], max_messages: int) -> list[Delivery]:
        got: list[Delivery] = []
        for _ in range(len(consumers)):
            if len(got) >= max_messages:
                break
            got.extend(self._turn(consumers).fetch(max_messages - len(got), 0))
        return got

    def _turn(self, consumers: list[Consumer]) -> Consumer:
        # Round robin, so that a busy partition does not starve the others.
        consumer = consumers[self._next % len(consumers)]
        self._next += 1
        return consumer

    def _grouped(self, deliveries: Sequence[Delivery]) -> dict[str, list[Delivery]]:
        groups: dict[str, list[Delivery]] = {}
        for delivery in deliveries:
            groups.setdefault(delivery.queue, []).append(delivery)
        return groups

    def ack(self, deliveries: Sequence[Delivery]) -> None:
        for queue, group in self._grouped(deliveries).items():
            self._held[queue].ack(group)

    def retry_later(
        self, delivery: Delivery, delay_ms: int, reason: str, *, kind: str = "failure"
    ) -> None:
        self._held[delivery.queue].retry_later(delivery, delay_ms, reason, kind=kind)

    def dead_letter(self, delivery: Delivery, reason: str) -> None:
        self._held[delivery.queue].dead_letter(delivery, reason)

    def release(self, deliveries: Sequence[Delivery]) -> None:
        for queue, group in self._grouped(deliveries).items():
            self._held[queue].release(group)

    def close(self) -> None:
        for consumer in self._held.values():
            consumer.close()
        if self._share is not None:
            with contextlib.suppress(Exception):  # the leases expire on their own anyway
                self._share.release_all(self.held)
        self._held.clear()
