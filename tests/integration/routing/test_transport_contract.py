"""The transport contract: every behaviour here holds on the embedded transport and on
RabbitMQ alike (``routing.transport`` states the promises)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core_records.errors import TransportUnavailable
from routing.embedded.transport import EmbeddedTransport
from routing.messages import (
    HEADER_CORRELATION_ID,
    HEADER_DEAD_LETTER_REASON,
    HEADER_ORIGIN_QUEUE,
    Message,
)
from routing.rabbitmq.transport import RabbitTransport
from routing.transport import Transport
from tests.integration.routing._harness import (
    DELIVERY_LIMIT,
    Hub,
    assert_nothing_else_waiting,
    collect,
    contract_topology,
    eventually,
    ids,
    numbered,
)
from tests.support import remember_topology

EMBEDDED_LEASE_S = 5.0
"""Long enough that a live consumer keeps its lease between the steps of a test."""


@pytest.fixture(params=["embedded", pytest.param("rabbitmq", marks=pytest.mark.rabbitmq)])
def hub(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Hub]:
    transport: Transport
    if request.param == "embedded":
        location = str(tmp_path / "transport.sqlite3")
        topology = contract_topology("gh")
        transport = EmbeddedTransport(location, lease_timeout_s=EMBEDDED_LEASE_S)
    else:
        location = request.getfixturevalue("rabbitmq_url")
        topology = contract_topology(request.getfixturevalue("namespace"))
        transport = RabbitTransport(location, connection_name="gatehouse contract test")
        remember_topology(topology)  # the namespace fixture deletes its queues afterwards
    hub = Hub(request.param, transport, topology, location, tmp_path)
    try:
        transport.declare(topology)
        yield hub
    finally:
        hub.close()


def test_a_published_message_is_delivered_once_with_its_body_id_and_headers(hub: Hub) -> None:
    queue = hub.topology.outbound_queue("delius")
    sent = Message(
        routing_key="prisoner.received",
        body=b'{"prisonNumber": "A1234BC"}',
        headers={HEADER_CORRELATION_ID: "corr-1", "gatehouse-partner": "nomis"},
        content_type="application/json",
    )

    hub.transport.publish(hub.topology.events_exchange, [sent])

    consumer = hub.consumer(queue)
    [delivery] = collect(consumer, 1)
    consumer.ack([delivery])
    received = delivery.message
    assert (received.message_id, received.body, received.headers) == (
        sent.message_id,
        sent.body,
        sent.headers,
    )
    assert (received.routing_key, received.content_type) == ("prisoner.received", sent.content_type)
    assert abs(received.timestamp - sent.timestamp) < timedelta(seconds=1)
    assert (delivery.queue, delivery.redelivered, delivery.delivery_count) == (queue, False, 1)
    assert_nothing_else_waiting(hub, consumer, queue)


def test_topic_bindings_route_by_event_type_and_nothing_reaches_an_unbound_queue(
    hub: Hub,
) -> None:
    received, released, assessed, listed = (
        Message(routing_key=key, body=key.encode(), message_id=key)
        for key in ("prisoner.received", "prisoner.released", "risk.assessed", "court.listed")
    )

    hub.transport.publish(hub.topology.events_exchange, [received, released, assessed, listed])

    expected = {
        "delius": ["prisoner.received", "prisoner.released"],
        "kiosks": ["prisoner.received", "prisoner.released"],  # bound to prisoner.*
        "oasys": ["risk.assessed"],
    }
    for adapter, event_types in expected.items():
        queue = hub.topology.outbound_queue(adapter)
        consumer = hub.consumer(queue)
        deliveries = collect(consumer, len(event_types))
        consumer.ack(deliveries)
        assert sorted(ids(deliveries)) == event_types, adapter
        assert_nothing_else_waiting(hub, consumer, queue)


def test_an_acked_message_is_not_delivered_again(hub: Hub) -> None:
    queue = hub.topology.outbound_queue("delius")
    hub.transport.publish(hub.topology.events_exchange, numbered(3))
    first = hub.consumer(queue)
    first.ack(collect(first, 3))
    first.close()

    second = hub.consumer(queue)

    assert_nothing_else_waiting(hub, second, queue)


def test_an_unsettled_message_is_delivered_again_marked_redelivered_after_its_consumer_dies(
    hub: Hub,
) -> None:
    queue = hub.topology.outbound_queue("delius")
    hub.transport.publish(hub.topology.events_exchange, numbered(3))

    held = hub.crash_holding(queue, 3)

    consumer = hub.consumer(queue)
    again = collect(consumer, 3)
    consumer.ack(again)
    assert [h["message_id"] for h in held] == ids(again) == ["m00000", "m00001", "m00002"]
    assert all(d.redelivered and d.delivery_count == 2 for d in again)
    assert_nothing_else_waiting(hub, consumer, queue)


def test_release_hands_messages_back_in_their_original_order(hub: Hub) -> None:
    queue = hub.topology.outbound_queue("delius")
    hub.transport.publish(hub.topology.events_exchange, numbered(5))
    consumer = hub.consumer(queue)
    first_time = collect(consumer, 5)

    consumer.release(list(reversed(first_time)))

    again = collect(consumer, 5)
    consumer.ack(again)
    assert ids(again) == ids(first_time) == [f"m{n:05d}" for n in range(5)]
    assert all(d.redelivered for d in again)


def test_retry_later_brings_the_message_back_after_its_tier_with_the_attempt_recorded(
    hub: Hub,
) -> None:
    queue = hub.topology.outbound_queue("delius")
    [sent] = numbered(1)
    hub.transport.publish(hub.topology.events_exchange, [sent])
    consumer = hub.consumer(queue)
    [delivery] = collect(consumer, 1)

    retried_at = time.monotonic()
    consumer.retry_later(delivery, 500, "Delius answered 503")

    [back] = collect(consumer, 1)
    waited_s = time.monotonic() - retried_at
    consumer.ack([back])
    assert waited_s >= 0.5 - 0.05  # the broker's clock may tick a little apart from ours
    assert (back.message.message_id, back.message.body) == (sent.message_id, sent.body)
    assert back.message.routing_key == "prisoner.received"
    [attempt] = back.message.attempts
    assert (attempt["reason"], attempt["delay_ms"], attempt["kind"]) == (
        "Delius answered 503",
        500,
        "failure",
    )
    assert back.message.headers[HEADER_ORIGIN_QUEUE] == queue
    assert_nothing_else_waiting(hub, consumer, queue)


def test_retry_later_refuses_a_delay_that_is_not_one_of_the_tiers(hub: Hub) -> None:
    queue = hub.topology.outbound_queue("delius")
    hub.transport.publish(hub.topology.events_exchange, numbered(1))
    consumer = hub.consumer(queue)
    [delivery] = collect(consumer, 1)

    with pytest.raises(ValueError, match="no 300 ms wait queue"):
        consumer.retry_later(delivery, 300, "Delius answered 503")


def test_dead_letter_puts_it_on_the_dead_letter_queue_with_reason_and_origin_queue(
    hub: Hub,
) -> None:
    queue = hub.topology.outbound_queue("delius")
    [sent] = numbered(1)
    hub.transport.publish(hub.topology.events_exchange, [sent])
    consumer = hub.consumer(queue)
    consumer.retry_later(collect(consumer, 1)[0], 200, "Delius answered 503")
    [delivery] = collect(consumer, 1)

    consumer.dead_letter(delivery, "Delius rejected the document: unknown CRN")

    dead_letters = hub.consumer(hub.topology.dead_letter_queue)
    [dead] = collect(dead_letters, 1)
    dead_letters.ack([dead])
    assert (dead.message.message_id, dead.message.body) == (sent.message_id, sent.body)
    assert dead.message.routing_key == "prisoner.received"
    assert dead.message.headers[HEADER_DEAD_LETTER_REASON] == (
        "Delius rejected the document: unknown CRN"
    )
    assert dead.message.headers[HEADER_ORIGIN_QUEUE] == queue
    assert [a["reason"] for a in dead.message.attempts] == ["Delius answered 503"]
    assert_nothing_else_waiting(hub, consumer, queue)


def test_a_message_handed_out_more_than_the_delivery_limit_reaches_the_dead_letter_queue_by_itself(
    hub: Hub,
) -> None:
    queue = hub.topology.outbound_queue("delius")
    [poison] = numbered(1)
    hub.transport.publish(hub.topology.events_exchange, [poison])

    handed_out = [hub.crash_holding(queue, 1)[0] for _ in range(DELIVERY_LIMIT + 1)]

    assert [h["delivery_count"] for h in handed_out] == [1, 2, 3]
    # A consumer of the queue (a worker restarted after the crashes) no longer gets it.
    consumer = hub.consumer(queue)
    dead_letters = hub.consumer(hub.topology.dead_letter_queue)
    dead = []

    def dead_lettered() -> bool:
        assert consumer.fetch(1, 0.05) == [], "handed out again past the delivery limit"
        dead.extend(dead_letters.fetch(1, 0.05))
        return bool(dead)

    eventually(dead_lettered, "dead-lettering past the delivery limit")
    dead_letters.ack(dead)
    assert dead[0].message.message_id == poison.message_id
    assert dead[0].message.routing_key == "prisoner.received"
    assert dead[0].message.headers[HEADER_DEAD_LETTER_REASON] == "delivery limit exceeded"
    assert dead[0].message.headers[HEADER_ORIGIN_QUEUE] == queue


def test_a_single_active_consumer_queue_delivers_in_order_to_one_consumer_until_it_closes(
    hub: Hub,
) -> None:
    queue = hub.topology.outbound_queue("delius")
    hub.transport.publish(hub.topology.events_exchange, numbered(10))
    active = hub.consumer(queue)
    waiting = hub.consumer(queue)

    first_four = collect(active, 4, max_batch=1)

    assert ids(first_four) == [f"m{n:05d}" for n in range(4)]
    assert waiting.fetch(10, 0.5) == []
    active.ack(first_four[:2])
    active.close()
    rest = collect(waiting, 8)
    waiting.ack(rest)
    assert ids(rest) == [f"m{n:05d}" for n in range(2, 10)]


def test_a_batch_of_2000_messages_is_confirmed_and_each_consumed_exactly_once(hub: Hub) -> None:
    queue = hub.topology.outbound_queue("delius")
    batch = numbered(2_000)

    hub.transport.publish(hub.topology.events_exchange, batch)

    consumer = hub.consumer(queue)
    deliveries = collect(consumer, 2_000, ack=True)
    assert ids(deliveries) == ids_of(batch)
    assert_nothing_else_waiting(hub, consumer, queue)


def test_batches_published_from_many_threads_at_once_are_each_confirmed_and_consumed_once(
    hub: Hub,
) -> None:
    queue = hub.topology.outbound_queue("delius")
    batches = [
        [
            Message(routing_key="prisoner.released", body=b"", message_id=f"b{b:03d}-{n:02d}")
            for n in range(10)
        ]
        for b in range(200)
    ]

    with ThreadPoolExecutor(max_workers=16) as request_threads:
        for _ in request_threads.map(
            lambda batch: hub.transport.publish(hub.topology.events_exchange, batch), batches
        ):
            pass  # each returns once its own batch is confirmed, or raises

    consumer = hub.consumer(queue)
    deliveries = collect(consumer, 2_000, ack=True)
    assert sorted(ids(deliveries)) == sorted(m.message_id for batch in batches for m in batch)
    assert_nothing_else_waiting(hub, consumer, queue)


def test_send_to_queue_puts_messages_on_that_queue_alone(hub: Hub) -> None:
    delius = hub.topology.outbound_queue("delius")
    kiosks = hub.topology.outbound_queue("kiosks")
    replayed = numbered(2)

    hub.transport.send_to_queue(delius, replayed)

    consumer = hub.consumer(delius)
    deliveries = collect(consumer, 2)
    consumer.ack(deliveries)
    assert ids(deliveries) == ids_of(replayed)
    assert deliveries[0].message.routing_key == "prisoner.received"
    assert_nothing_else_waiting(hub, hub.consumer(kiosks), kiosks)


def test_sending_to_a_queue_that_does_not_exist_raises_transport_unavailable(hub: Hub) -> None:
    with pytest.raises(TransportUnavailable, match="no-such-queue"):
        hub.transport.send_to_queue(f"{hub.topology.namespace}.no-such-queue", numbered(1))


def test_publishing_to_an_exchange_never_declared_raises_and_later_publishes_still_work(
    hub: Hub,
) -> None:
    with pytest.raises(TransportUnavailable, match="no-such-exchange"):
        hub.transport.publish(f"{hub.topology.namespace}.no-such-exchange", numbered(1))

    hub.transport.publish(hub.topology.events_exchange, numbered(1))

    consumer = hub.consumer(hub.topology.outbound_queue("delius"))
    assert ids(collect(consumer, 1)) == ["m00000"]


def test_queue_depth_counts_the_messages_waiting_and_not_those_handed_out(hub: Hub) -> None:
    queue = hub.topology.outbound_queue("delius")
    hub.transport.publish(hub.topology.events_exchange, numbered(3))
    eventually(lambda: hub.transport.queue_depth(queue) == 3, "a depth of 3")

    consumer = hub.consumer(queue, prefetch=1)
    collect(consumer, 1)
    eventually(lambda: hub.transport.queue_depth(queue) == 2, "a depth of 2 with one held")

    consumer.close()
    eventually(lambda: hub.transport.queue_depth(queue) == 3, "a depth of 3 once it is back")
    assert hub.transport.queue_depth(hub.topology.outbound_queue("oasys")) == 0


def test_a_transport_that_can_reach_its_broker_answers_a_ping(hub: Hub) -> None:
    hub.transport.ping()


def test_messages_keep_their_timestamp_to_the_second(hub: Hub) -> None:
    queue = hub.topology.outbound_queue("oasys")
    stamp = datetime(2026, 5, 4, 3, 2, 1, tzinfo=UTC)
    hub.transport.publish(
        hub.topology.events_exchange,
        [Message(routing_key="risk.assessed", body=b"", timestamp=stamp)],
    )
    consumer = hub.consumer(queue)
    [delivery] = collect(consumer, 1)
    consumer.ack([delivery])
    assert delivery.message.timestamp == stamp


def ids_of(messages: list[Message]) -> list[str]:
    return [m.message_id for m in messages]
