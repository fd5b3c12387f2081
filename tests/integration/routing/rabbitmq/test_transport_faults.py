"""RabbitMQ only: what happens when the connection to the broker drops or cannot be made,
and what the broker really holds after ``declare``.

A TCP proxy between the transport and the broker plays the network: the tests cut it or make
it refuse, without ``rabbitmqctl``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pika
import pytest
from pika.exceptions import ChannelClosedByBroker

from core_records.errors import TransportUnavailable
from routing.messages import Delivery, Message
from routing.rabbitmq.transport import RabbitTransport
from routing.topology import Topology
from routing.transport import Consumer, Transport
from tests.integration.routing._harness import (
    DEADLINE_S,
    collect,
    contract_topology,
    ids,
    numbered,
)
from tests.integration.routing._tcp_proxy import TcpProxy
from tests.support import remember_topology

pytestmark = pytest.mark.rabbitmq


@pytest.fixture
def proxy(rabbitmq_url: str) -> Iterator[TcpProxy]:
    proxy = TcpProxy.in_front_of(rabbitmq_url)
    yield proxy
    proxy.close()


@pytest.fixture
def topology(rabbitmq_url: str, namespace: str) -> Topology:
    topology = contract_topology(namespace)
    remember_topology(topology)
    return topology


@pytest.fixture
def transport_via_proxy(rabbitmq_url: str, proxy: TcpProxy) -> Iterator[RabbitTransport]:
    transport = RabbitTransport(proxy.url_for(rabbitmq_url), confirm_timeout_s=2)
    yield transport
    transport.close()


def test_the_publisher_and_a_consumer_reconnect_after_the_connection_drops_and_lose_nothing(
    transport_via_proxy: RabbitTransport, topology: Topology, proxy: TcpProxy
) -> None:
    transport = transport_via_proxy
    transport.declare(topology)
    queue = topology.outbound_queue("delius")
    consumer = transport.consumer(queue)
    before = numbered(100)
    transport.publish(topology.events_exchange, before)
    held = collect(consumer, 100)
    connections_before_cut = proxy.connections_accepted

    proxy.cut()

    after = [
        Message(routing_key="prisoner.released", body=b"after", message_id=f"after-{n}")
        for n in range(500)
    ]
    publish_until_confirmed(transport, topology.events_exchange, after)
    collect(consumer, 1)  # the consumer is back, on a new connection
    # Acks for deliveries of the dropped connection are skipped: on the new connection the
    # same delivery tags name other deliveries, which must not be acked unprocessed.
    consumer.ack(held)
    consumer.close()
    successor = transport.consumer(queue)
    try:
        received = collect_ids(successor, set(ids_of(before + after)))
    finally:
        successor.close()

    assert proxy.connections_accepted > connections_before_cut, "nothing reconnected"
    assert all(d.redelivered for d in received if d.message.message_id in ids_of(before))


def test_publishing_while_the_broker_is_unreachable_raises_transport_unavailable(
    transport_via_proxy: RabbitTransport, topology: Topology, proxy: TcpProxy
) -> None:
    transport = transport_via_proxy
    transport.declare(topology)
    consumer = transport.consumer(topology.outbound_queue("delius"))
    try:
        proxy.refuse()

        with pytest.raises(TransportUnavailable):
            transport.publish(topology.events_exchange, numbered(10))
        with pytest.raises(TransportUnavailable):
            transport.ping()
        assert consumer.fetch(10, 0.2) == []  # waits, without raising, for the broker

        proxy.restore()
        publish_until_confirmed(transport, topology.events_exchange, numbered(10))
        assert ids(collect(consumer, 10)) == ids_of(numbered(10))
        transport.ping()
    finally:
        consumer.close()


EXPECTED_WORK_QUEUE = {
    "x-queue-type": "quorum",
    "x-dead-letter-exchange": "{ns}.dead-letter",
    "x-dead-letter-routing-key": "{ns}.outbound.delius",
    "x-dead-letter-strategy": "at-least-once",
    "x-overflow": "reject-publish",
    "x-delivery-limit": 2,
    "x-single-active-consumer": True,
}
EXPECTED_WAIT_QUEUE = {
    "x-queue-type": "quorum",
    "x-message-ttl": 500,
    "x-dead-letter-exchange": "",
    "x-dead-letter-routing-key": "{ns}.outbound.delius",
    "x-dead-letter-strategy": "at-least-once",
    "x-overflow": "reject-publish",
}
EXPECTED_DEAD_LETTER_QUEUE = {"x-queue-type": "quorum", "x-single-active-consumer": True}


@pytest.mark.parametrize(
    ("queue", "expected"),
    [
        ("{ns}.outbound.delius", EXPECTED_WORK_QUEUE),
        ("{ns}.outbound.delius.wait.500ms", EXPECTED_WAIT_QUEUE),
        ("{ns}.dead-letters", EXPECTED_DEAD_LETTER_QUEUE),
    ],
)
def test_declared_queues_are_durable_quorum_queues_with_the_expected_arguments(
    rabbitmq_url: str, topology: Topology, queue: str, expected: dict[str, object]
) -> None:
    transport = RabbitTransport(rabbitmq_url)
    try:
        transport.declare(topology)
    finally:
        transport.close()
    ns = topology.namespace
    name = queue.format(ns=ns)
    arguments = {k: v.format(ns=ns) if isinstance(v, str) else v for k, v in expected.items()}
    connection = pika.BlockingConnection(pika.URLParameters(rabbitmq_url))
    try:
        # RabbitMQ refuses a redeclare whose durability or arguments differ in any way, so
        # an accepted one shows the queue has exactly these.
        connection.channel().queue_declare(name, durable=True, arguments=arguments)
        with pytest.raises(ChannelClosedByBroker, match="inequivalent arg 'x-queue-type'"):
            connection.channel().queue_declare(
                name, durable=True, arguments={**arguments, "x-queue-type": "classic"}
            )
    finally:
        connection.close()


def publish_until_confirmed(transport: Transport, exchange: str, messages: list[Message]) -> int:
    """Publish until the broker confirms, as the outbox relay does; returns the failures."""
    failures = 0
    deadline = time.monotonic() + DEADLINE_S
    while True:
        try:
            transport.publish(exchange, messages)
            return failures
        except TransportUnavailable:
            failures += 1
            if time.monotonic() > deadline:
                raise


def collect_ids(consumer: Consumer, wanted: set[str]) -> list[Delivery]:
    """Fetch and ack until every message in ``wanted`` has come at least once."""
    received: list[Delivery] = []
    deadline = time.monotonic() + DEADLINE_S
    while not wanted <= {d.message.message_id for d in received}:
        if time.monotonic() > deadline:
            missing = wanted - {d.message.message_id for d in received}
            pytest.fail(f"{len(missing)} messages did not come within {DEADLINE_S} s")
        batch = consumer.fetch(500, 0.2)
        consumer.ack(batch)
        received += batch
    return received


def ids_of(messages: list[Message]) -> list[str]:
    return [m.message_id for m in messages]
