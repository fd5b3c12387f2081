"""The delivery holds under random interleavings of deliver, fail, redeliver and settle.

Two delivery workers take one partner's queue from a broker modelled in memory (its copies,
its wait tier, connections that drop between delivering and settling, a copy that is lost
after another copy was delivered), with the real ``DeliveryWorker`` and the real holds in a
SQLite store. Whatever happens, once the partner is healthy and the queue drained: every
event reached the partner, each person's events first arrived in their order, and no hold
is left behind.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.base import EVERYONE
from core_records import tables
from core_records.bookkeeping.delivery_holds import DeliveryHolds
from core_records.errors import PartnerUnavailable, TransportUnavailable
from core_records.events import CanonicalEvent
from core_records.identifiers import Identifier
from routing.delivery import DeliveryWorker
from routing.messages import HEADER_SEQUENCE, Delivery, Message
from routing.retry import RetryPolicy
from routing.transport import Consumer

PARTNER = "security"


class Broker:
    """One work queue and its wait tier, as RabbitMQ keeps them for a partner."""

    def __init__(self) -> None:
        self.queue: deque[Message] = deque()
        self.waiting: list[Message] = []
        self.unacked: dict[str, list[Delivery]] = {}
        self.handed_out: dict[str, int] = {}

    def requeue(self, deliveries: Sequence[Delivery]) -> None:
        for delivery in reversed(deliveries):
            self.queue.appendleft(delivery.message)

    def tick(self) -> None:
        """Time passes: whatever waited in the delay tier is back in the queue."""
        self.queue.extend(self.waiting)
        self.waiting.clear()

    @property
    def settled(self) -> bool:
        return not self.queue and not self.waiting and not any(self.unacked.values())


class ModelConsumer(Consumer):
    """A consumer whose connection can drop between delivering and settling."""

    def __init__(self, broker: Broker, name: str) -> None:
        self.broker, self.name = broker, name
        self.connection = 0
        self.drop_at_settle = False
        broker.unacked[name] = []

    def drop(self) -> None:
        """The connection is gone: the broker hands what this consumer held out again."""
        held = self.broker.unacked[self.name]
        self.broker.unacked[self.name] = []
        self.broker.requeue(held)
        self.connection += 1

    def fetch(self, max_messages: int, timeout_s: float) -> list[Delivery]:
        deliveries = []
        while self.broker.queue and len(deliveries) < max_messages:
            message = self.broker.queue.popleft()
            count = self.broker.handed_out.get(message.message_id, 0)
            self.broker.handed_out[message.message_id] = count + 1
            deliveries.append(Delivery(message, "q", count > 0, count + 1, self.connection))
        self.broker.unacked[self.name].extend(deliveries)
        return deliveries

    def _take(self, delivery: Delivery) -> bool:
        if self.drop_at_settle:
            self.drop_at_settle = False
            self.drop()
        if delivery.token != self.connection:
            return False
        self.broker.unacked[self.name].remove(delivery)
        return True

    def ack(self, deliveries: Sequence[Delivery]) -> None:
        if self.drop_at_settle and not deliveries:
            self.drop_at_settle = False
            self.drop()
        for delivery in deliveries:
            self._take(delivery)  # a delivery of a dropped connection is skipped

    def retry_later(
        self, delivery: Delivery, delay_ms: int, reason: str, *, kind: str = "failure"
    ) -> None:
        if not self._take(delivery):
            raise TransportUnavailable("the channel closed before confirming")
        self.broker.waiting.append(delivery.message.with_attempt(reason, delay_ms, kind))

    def dead_letter(self, delivery: Delivery, reason: str) -> None:
        raise AssertionError(f"nothing should be dead-lettered here: {reason}")

    def release(self, deliveries: Sequence[Delivery]) -> None:
        for delivery in deliveries:
            if delivery.token != self.connection:
                raise TransportUnavailable("the connection is closed")
        for delivery in deliveries:
            self.broker.unacked[self.name].remove(delivery)
        self.broker.requeue(deliveries)

    def close(self) -> None:
        pass


@dataclass
class Partner:
    """The partner: records what it received; fails on demand; lets a fault happen while a
    document is being delivered."""

    received: list[str] = field(default_factory=list)
    fail_next: int = 0
    during_next_delivery: list[Any] = field(default_factory=list)

    def deliver(self, body: bytes, *, content_type: str, headers: Mapping[str, str]) -> None:
        if self.fail_next:
            self.fail_next -= 1
            raise PartnerUnavailable("the partner answered 503")
        self.received.append(headers["X-Gatehouse-Event-Id"])
        if self.during_next_delivery:
            self.during_next_delivery.pop()()

    def close(self) -> None:
        pass


class Policy:
    rows = EVERYONE


class ModelAdapter:
    name = PARTNER
    policy = Policy()
    delivery_content_type = "application/json"

    def recipients(self, event: CanonicalEvent) -> tuple[str, ...]:
        return (PARTNER,)

    def render(self, event: CanonicalEvent) -> bytes:
        return event.to_json()


@pytest.fixture(scope="module")
def engine() -> sa.Engine:
    engine = sa.create_engine(
        "sqlite://", poolclass=sa.StaticPool, connect_args={"check_same_thread": False}
    )
    tables.metadata.create_all(engine)
    return engine


def events_for(people: int, order: list[int]) -> list[tuple[int, CanonicalEvent]]:
    """(sequence, event) in outbox order; ``order`` names whose event comes next."""
    at = datetime.now(UTC)
    return [
        (
            sequence,
            CanonicalEvent(
                "prisoner.received",
                at,
                (Identifier("NOMS", f"A{person % people:04d}AA"),),
                {"sequence": sequence},
            ),
        )
        for sequence, person in enumerate(order, start=1)
    ]


STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("run"), st.integers(0, 1), st.integers(1, 6)),
        st.tuples(st.just("fail"), st.integers(1, 4), st.just(0)),
        st.tuples(st.just("drop_at_settle"), st.integers(0, 1), st.just(0)),
        st.tuples(st.just("drop_while_delivering"), st.integers(0, 1), st.integers(1, 6)),
        st.tuples(st.just("drop_while_delivering_and_fail"), st.integers(0, 1), st.integers(1, 6)),
        st.tuples(st.just("tick"), st.just(0), st.just(0)),
        st.tuples(st.just("lose_a_delivered_copy"), st.integers(0, 50), st.just(0)),
    ),
    max_size=40,
)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    people=st.integers(1, 4),
    order=st.lists(st.integers(0, 3), min_size=1, max_size=16),
    steps=STEPS,
    sweep_every_batch=st.booleans(),
)
def test_no_hold_outlives_its_event_and_each_person_stays_in_order(
    engine: sa.Engine,
    people: int,
    order: list[int],
    steps: list[tuple[str, int, int]],
    sweep_every_batch: bool,
) -> None:
    with engine.begin() as connection:
        connection.execute(sa.delete(tables.delivery_hold))
        connection.execute(sa.delete(tables.journal))
    broker, partner = Broker(), Partner()
    events = events_for(people, order)
    for sequence, event in events:
        broker.queue.append(
            Message(PARTNER, event.to_json(), event.event_id, {HEADER_SEQUENCE: str(sequence)})
        )
    holds = DeliveryHolds(engine)
    consumers = [ModelConsumer(broker, "a"), ModelConsumer(broker, "b")]
    workers = [
        DeliveryWorker(
            consumer=consumer,
            adapter=ModelAdapter(),  # type: ignore[arg-type]
            delivery=partner,
            holds=holds,
            retry_policy=RetryPolicy(delay_tiers_ms=(1000,), max_attempts=10_000),
            fetch_timeout_s=0,
            lanes=1,  # one lane thread: the interleaving is the one the steps say
            hold_sweep_every_s=0 if sweep_every_batch else 1e9,
        )
        for consumer in consumers
    ]

    def run(index: int, batch: int) -> None:
        workers[index].batch_size = batch
        workers[index].run_once()

    for step, which, size in steps:
        if step == "run":
            run(which, size)
        elif step == "fail":
            partner.fail_next += which
        elif step == "drop_at_settle":
            consumers[which].drop_at_settle = True
        elif step.startswith("drop_while_delivering"):
            # A broker restart mid-batch: this consumer has just delivered when its
            # connection drops, and the other consumer is handed the same batch at once,
            # and (while the broker is down) may fail to deliver it.
            def fault(which: int = which, size: int = size, fail: bool = "fail" in step) -> None:
                consumers[which].drop()
                partner.fail_next += fail
                run(1 - which, size)

            partner.during_next_delivery.append(fault)
            run(which, size)
            partner.during_next_delivery.clear()
        elif step == "tick":
            broker.tick()
        elif step == "lose_a_delivered_copy" and broker.waiting:
            copy = broker.waiting[which % len(broker.waiting)]
            if copy.message_id in partner.received:
                broker.waiting.remove(copy)

    partner.fail_next = 0
    for _ in range(200):
        if broker.settled:
            break
        broker.tick()
        run(0, 6)
        run(1, 6)
    assert broker.settled, (
        f"the queue should drain once the partner is healthy: {len(broker.queue)} queued,"
        f" {len(broker.waiting)} waiting, {broker.unacked} unsettled, {holds.waiting(PARTNER)}"
    )
    for worker in workers:
        worker.sweep_holds()
        worker.close()

    assert set(partner.received) == {event.event_id for _, event in events}
    first_arrivals = list(dict.fromkeys(partner.received))
    sequence_of = {event.event_id: sequence for sequence, event in events}
    person_of = {event.event_id: event.person_key for _, event in events}
    for person in set(person_of.values()):
        theirs = [sequence_of[e] for e in first_arrivals if person_of[e] == person]
        assert theirs == sorted(theirs), f"{person}'s events arrived out of order: {theirs}"
    assert holds.count() == 0, "a hold outlived the event it guarded"
