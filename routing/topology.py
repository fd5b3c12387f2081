"""Every exchange and queue Gatehouse uses, named and shaped in this one module.

    partner ──► <ns>.inbound (topic, key "<adapter>.<type>") ──► <ns>.ingest
    outbox relay ──► <ns>.events (topic, key = event type) ──► <ns>.outbound.<adapter>
    any work queue ──(retry)──► <queue>.wait.<delay>ms ──(TTL expiry)──► the same work queue
    any work queue ──(dead letter)──► <ns>.dead-letter (topic) ──► <ns>.dead-letters

Delayed retry uses one wait queue per work queue and delay tier: RabbitMQ expires messages
only at the head of a queue, so mixed per-message TTLs in one queue would block each other.
The namespace (``gatehouse`` by default) lets tests and several hubs share one broker.
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


def inbound_routing_key(adapter: str, message_type: str) -> str:
    return f"{adapter}.{message_type}"


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
) -> Topology:
    """The whole topology for a hub whose adapters subscribe to the given event types.

    ``subscriptions`` maps an adapter name to the event types its partner receives; each
    adapter with at least one gets an outbound queue bound to exactly those types.
    """
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

    queues = [work_queue(ingest_queue_name(namespace), (Binding(inbound, "#"),))]
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
