"""A consumer of one RabbitMQ work queue, on a ``BlockingConnection`` of its own.

Used from one thread only (pika connections are not thread-safe). Deliveries arrive through
``basic_consume`` into a buffer that ``fetch`` fills by running the connection's I/O for at
most its timeout. Acks are manual, and a contiguous run of deliveries is settled with one
``multiple`` ack.

Each delivery's token records the connection it came on. After a connection loss the broker
hands those messages out again, so settling them on the new connection would be wrong (and
would close its channel): they are skipped. Meanwhile ``fetch`` reconnects with backoff and
returns empty lists, so a worker loop needs no reconnection logic of its own.
"""

from __future__ import annotations

import contextlib
import logging
import ssl
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import pika
from pika.adapters.blocking_connection import BlockingChannel
from pika.exceptions import AMQPError
from pika.spec import Basic

from routing.messages import HEADER_DEAD_LETTER_REASON, HEADER_ORIGIN_QUEUE, Delivery
from routing.rabbitmq.addresses import NodesInTurn, blocking_connection
from routing.rabbitmq.codec import delivery_count, message_from
from routing.rabbitmq.publisher import ConfirmingPublisher
from routing.rabbitmq.queue_arguments import DEFAULT_EXCHANGE
from routing.rabbitmq.reconnect import ConnectionWatch, ReconnectBackoff
from routing.topology import WorkQueue
from routing.transport import Consumer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Token:
    connection: int
    """Which of this consumer's connections the delivery came on, counted from 1."""
    delivery_tag: int


def settlement_plan(unsettled: Iterable[int], settling: set[int]) -> tuple[int | None, list[int]]:
    """How to settle the delivery tags ``settling`` in few frames.

    ``unsettled`` are the channel's unsettled tags in ascending order. Returns the tag to
    settle with ``multiple=True`` (the end of the longest run at the front of ``unsettled``
    that is all being settled, or None) and the remaining tags, to settle one by one.
    """
    up_to = None
    for tag in unsettled:
        if tag not in settling:
            break
        up_to = tag
    singles = sorted(tag for tag in settling if up_to is None or tag > up_to)
    return up_to, singles


class RabbitConsumer(Consumer):
    """Takes deliveries from one work queue; retries and dead letters go out through the
    transport's confirming publisher."""

    def __init__(
        self,
        parameters: Sequence[pika.URLParameters],
        work_queue: WorkQueue,
        publisher: ConfirmingPublisher,
        *,
        prefetch: int,
        backoff: ReconnectBackoff | None = None,
    ) -> None:
        self.queue = work_queue.name
        self._work_queue = work_queue
        self._nodes = NodesInTurn(list(parameters))
        self._publisher = publisher
        self._prefetch = prefetch
        self._backoff = backoff or ReconnectBackoff()
        self._watch = ConnectionWatch(f"the consumer of {self.queue}", log)
        self._connection: pika.BlockingConnection | None = None
        self._channel: BlockingChannel | None = None
        self._connection_number = 0
        self._reconnect_at = 0.0
        self._received: deque[Delivery] = deque()
        self._unsettled: OrderedDict[int, None] = OrderedDict()
        self._closed = False
        self._cancelled_by_broker = False
        self._kept_alive_at = 0.0
        # Connect now, so that on a single-active-consumer queue the first consumer made is
        # the active one; a failure here is retried by fetch.
        self._connect()

    def fetch(self, max_messages: int, timeout_s: float) -> list[Delivery]:
        deadline = time.monotonic() + timeout_s
        if not self._wait_for_connection(deadline):
            return []
        assert self._connection is not None
        try:
            self._connection.process_data_events(time_limit=0)
            while not self._received and time.monotonic() < deadline:
                self._connection.process_data_events(time_limit=deadline - time.monotonic())
                if self._cancelled_by_broker:
                    break
        except AMQPError as error:
            self._lose_connection(error)
            return []
        if self._cancelled_by_broker:
            self._lose_connection(RuntimeError(f"RabbitMQ cancelled the consumer of {self.queue}"))
            return []
        count = min(max_messages, len(self._received))
        return [self._received.popleft() for _ in range(count)]

    def ack(self, deliveries: Sequence[Delivery]) -> None:
        if self._channel is not None:
            self._settle(self._live_tags(deliveries), self._channel.basic_ack)
            self._keep_alive()

    def retry_later(
        self, delivery: Delivery, delay_ms: int, reason: str, *, kind: str = "failure"
    ) -> None:
        wait_queue = self._work_queue.wait_queue_for(delay_ms)
        if not self._live_tags([delivery]):
            return  # the broker hands the original out again: a copy would be a duplicate
        copy = delivery.message.with_attempt(reason, delay_ms, kind=kind).with_headers(
            **{HEADER_ORIGIN_QUEUE: self.queue}
        )
        self._publisher.publish(
            DEFAULT_EXCHANGE, [copy], routing_key=wait_queue.name, mandatory=True
        )
        self.ack([delivery])

    def dead_letter(self, delivery: Delivery, reason: str) -> None:
        exchange = self._work_queue.dead_letter_exchange
        if exchange is None:
            raise ValueError(f"{self.queue} has no dead-letter exchange to send to")
        if not self._live_tags([delivery]):
            return  # the broker hands the original out again: a copy would be a duplicate
        copy = delivery.message.with_headers(
            **{HEADER_DEAD_LETTER_REASON: reason, HEADER_ORIGIN_QUEUE: self.queue}
        )
        # Under the origin queue's name, as the broker's own dead letters are.
        self._publisher.publish(exchange, [copy], routing_key=self.queue, mandatory=True)
        self.ack([delivery])

    def release(self, deliveries: Sequence[Delivery]) -> None:
        if self._channel is None:
            return
        # Deliveries received but not yet fetched go back too, so that the released ones
        # come round again ahead of them, in their original order.
        tags = self._live_tags(deliveries) | {d.token.delivery_tag for d in self._received}
        self._received.clear()
        self._settle(tags, lambda delivery_tag, multiple: self._nack(delivery_tag, multiple))

    def close(self) -> None:
        """Stop consuming. Closing the channel returns every unsettled delivery to the
        queue in order, before a waiting single active consumer takes over; cancelling the
        consumer first would let that consumer start on later messages."""
        if self._closed:
            return
        self._closed = True
        self._received.clear()
        self._unsettled.clear()
        self._disconnect()

    # --- connection -----------------------------------------------------------------------

    def _wait_for_connection(self, deadline: float) -> bool:
        while self._channel is None:
            if self._closed:
                return False
            if time.monotonic() >= self._reconnect_at and self._connect():
                return True
            pause = min(deadline, self._reconnect_at) - time.monotonic()
            if time.monotonic() >= deadline:
                return False
            time.sleep(max(pause, 0.0))
        return True

    def _connect(self) -> bool:
        try:
            self._connection = blocking_connection(self._nodes)
            channel = self._connection.channel()
            channel.basic_qos(prefetch_count=self._prefetch)
            channel.add_on_cancel_callback(self._on_cancelled_by_broker)
            channel.basic_consume(self.queue, self._on_message, auto_ack=False)
        except (AMQPError, ssl.SSLError) as error:  # pika raises a failed TLS check as is
            self._lose_connection(error)
            return False
        self._channel = channel
        self._cancelled_by_broker = False
        self._connection_number += 1
        self._backoff.reset()
        self._watch.regained()
        return True

    def _on_message(
        self,
        _channel: BlockingChannel,
        method: Basic.Deliver,
        properties: pika.BasicProperties,
        body: bytes,
    ) -> None:
        self._unsettled[method.delivery_tag] = None
        self._received.append(
            Delivery(
                message=message_from(method.routing_key, properties, body),
                queue=self.queue,
                redelivered=method.redelivered,
                delivery_count=delivery_count(properties),
                token=_Token(self._connection_number, method.delivery_tag),
            )
        )

    def _on_cancelled_by_broker(self, _method: object) -> None:
        # The queue was deleted or its leader moved. pika is mid-dispatch here, so the
        # connection is replaced when fetch regains control.
        self._cancelled_by_broker = True

    def _lose_connection(self, error: BaseException) -> None:
        self._nodes.move_on()
        delay_s = self._backoff.next_delay_s()
        self._watch.lost(error, delay_s)
        self._reconnect_at = time.monotonic() + delay_s
        self._received.clear()
        self._unsettled.clear()
        self._disconnect()

    def _disconnect(self) -> None:
        connection, self._connection, self._channel = self._connection, None, None
        if connection is None or connection.is_closed:
            return
        # If it is already gone, the broker returns its unsettled messages all the same.
        with contextlib.suppress(AMQPError, OSError):
            connection.close()

    # --- settling -------------------------------------------------------------------------

    def _live_tags(self, deliveries: Sequence[Delivery]) -> set[int]:
        return {
            d.token.delivery_tag
            for d in deliveries
            if d.token.connection == self._connection_number
            and d.token.delivery_tag in self._unsettled
        }

    def _settle(self, tags: set[int], settle: Callable[..., None]) -> None:
        if not tags:
            return
        up_to, singles = settlement_plan(self._unsettled, tags)
        try:
            if up_to is not None:
                settle(delivery_tag=up_to, multiple=True)
            for tag in singles:
                settle(delivery_tag=tag, multiple=False)
        except AMQPError as error:
            self._lose_connection(error)
            return
        for tag in tags:
            self._unsettled.pop(tag, None)

    def _keep_alive(self) -> None:
        """Let pika answer the broker's heartbeats while the worker is busy settling a batch
        without fetching: after two missed heartbeats the broker drops the connection."""
        now = time.monotonic()
        if self._connection is None or now - self._kept_alive_at < 1.0:
            return
        self._kept_alive_at = now
        try:
            self._connection.process_data_events(time_limit=0)
        except AMQPError as error:
            self._lose_connection(error)

    def _nack(self, delivery_tag: int, multiple: bool) -> None:
        assert self._channel is not None
        self._channel.basic_nack(delivery_tag=delivery_tag, multiple=multiple, requeue=True)
