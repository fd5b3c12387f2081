"""Every exchange and queue Gatehouse uses, named and shaped in this one module.

    partner ──► <ns>.inbound (topic, key "<adapter>.<type>.s<slot>") ──► <ns>.ingest
                                 (or, in K partitions, ──► <ns>.ingest.<n>-of-<K>)
    outbox relay ──► <ns>.events (topic, key = event type) ──► <ns>.outbound.<adapter>
    any work queue ──(retry)──► <queue>.wait.<delay>ms ──(TTL expiry)──► the same work queue
    any work queue ──(dead letter)──► <ns>.dead-letter (topic) ──► <ns>.dead-letters

Delayed retry uses one wait queue per work queue and delay tier: RabbitMQ expires messages
only at the head of a queue, so mixed per-message TTLs in one queue would block each other.
The namespace (``gatehouse`` by default) lets tests and several hubs share one broker.

Partitioned ingest: the edge hashes a message's person key to one of ``INGEST_SLOTS`` slots
and ends the routing key with it; in K partitions, partition n is bound to every slot s with
``s % K == n``. The edge never needs to know K: changing K changes bindings, not publishers
(``routing.ingest_partitions``). One partition keeps the single queue ``<ns>.ingest``, bound
to everything, as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

DEFAULT_NAMESPACE = "gatehouse"
DEFAULT_DELAY_TIERS_MS: tuple[int, ...] = (1_000, 10_000, 60_000, 600_000)
DEFAULT_DELIVERY_LIMIT = 20
"""How many times the broker hands out one message before dead-lettering it on its own.

Gatehouse dead-letters failing messages itself, with a reason, long before this; the limit
catches the message that kills its consumer outright, so that it cannot do so for ever."""


def inbound_exchange_name(namespace: str = DEFAULT_NAMESPACE) -> str:
    return f"{namespace}.inbound"


def events_exchange_name(namespace: str = DEFAULT_NAMESPACE) -> str:
    return f"{namespace}.events"


def dead_letter_exchange_name(namespace: str = DEFAULT_NAMESPACE) -> str:
    return f"{namespace}.dead-letter"


def ingest_queue_name(namespace: str = DEFAULT_NAMESPACE) -> str:
    return f"{namespace}.ingest"


def ingest_partition_queue_name(
    partition: int, partitions: int, namespace: str = DEFAULT_NAMESPACE
) -> str:
    """Partition ``partition`` (from 0) of ``partitions``; the count is in the name, so that
    two layouts never share a queue and the old one can drain while the new one fills."""
    if partitions == 1:
        return ingest_queue_name(namespace)
    return f"{namespace}.ingest.{partition}-of-{partitions}"


def ingest_queue_names(partitions: int, namespace: str = DEFAULT_NAMESPACE) -> tuple[str, ...]:
    return tuple(ingest_partition_queue_name(n, partitions, namespace) for n in range(partitions))


def ingest_bindings(partition: int, partitions: int, namespace: str) -> tuple[Binding, ...]:
    """What partition ``partition`` of ``partitions`` takes from the inbound exchange."""
    inbound = inbound_exchange_name(namespace)
    if partitions == 1:
        return (Binding(inbound, "#"),)
    return tuple(
        Binding(inbound, f"#.{slot_word(slot)}")
        for slot in range(INGEST_SLOTS)
        if slot % partitions == partition
    )


def outbound_queue_name(adapter: str, namespace: str = DEFAULT_NAMESPACE) -> str:
    return f"{namespace}.outbound.{adapter}"


def dead_letter_queue_name(namespace: str = DEFAULT_NAMESPACE) -> str:
    return f"{namespace}.dead-letters"


def wait_queue_name(work_queue: str, delay_ms: int) -> str:
    return f"{work_queue}.wait.{delay_ms}ms"


def partner_exchange_name(adapter: str, namespace: str = DEFAULT_NAMESPACE) -> str:
    """Where Gatehouse publishes documents for an AMQP partner (see ``partner_topology``)."""
    return f"{namespace}.partner.{adapter}.out"


def partner_outbound_queue_name(adapter: str, namespace: str = DEFAULT_NAMESPACE) -> str:
    """The queue an AMQP partner consumes Gatehouse's documents from."""
    return f"{namespace}.partner.{adapter}.out"


def partner_inbound_exchange_name(adapter: str, namespace: str = DEFAULT_NAMESPACE) -> str:
    """Where an AMQP partner publishes its documents to Gatehouse."""
    return f"{namespace}.partner.{adapter}.in"


def partner_inbound_queue_name(adapter: str, namespace: str = DEFAULT_NAMESPACE) -> str:
    """The queue Gatehouse consumes an AMQP partner's documents (and replies) from."""
    return f"{namespace}.partner.{adapter}.in"


INGEST_SLOTS = 64
"""Slots a person key hashes to; the most partitions ingest can have."""


def slot_word(slot: int) -> str:
    return f"s{slot}"


def inbound_routing_key(adapter: str, message_type: str, slot: int = 0) -> str:
    """``<adapter>.<type>.s<slot>``: the last word says which partition takes it."""
    return f"{adapter}.{message_type}.{slot_word(slot)}"


@dataclass(frozen=True)
class Exchange:
    name: str
    kind: Literal["topic", "direct"] = "topic"


@dataclass(frozen=True)
class Binding:
    exchange: str
    routing_key: str
    """A topic pattern: words separated by dots, ``*`` for one word, ``#`` for any number."""


@dataclass(frozen=True)
class WaitQueue:
    """Holds a message for ``delay_ms`` and then sends it back to ``returns_to``."""

    name: str
    delay_ms: int
    returns_to: str


@dataclass(frozen=True)
class WorkQueue:
    """A durable queue that consumers take work from.

    ``single_active_consumer`` keeps the queue's order: only one consumer at a time receives
    from it, and another takes over when it goes. ``dead_letter_exchange`` is None only for
    the dead-letter queue itself.
    """

    name: str
    bindings: tuple[Binding, ...]
    dead_letter_exchange: str | None
    delivery_limit: int = DEFAULT_DELIVERY_LIMIT
    single_active_consumer: bool = True
    wait_queues: tuple[WaitQueue, ...] = ()

    def wait_queue_for(self, delay_ms: int) -> WaitQueue:
        for wait_queue in self.wait_queues:
            if wait_queue.delay_ms == delay_ms:
                return wait_queue
        tiers = ", ".join(str(w.delay_ms) for w in self.wait_queues) or "none"
        raise ValueError(f"{self.name} has no {delay_ms} ms wait queue (tiers: {tiers})")


@dataclass(frozen=True)
class Topology:
    namespace: str
    exchanges: tuple[Exchange, ...]
    work_queues: tuple[WorkQueue, ...]
    delay_tiers_ms: tuple[int, ...] = field(default=DEFAULT_DELAY_TIERS_MS)

    @property
    def inbound_exchange(self) -> str:
        return inbound_exchange_name(self.namespace)

    @property
    def events_exchange(self) -> str:
        return events_exchange_name(self.namespace)

    @property
    def dead_letter_exchange(self) -> str:
        return dead_letter_exchange_name(self.namespace)

    @property
    def ingest_queue(self) -> str:
        return ingest_queue_name(self.namespace)

    @property
    def ingest_queues(self) -> tuple[str, ...]:
        """The ingest partitions' queues, in partition order (one, ``ingest_queue``, unless
        ingest is partitioned)."""
        prefix = f"{self.ingest_queue}."
        partitions = tuple(
            q.name
            for q in self.work_queues
            if q.name == self.ingest_queue or (q.name.startswith(prefix) and "-of-" in q.name)
        )
        return partitions

    @property
    def dead_letter_queue(self) -> str:
        return dead_letter_queue_name(self.namespace)

    def outbound_queue(self, adapter: str) -> str:
        return outbound_queue_name(adapter, self.namespace)

    def queue(self, name: str) -> WorkQueue:
        for work_queue in self.work_queues:
            if work_queue.name == name:
                return work_queue
        raise KeyError(f"no work queue named {name!r} in the {self.namespace} topology")

    @property
    def all_queue_names(self) -> list[str]:
        names: list[str] = []
        for work_queue in self.work_queues:
            names.append(work_queue.name)
            names.extend(w.name for w in work_queue.wait_queues)
        return names


def build_topology(
    subscriptions: Mapping[str, Iterable[str]],
    *,
    namespace: str = DEFAULT_NAMESPACE,
    delay_tiers_ms: tuple[int, ...] = DEFAULT_DELAY_TIERS_MS,
    delivery_limit: int = DEFAULT_DELIVERY_LIMIT,
    ingest_partitions: int = 1,
) -> Topology:
    """The whole topology for a hub whose adapters subscribe to the given event types.

    ``subscriptions`` maps an adapter name to the event types its partner receives; each
    adapter with at least one gets an outbound queue bound to exactly those types. Ingest
    has ``ingest_partitions`` queues, each with a single active consumer.
    """
    if not 1 <= ingest_partitions <= INGEST_SLOTS:
        raise ValueError(f"ingest partitions must be 1 to {INGEST_SLOTS}, not {ingest_partitions}")
    inbound = inbound_exchange_name(namespace)
    events = events_exchange_name(namespace)
    dead_letter = dead_letter_exchange_name(namespace)

    def work_queue(name: str, bindings: tuple[Binding, ...]) -> WorkQueue:
        return WorkQueue(
            name=name,
            bindings=bindings,
            dead_letter_exchange=dead_letter,
            delivery_limit=delivery_limit,
            wait_queues=tuple(
                WaitQueue(wait_queue_name(name, delay), delay, returns_to=name)
                for delay in delay_tiers_ms
            ),
        )

    queues = [
        work_queue(
            ingest_partition_queue_name(n, ingest_partitions, namespace),
            ingest_bindings(n, ingest_partitions, namespace),
        )
        for n in range(ingest_partitions)
    ]
    for adapter, event_types in sorted(subscriptions.items()):
        bindings = tuple(Binding(events, event_type) for event_type in sorted(set(event_types)))
        if bindings:
            queues.append(work_queue(outbound_queue_name(adapter, namespace), bindings))
    queues.append(
        WorkQueue(
            name=dead_letter_queue_name(namespace),
            bindings=(Binding(dead_letter, "#"),),
            dead_letter_exchange=None,
            delivery_limit=0,
        )
    )
    return Topology(
        namespace=namespace,
        exchanges=(Exchange(inbound), Exchange(events), Exchange(dead_letter)),
        work_queues=tuple(queues),
        delay_tiers_ms=delay_tiers_ms,
    )


def partner_topology(
    adapters: Iterable[str],
    *,
    namespace: str = DEFAULT_NAMESPACE,
    delivery_limit: int = DEFAULT_DELIVERY_LIMIT,
) -> Topology:
    """The partner-facing exchanges and queues of the AMQP partners ``adapters``.

    Per partner: an exchange and queue it consumes Gatehouse's documents from
    (``<ns>.partner.<adapter>.out``), and an exchange and queue it publishes to
    (``<ns>.partner.<adapter>.in``), which also takes its replies (a reply goes to the queue
    named in the request's ``reply_to``). A message either side cannot handle is
    dead-lettered to the hub's dead-letter exchange, so it shows with the hub's own.
    """
    dead_letter = dead_letter_exchange_name(namespace)
    exchanges: list[Exchange] = []
    queues: list[WorkQueue] = []
    for adapter in sorted(set(adapters)):
        for exchange, queue in (
            (
                partner_exchange_name(adapter, namespace),
                partner_outbound_queue_name(adapter, namespace),
            ),
            (
                partner_inbound_exchange_name(adapter, namespace),
                partner_inbound_queue_name(adapter, namespace),
            ),
        ):
            exchanges.append(Exchange(exchange))
            queues.append(
                WorkQueue(
                    name=queue,
                    bindings=(Binding(exchange, "#"),),
                    dead_letter_exchange=dead_letter,
                    delivery_limit=delivery_limit,
                )
            )
    return Topology(namespace=namespace, exchanges=tuple(exchanges), work_queues=tuple(queues))
