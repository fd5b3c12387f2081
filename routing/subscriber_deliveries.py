"""Deliveries to event subscribers, who come and go while the worker runs.

One loop for them all: every ``poll_s`` it reads the subscribers from the store, declares
the queue of each new one (``<ns>.outbound.subscribers.<name>``, bound on the events
exchange to its patterns, with the same delay tiers and dead-lettering as every adapter's)
and starts a ``DeliveryWorker`` for it, so ordering per person, retries, dead letters,
holds and journal hops are those of every partner. A subscriber whose URL, patterns or
policy changed gets a new worker; one removed has its worker closed (its queue is kept, as
a partner's is, so that nothing waiting in it is lost). Secrets are read at each poll, so a
rotation signs with both secrets from the next poll on, without a new worker.

Bindings are only ever added: after a subscriber's patterns narrow, events the old binding
still routes are filtered by the subscriber's adapter (and journalled so), not sent.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from adapters.subscribers import adapter_name, for_subscriber
from adapters.subscribers.signing import SignedDelivery
from core_records.bookkeeping.delivery_holds import DeliveryHolds
from core_records.subscribers.store import SigningSubscriber
from routing.delivery import DeliveryWorker, PartnerDelivery
from routing.retry import RetryPolicy
from routing.topology import (
    Exchange,
    Topology,
    build_topology,
    events_exchange_name,
    outbound_queue_name,
)
from routing.transport import Transport

log = logging.getLogger(__name__)


def subscriber_topology(
    name: str, patterns: tuple[str, ...], *, namespace: str, delay_tiers_ms: tuple[int, ...]
) -> Topology:
    """The events exchange and one subscriber's queue (with its wait queues), bound to its
    patterns."""
    queue_owner = adapter_name(name)
    whole = build_topology(
        {queue_owner: patterns}, namespace=namespace, delay_tiers_ms=delay_tiers_ms
    )
    queue = whole.queue(outbound_queue_name(queue_owner, namespace))
    return Topology(
        namespace=namespace,
        exchanges=(Exchange(events_exchange_name(namespace)),),
        work_queues=(queue,),
        delay_tiers_ms=delay_tiers_ms,
    )


@dataclass
class _Running:
    key: tuple[Any, ...]
    worker: DeliveryWorker
    next_at: float = 0.0


@dataclass
class SubscriberDeliveries:
    subscribers: Callable[[], list[SigningSubscriber]]
    """The subscribers in the store now, with the secrets that sign now."""
    transport: Transport
    http_delivery: Callable[[str], PartnerDelivery]
    """A delivery to a URL (the settings' timeouts and tries)."""
    holds: DeliveryHolds
    retry_policy: RetryPolicy
    namespace: str
    delay_tiers_ms: tuple[int, ...]
    poll_s: float = 5.0
    prefetch: int = 200
    batch_size: int = 200
    lanes: int = 4
    fetch_timeout_s: float = 0.2
    name: str = "delivery:subscribers"
    _running: dict[str, _Running] = field(default_factory=dict, init=False, repr=False)
    _secrets: dict[str, tuple[str, ...]] = field(default_factory=dict, init=False, repr=False)
    _next_poll: float = field(default=0.0, init=False, repr=False)

    @property
    def running(self) -> list[str]:
        """The subscribers being delivered to, by name."""
        return sorted(self._running)

    def refresh(self) -> None:
        """Start, restart and stop workers to match the subscribers in the store."""
        self._next_poll = time.monotonic() + self.poll_s
        try:
            found = {s.subscriber.name: s for s in self.subscribers()}
        except Exception as error:  # keep delivering to those known; try again next poll
            log.warning("could not read the event subscribers: %s", error)
            return
        for gone in sorted(set(self._running) - set(found)):
            log.info("event subscriber %s removed; stopping its deliveries", gone)
            self._running.pop(gone).worker.close()
            self._secrets.pop(gone, None)
        for name, signing in sorted(found.items()):
            self._secrets[name] = signing.secrets
            sub = signing.subscriber
            key = (sub.url, sub.event_patterns, repr(sorted((sub.policy or {}).items())))
            running = self._running.get(name)
            if running is not None and running.key == key:
                continue
            if running is not None:
                running.worker.close()
            try:
                self._running[name] = _Running(key, self._start(signing))
            except Exception as error:
                self._running.pop(name, None)
                log.error("cannot deliver to event subscriber %s: %s", name, error)
                continue
            log.info("delivering to event subscriber %s at %s", name, sub.url)

    def _start(self, signing: SigningSubscriber) -> DeliveryWorker:
        sub = signing.subscriber
        adapter = for_subscriber(sub.name, sub.event_patterns, sub.policy)
        topology = subscriber_topology(
            sub.name,
            sub.event_patterns,
            namespace=self.namespace,
            delay_tiers_ms=self.delay_tiers_ms,
        )
        self.transport.declare(topology)
        name = sub.name
        delivery = SignedDelivery(self.http_delivery(sub.url), lambda: self._secrets[name])
        return DeliveryWorker(
            consumer=self.transport.consumer(topology.work_queues[0].name, prefetch=self.prefetch),
            adapter=adapter,
            delivery=delivery,
            holds=self.holds,
            retry_policy=self.retry_policy,
            batch_size=self.batch_size,
            fetch_timeout_s=self.fetch_timeout_s,
            lanes=self.lanes,
        )

    def run_once(self) -> int:
        if time.monotonic() >= self._next_poll:
            self.refresh()
        handled = 0
        now = time.monotonic()
        for running in list(self._running.values()):
            if now < running.next_at:
                continue  # that subscriber looks down: its worker asked for a pause
            handled += running.worker.run_once()
            running.next_at = time.monotonic() + running.worker.backoff_s
        return handled

    def close(self) -> None:
        for running in self._running.values():
            running.worker.close()
        self._running.clear()
