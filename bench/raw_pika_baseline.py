"""The raw-broker baseline: plain pika, written the simplest correct way.

Publishing: one ``BlockingChannel`` in confirm mode, persistent messages. pika's blocking
channel waits for each message's confirm before the next ``basic_publish`` returns, so this
is one round trip per message: what a straightforward, correct publisher costs.

Consuming: ``basic_consume`` with manual acks and a prefetch, one ack per message.

Nothing of Gatehouse is imported, so the numbers measure the broker and pika alone.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import pika

QUORUM = {"x-queue-type": "quorum"}


def declare_quorum_queue(url: str, queue: str) -> None:
    connection = pika.BlockingConnection(pika.URLParameters(url))
    try:
        connection.channel().queue_declare(queue, durable=True, arguments=QUORUM)
    finally:
        connection.close()


def delete_queue(url: str, queue: str) -> None:
    connection = pika.BlockingConnection(pika.URLParameters(url))
    try:
        connection.channel().queue_delete(queue)
    finally:
        connection.close()


def publish_confirmed(url: str, queue: str, bodies: Sequence[bytes]) -> float:
    """Publish every body to ``queue``, each confirmed before the next; seconds taken."""
    connection = pika.BlockingConnection(pika.URLParameters(url))
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        properties = pika.BasicProperties(delivery_mode=pika.DeliveryMode.Persistent)
        started = time.perf_counter()
        for body in bodies:
            # Raises NackError or UnroutableError if the broker did not take it.
            channel.basic_publish("", queue, body, properties, mandatory=True)
        return time.perf_counter() - started
    finally:
        connection.close()


def consume_acked(url: str, queue: str, count: int, *, prefetch: int = 200) -> float:
    """Consume ``count`` messages from ``queue``, acking each; seconds taken."""
    connection = pika.BlockingConnection(pika.URLParameters(url))
    try:
        channel = connection.channel()
        channel.basic_qos(prefetch_count=prefetch)
        started = time.perf_counter()
        deliveries = channel.consume(queue, inactivity_timeout=30)
        for received, (method, _properties, _body) in enumerate(deliveries, start=1):
            if method is None:
                raise TimeoutError(f"only {received - 1} of {count} messages came")
            channel.basic_ack(method.delivery_tag)
            if received == count:
                break
        elapsed = time.perf_counter() - started
        channel.cancel()
        return elapsed
    finally:
        connection.close()
