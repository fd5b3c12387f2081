"""Delivery: canonical events from a partner's outbound queue to the partner, in order.

For each batch: decode the events, skip those the journal shows as delivered already,
apply the partner's sharing policy and render (``Adapter.render``), and deliver. Events of
different people go out in parallel lanes; one person's events go out one after another
in outbox order, and never overtake an earlier event of theirs that is waiting in a delay
tier (``core_records.bookkeeping.delivery_holds``).

Whom an event goes to is decided centrally too (``Adapter.recipients``): every partner of
the adapter, or, for an adapter whose policy scopes rows to ``own_prisons`` (private-prison
operators), only the partner running the prison the event happened at, through that
partner's own delivery (``partner_deliveries``). An event no partner may receive is
filtered, and the journal says so.

A failed delivery is decided by ``RetryPolicy``: transient failures wait in a delay tier,
permanent ones and exhausted retries go to the dead-letter queue. Once a partner looks
down (several "unavailable" answers in a row, not one document it chokes on), the rest of
the batch is held back rather than tried, and the worker pauses before its next batch,
backing off while the partner stays down.
"""

from __future__ import annotations

import enum
import logging
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from adapters.base import EVERYONE, Adapter
from adapters.transports import partner_headers
from core_records.bookkeeping import journal
from core_records.bookkeeping.delivery_holds import DeliveryHolds, Hold
from core_records.bookkeeping.journal import Hop
from core_records.errors import InvalidMessage, PartnerUnavailable, PermanentError
from core_records.events import CanonicalEvent
from routing import message_documents, worker_metrics
from routing.delivery_breaker import Breaker
from routing.log_context import bound_to
from routing.messages import HEADER_CAUSATION_ID, HEADER_SEQUENCE, Delivery
from routing.retry import RetryLater, RetryPolicy, describe
from routing.transport import Consumer
from routing.worker import handed_back_on_error, settle_safely

log = logging.getLogger(__name__)


class PartnerDelivery(Protocol):
    """How documents reach a partner (``adapters.transports.http.HttpDelivery``, say)."""

    def deliver(self, body: bytes, *, content_type: str, headers: Mapping[str, str]) -> None:
        """Deliver one document; raise PartnerUnavailable or PartnerRejected."""

    def close(self) -> None: ...


class Result(enum.Enum):
    DELIVERED = "delivered"
    ALREADY_DELIVERED = "already delivered"
    FILTERED = "filtered"
    HELD = "held"
    RETRY = "retry"
    DEAD_LETTER = "dead letter"


@dataclass
class Item:
    delivery: Delivery
    event: CanonicalEvent | None
    sequence: int
    result: Result | None = None
    reason: str = ""
    delay_ms: int = 0
    recipients: tuple[str, ...] = ()
    body: bytes | None = None

    @property
    def lane(self) -> str:
        if self.event is not None and self.event.person_key:
            return self.event.person_key
        return self.delivery.message.message_id


@dataclass
class DeliveryWorker:
    consumer: Consumer
    adapter: Adapter
    delivery: PartnerDelivery
    holds: DeliveryHolds
    retry_policy: RetryPolicy
    batch_size: int = 200
    fetch_timeout_s: float = 0.5
    lanes: int = 8
    max_backoff_s: float = 30.0
    unavailable_before_down: int = 3
    """Consecutive "unavailable" answers in a batch that mean the partner itself is down,
    rather than choking on one document."""
    backoff_s: float = 0.0
    """How long the runner should pause before the next batch (set while a partner is down)."""
    hold_sweep_every_s: float = 60.0
    """How often the worker releases holds whose events are settled elsewhere or gone."""
    hold_unseen_after_s: float = 0.0
    """A hold whose event has not come back for this long guards nothing any more; 0 means
    twice the longest delay tier plus five minutes."""
    name: str = ""
    partner_deliveries: Mapping[str, PartnerDelivery] = field(default_factory=dict)
    """For an adapter scoped to its partners' own prisons: each partner's own delivery, by
    partner name (``delivery`` is then unused)."""
    _pool: ThreadPoolExecutor = field(init=False, repr=False)
    _started: float = field(init=False, repr=False)
    _next_sweep: float = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.name = self.name or f"delivery:{self.adapter.name}"
        self._pool = ThreadPoolExecutor(self.lanes, thread_name_prefix=self.name)
        if not self.hold_unseen_after_s:
            self.hold_unseen_after_s = 2 * max(self.retry_policy.delay_tiers_ms) / 1000 + 300
        self._started = self._next_sweep = time.monotonic()

    @property
    def partner(self) -> str:
        return self.adapter.name

    def run_once(self) -> int:
        if time.monotonic() >= self._next_sweep:
            self.sweep_holds()
        deliveries = self.consumer.fetch(self.batch_size, self.fetch_timeout_s)
        if not deliveries:
            return 0
        with handed_back_on_error(self.consumer, deliveries):
            items = [self._decode(d) for d in deliveries]
            events = [(i, i.event) for i in items if i.event is not None]
            already, holds = self.holds.before_delivering(
                self.partner, [e.event_id for _, e in events], {e.person_key for _, e in events}
            )
            lanes: dict[str, list[Item]] = defaultdict(list)
            for item, event in events:
                if event.event_id in already:
                    item.result = Result.ALREADY_DELIVERED
                else:
                    lanes[item.lane].append(item)
            settled_here = {i.sequence for i in items if i.result is Result.ALREADY_DELIVERED}
            breaker = Breaker(self.unavailable_before_down)
            list(
                self._pool.map(
                    lambda lane: self._run_lane(lane, holds, settled_here, breaker),
                    lanes.values(),
                )
            )
            self._record(items)
        self._settle(items, breaker.down)
        return len(items)

    def restart_hold_clock(self) -> None:
        """Count again from now before releasing unseen holds (on resuming from a pause)."""
        self._started = self._next_sweep = time.monotonic()

    def sweep_holds(self) -> None:
        """Release holds guarding events that are settled, or (once this worker has consumed
        for longer than any event can wait in a delay tier) that never came back."""
        now = time.monotonic()
        self._next_sweep = now + self.hold_sweep_every_s
        consumed_long_enough = now - self._started >= self.hold_unseen_after_s
        unseen = timedelta(seconds=self.hold_unseen_after_s) if consumed_long_enough else None
        for released in self.holds.sweep(self.partner, not_seen_for=unseen):
            log.warning(
                "%s: released the hold on event %s for %s: %s",
                self.name,
                released.hold.message_id,
                released.hold.person_key,
                released.reason,
            )

    def _decode(self, delivery: Delivery) -> Item:
        try:
            event = CanonicalEvent.from_json(delivery.message.body)
            sequence = int(delivery.message.headers[HEADER_SEQUENCE])
        except Exception as error:
            item = Item(delivery, None, 0, Result.DEAD_LETTER)
            item.reason = describe(InvalidMessage(f"not a canonical event: {describe(error)}"))
            return item
        return Item(delivery, event, sequence)

    def _run_lane(
        self,
        lane: list[Item],
        holds: Mapping[str, list[Hold]],
        settled_here: set[int],
        breaker: Breaker,
    ) -> None:
        """Deliver one person's events in outbox order; an event waits while an earlier
        one of theirs is held (and not settled in this batch), and once one waits, the
        rest wait behind it."""
        behind = ""
        settled = set(settled_here)
        for item in sorted(lane, key=lambda i: i.sequence):
            with bound_to(item.delivery.message):
                assert item.event is not None
                if item.sequence in settled:  # a second copy of an event in the same batch
                    item.result = Result.ALREADY_DELIVERED
                    continue
                hold = next(
                    (
                        h
                        for h in holds.get(item.lane, ())
                        if h.sequence < item.sequence and h.sequence not in settled
                    ),
                    None,
                )
                if behind or hold is not None or breaker.down:
                    item.result = Result.HELD
                    item.reason = behind or _waiting_reason(self.partner, hold)
                    behind = item.reason
                    continue
                try:
                    item.recipients = self.adapter.recipients(item.event)
                    item.body = body = self.adapter.render(item.event) if item.recipients else None
                    if body is None:
                        item.result = Result.FILTERED
                        item.reason = "" if item.recipients else "no partner may receive it"
                        settled.add(item.sequence)
                        continue
                    headers = {
                        partner_headers.EVENT_ID: item.event.event_id,
                        partner_headers.EVENT_TYPE: item.event.event_type,
                        partner_headers.CORRELATION_ID: item.delivery.message.correlation_id,
                        partner_headers.DELIVERY: delivery_kind(item.delivery),
                    }
                    started = time.perf_counter()
                    for delivery in self._deliveries_for(item.recipients):
                        delivery.deliver(
                            body, content_type=self.adapter.delivery_content_type, headers=headers
                        )
                    took = time.perf_counter() - started
                    worker_metrics.delivered(self.partner, item.event.published_at, took)
                    log.debug("delivered %s to %s", item.event.event_id, ", ".join(item.recipients))
                    item.result = Result.DELIVERED
                    settled.add(item.sequence)
                    breaker.succeeded()
                except Exception as error:
                    if isinstance(error, PartnerUnavailable):
                        breaker.unavailable()
                    decision = self.retry_policy.decide(error, item.delivery.message.failures)
                    item.reason = decision.reason
                    if isinstance(decision, RetryLater):
                        item.result, item.delay_ms = Result.RETRY, decision.delay_ms
                        behind = (
                            f"waits behind event {item.event.event_id} ({item.event.event_type}),"
                            f" retrying since {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC"
                        )
                    else:
                        item.result = Result.DEAD_LETTER

    def _deliveries_for(self, recipients: tuple[str, ...]) -> list[PartnerDelivery]:
        if self.adapter.policy.rows == EVERYONE:
            return [self.delivery]
        missing = [r for r in recipients if r not in self.partner_deliveries]
        if missing:
            raise PermanentError(
                f"no delivery is configured for {', '.join(missing)}: set"
                f" GATEHOUSE_PARTNER_URLS__{missing[0].upper()}"
            )
        return [self.partner_deliveries[r] for r in recipients]

    def _record(self, items: Sequence[Item]) -> None:
        """Place and lift holds and journal the outcomes, in one transaction, before any
        delivery is settled: a returning event must find the holds already in place."""
        now = datetime.now(UTC)
        holds: list[Hold] = []
        lifts: list[int] = []
        held_hops: dict[int, Hop] = {}
        for item in items:
            event = item.event
            if event is not None and event.person_key:
                if item.result in (Result.HELD, Result.RETRY):
                    holds.append(Hold(item.sequence, event.person_key, event.event_id))
                else:
                    lifts.append(item.sequence)
            if item.result is Result.HELD and (hop := self._hop(item, now)) is not None:
                held_hops[item.sequence] = hop
        hops = [
            hop
            for item in items
            if item.result is not Result.HELD and (hop := self._hop(item, now)) is not None
        ]
        docs = message_documents.outbound_documents(self.adapter, items)
        self.holds.settle(
            self.partner, hold=holds, lift=lifts, hops=hops, hops_if_new=held_hops, documents=docs
        )

    def _settle(self, items: Sequence[Item], partner_down: bool) -> None:
        tiers = self.retry_policy.delay_tiers_ms
        park_tier = tiers[min(1, len(tiers) - 1)] if partner_down else tiers[0]
        done = [
            i.delivery
            for i in items
            if i.result in (Result.DELIVERED, Result.ALREADY_DELIVERED, Result.FILTERED)
        ]
        self.consumer.ack(done)
        for item in items:
            worker_metrics.count(self.name, item.result.name.lower() if item.result else "none")
            with bound_to(item.delivery.message):
                if item.result is Result.RETRY:
                    settle_safely(
                        self.consumer, item.delivery, "retry_later", item.delay_ms, item.reason
                    )
                elif item.result is Result.HELD:
                    settle_safely(
                        self.consumer,
                        item.delivery,
                        "retry_later",
                        park_tier,
                        item.reason,
                        kind="held",
                    )
                elif item.result is Result.DEAD_LETTER:
                    settle_safely(self.consumer, item.delivery, "dead_letter", item.reason)

        if partner_down:
            self.backoff_s = min(max(self.backoff_s * 2, 1.0), self.max_backoff_s)
            log.warning("%s looks down; pausing %.0f s", self.partner, self.backoff_s)
        elif any(i.result is Result.DELIVERED for i in items):
            self.backoff_s = 0.0

    def _hop(self, item: Item, at: datetime) -> Hop | None:
        hop_names: Mapping[Result, tuple[str, str]] = {
            Result.DELIVERED: (journal.DELIVERED, "ok"),
            Result.FILTERED: (journal.FILTERED, "ok"),
            Result.RETRY: (journal.RETRY_SCHEDULED, "retry"),
            Result.HELD: (journal.DELIVERY_HELD, "retry"),
        }
        if item.result not in hop_names or item.event is None:
            return None
        name, outcome = hop_names[item.result]
        message = item.delivery.message
        return Hop(
            message_id=item.event.event_id,
            hop=name,
            at=at,
            outcome=outcome,
            correlation_id=message.correlation_id,
            causation_id=message.headers.get(HEADER_CAUSATION_ID),
            adapter=self.adapter.name,
            partner=",".join(item.recipients) or self.partner,
            direction=journal.OUTBOUND,
            message_type=item.event.event_type,
            person_key=item.event.person_key,
            detail=item.reason or None,
        )

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self.consumer.close()
        self.delivery.close()
        for delivery in self.partner_deliveries.values():
            delivery.close()


def delivery_kind(delivery: Delivery) -> str:
    """What a partner is told of a delivery (``X-Gatehouse-Delivery``): ``replay`` once a
    service manager replayed it, ``redelivery`` when it may have reached the partner before
    (it failed, waited, or was handed out before), else ``first``."""
    attempts = delivery.message.attempts
    if any(attempt.get("kind") == "replayed" for attempt in attempts):
        return partner_headers.REPLAY
    if attempts or delivery.redelivered or delivery.delivery_count > 1:
        return partner_headers.REDELIVERY
    return partner_headers.FIRST


def _waiting_reason(partner: str, hold: Hold | None) -> str:
    if hold is None:
        return f"held while {partner} looks down"
    since = f" since {hold.parked_at:%Y-%m-%d %H:%M:%S} UTC" if hold.parked_at else ""
    return f"waits behind event {hold.message_id} for {hold.person_key}, held{since}"
