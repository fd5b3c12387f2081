"""A nack on real RabbitMQ: the broker refuses a message that one of the queues it is routed
to cannot take, though the other queues stored it, and the publisher goes on publishing on a
fresh channel (a channel's view of a quorum queue can keep refusing after a node stops)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pika
import pytest

from core_records.errors import ConfirmUncertain, TransportUnavailable
from routing.messages import Message
from routing.rabbitmq.publisher import ConfirmingPublisher

pytestmark = pytest.mark.rabbitmq


@pytest.fixture
def broker(rabbitmq_url: str, namespace: str) -> Iterator[pika.adapters.BlockingConnection]:
    """A fanout exchange to two quorum queues, one of which holds a single message and
    refuses any more (``reject-publish``)."""
    connection = pika.BlockingConnection(pika.URLParameters(rabbitmq_url))
    channel = connection.channel()
    channel.exchange_declare(f"{namespace}.events", "fanout", durable=True)
    for name, arguments in (
        ("full", {"x-max-length": 1, "x-overflow": "reject-publish"}),
        ("roomy", {}),
    ):
        queue = f"{namespace}.{name}"
        channel.queue_declare(
            queue, durable=True, arguments={"x-queue-type": "quorum", **arguments}
        )
        channel.queue_bind(queue, f"{namespace}.events")
    try:
        yield connection
    finally:
        cleanup = connection.channel()
        for name in ("full", "roomy"):
            cleanup.queue_delete(f"{namespace}.{name}")
        cleanup.exchange_delete(f"{namespace}.events")
        connection.close()


def _depth(connection: pika.adapters.BlockingConnection, queue: str) -> int:
    return int(connection.channel().queue_declare(queue, passive=True).method.message_count)


def _message(n: int) -> Message:
    return Message(routing_key="", body=b"{}", message_id=f"event-{n}")


def test_after_a_nack_the_publisher_publishes_on_a_new_channel(
    rabbitmq_url: str, namespace: str, broker: pika.adapters.BlockingConnection
) -> None:
    publisher = ConfirmingPublisher(pika.URLParameters(rabbitmq_url), confirm_timeout_s=10)
    exchange = f"{namespace}.events"
    try:
        publisher.publish(exchange, [_message(1)])
        # A quorum queue applies its length limit a little late: publish until it refuses.
        refused = None
        sent = 1
        while refused is None and sent < 50:
            first_channel = publisher._channel
            sent += 1
            try:
                publisher.publish(exchange, [_message(sent)])
            except TransportUnavailable as error:
                refused = error
        assert refused is not None, "the full queue never refused a message"
        assert "nack" in str(refused) and not isinstance(refused, ConfirmUncertain)
        # Refused as a whole, yet the queue with room stored it: a retry adds a copy there.
        assert _depth(broker, f"{namespace}.roomy") == sent

        deadline = time.monotonic() + 10
        while publisher._channel in (None, first_channel) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert publisher._channel is not None and publisher._channel is not first_channel

        broker.channel().queue_purge(f"{namespace}.full")
        publisher.publish(exchange, [_message(sent + 1)])
        assert _depth(broker, f"{namespace}.full") == 1
        assert _depth(broker, f"{namespace}.roomy") == sent + 1
    finally:
        publisher.close()
