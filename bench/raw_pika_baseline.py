"""The raw-broker baseline: plain pika, written the simplest correct way.

Publishing: one ``BlockingChannel`` in confirm mode, persistent messages. pika's blocking
channel waits for each message's confirm before the next ``basic_publish`` returns, so this
is one round trip per message: what a straightforward, correct publisher costs.

Consuming: ``basic_consume`` with manual acks and a prefetch, one ack per message.

``pipelined_round_trip`` is the baseline the pipeline benchmark compares against: confirms
pipelined on an asynchronous connection, consumed and acked concurrently.

Nothing of Gatehouse is imported, so the numbers measure the broker and pika alone.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

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


def pipelined_round_trip(
    url: str, queue: str, bodies: Sequence[bytes], *, window: int = 1_000, prefetch: int = 200
) -> float:
    """Publish every body with confirms pipelined (up to ``window`` unconfirmed at once) while
    a second connection consumes and acks each one; seconds from the first publish to the
    last ack. The strongest fair baseline for a hub that publishes with confirms and
    consumes with acks: the same guarantees, and nothing else.
    """
    consumed = threading.Event()
    failures: list[BaseException] = []

    def consume() -> None:
        try:
            connection = pika.BlockingConnection(pika.URLParameters(url))
            channel = connection.channel()
            channel.basic_qos(prefetch_count=prefetch)
            deliveries = channel.consume(queue, inactivity_timeout=60)
            for received, (method, _properties, _body) in enumerate(deliveries, start=1):
                if method is None:
                    raise TimeoutError(f"only {received - 1} of {len(bodies)} messages came")
                channel.basic_ack(method.delivery_tag)
                if received == len(bodies):
                    break
            channel.cancel()
            connection.close()
        except BaseException as error:  # reported by the caller
            failures.append(error)
        finally:
            consumed.set()

    consumer = threading.Thread(target=consume, name="raw-consumer")
    consumer.start()
    started = time.perf_counter()
    _publish_pipelined(url, queue, bodies, window)
    consumed.wait()
    elapsed = time.perf_counter() - started
    consumer.join()
    if failures:
        raise failures[0]
    return elapsed


def _publish_pipelined(url: str, queue: str, bodies: Sequence[bytes], window: int) -> None:
    """Publish on an asynchronous connection, keeping up to ``window`` confirms outstanding."""
    state = {"next": 0, "confirmed": 0, "tag": 0}
    properties = pika.BasicProperties(delivery_mode=pika.DeliveryMode.Persistent)
    channel_holder: list[Any] = []

    def fill_window() -> None:
        channel = channel_holder[0]
        while state["next"] < len(bodies) and state["tag"] - state["confirmed"] < window:
            channel.basic_publish("", queue, bodies[state["next"]], properties)
            state["next"] += 1
            state["tag"] += 1

    def on_confirm(frame: Any) -> None:
        method = frame.method
        if isinstance(method, pika.spec.Basic.Nack):
            raise RuntimeError("the broker refused a message")
        state["confirmed"] = method.delivery_tag if method.multiple else state["confirmed"] + 1
        if state["confirmed"] >= len(bodies):
            connection.close()
        else:
            fill_window()

    def on_channel(channel: Any) -> None:
        channel_holder.append(channel)
        channel.confirm_delivery(on_confirm)
        fill_window()

    connection = pika.SelectConnection(
        pika.URLParameters(url),
        on_open_callback=lambda c: c.channel(on_open_callback=on_channel),
        on_open_error_callback=lambda _c, error: (_ for _ in ()).throw(error),
        on_close_callback=lambda c, _reason: c.ioloop.stop(),
    )
    connection.ioloop.start()
    if state["confirmed"] < len(bodies):
        raise RuntimeError(f"only {state['confirmed']} of {len(bodies)} publishes confirmed")
