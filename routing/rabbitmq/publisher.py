"""Publishing to RabbitMQ with publisher confirms, pipelined.

pika's ``BlockingChannel`` waits for each confirm before the next publish: one round trip
per message. Here one ``SelectConnection`` runs its ioloop in a background thread and owns
the channel. ``publish`` may be called from any number of threads at once: it hands its batch
to the ioloop thread, which publishes every message without waiting, matches the broker's
acks and nacks (``multiple`` included) to batches by delivery tag, and wakes the caller when
the whole batch is confirmed. A batch of hundreds costs about one round trip.

A batch fails, with ``TransportUnavailable``, when the broker nacks any of its messages or
returns one as unroutable (``mandatory`` batches), or when the transport closes before the
batch was sent. It fails with ``ConfirmUncertain`` (a ``TransportUnavailable``) when the
channel or connection closes after the batch was sent but before it was confirmed, or the
confirm does not come within the timeout: then any of its messages may or may not be
stored, and only a resend under the same message ids is safe. After a connection loss the
publisher reconnects by itself, with backoff, to the next node of a cluster if it was given
several; batches handed in meanwhile wait for the new channel, within their timeout.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial

import pika
from pika.adapters.select_connection import IOLoop
from pika.channel import Channel
from pika.frame import Method
from pika.spec import Basic

from core_records.errors import ConfirmUncertain, TransportUnavailable
from routing.messages import Message
from routing.rabbitmq.addresses import NodesInTurn
from routing.rabbitmq.codec import properties_for
from routing.rabbitmq.reconnect import (
    ConnectionWatch,
    ReconnectBackoff,
    describe_connection_error,
)

log = logging.getLogger(__name__)


@dataclass(eq=False)
class _Batch:
    exchange: str
    messages: Sequence[Message]
    routing_key: str | None
    """Overrides every message's own routing key (a queue name on the default exchange)."""
    mandatory: bool
    unconfirmed: int = 0
    failure: str | None = None
    uncertain: bool = False
    """The failure came after sending: the broker may hold the messages."""
    abandoned: bool = False
    """The caller stopped waiting: if still waiting for a channel, do not send it."""
    settled: threading.Event = field(default_factory=threading.Event)

    def fail(self, why: str, *, uncertain: bool = False) -> None:
        if not self.settled.is_set():
            self.failure = why
            self.uncertain = uncertain
            self.settled.set()

    def confirm_one(self) -> None:
        self.unconfirmed -= 1
        if self.unconfirmed == 0:
            self.settled.set()


class ConfirmingPublisher:
    """Publishes batches over one connection, confirming each batch as a whole."""

    def __init__(
        self,
        parameters: pika.URLParameters | Sequence[pika.URLParameters],
        *,
        confirm_timeout_s: float,
        backoff: ReconnectBackoff | None = None,
    ) -> None:
        # One node, or each node of a cluster in turn (a SelectConnection takes one).
        self._nodes = NodesInTurn(
            [parameters] if isinstance(parameters, pika.URLParameters) else list(parameters)
        )
        self._timeout_s = confirm_timeout_s
        self._backoff = backoff or ReconnectBackoff()
        self._watch = ConnectionWatch("the publisher", log)
        self._ioloop = IOLoop()
        self._lock = threading.Lock()
        self._closing = False
        # Everything below belongs to the ioloop thread alone.
        self._connection: pika.SelectConnection | None = None
        self._channel: Channel | None = None
        self._last_tag = 0
        self._unconfirmed: OrderedDict[int, tuple[_Batch, Message]] = OrderedDict()
        self._waiting_for_channel: list[_Batch] = []
        self._reconnect_timer: object | None = None
        self._thread = threading.Thread(
            target=self._run, name="gatehouse-rabbitmq-publisher", daemon=True
        )
        self._thread.start()

    # --- any thread -----------------------------------------------------------------------

    def publish(
        self,
        exchange: str,
        messages: Sequence[Message],
        *,
        routing_key: str | None = None,
        mandatory: bool = False,
    ) -> None:
        """Publish ``messages`` persistently and return once the broker confirmed them all."""
        if not messages:
            return
        batch = _Batch(exchange, messages, routing_key, mandatory)
        with self._lock:
            if self._closing:
                raise TransportUnavailable("the RabbitMQ transport is closed")
            self._ioloop.add_callback_threadsafe(partial(self._accept, batch))
        if not batch.settled.wait(self._timeout_s):
            batch.abandoned = True
            # The ioloop may have sent the batch just before it was abandoned: uncertain.
            raise ConfirmUncertain(
                f"RabbitMQ did not confirm {len(messages)} message(s) sent to "
                f"{_destination(exchange, routing_key)} within {self._timeout_s:g} s"
            )
        if batch.failure is not None:
            raise (ConfirmUncertain if batch.uncertain else TransportUnavailable)(batch.failure)

    def close(self) -> None:
        """Fail whatever is outstanding, close the connection and stop the ioloop thread."""
        with self._lock:
            if self._closing:
                return
            self._closing = True
            self._ioloop.add_callback_threadsafe(self._shut_down)
        self._thread.join()
        self._ioloop.close()

    # --- the ioloop thread ----------------------------------------------------------------

    def _run(self) -> None:
        self._connect()
        self._ioloop.start()

    def _connect(self) -> None:
        self._reconnect_timer = None
        if self._closing:
            return
        self._connection = pika.SelectConnection(
            self._nodes.first,
            on_open_callback=self._on_connection_open,
            on_open_error_callback=self._on_connection_lost,
            on_close_callback=self._on_connection_lost,
            custom_ioloop=self._ioloop,
        )

    def _on_connection_open(self, connection: pika.SelectConnection) -> None:
        if self._closing:  # close() came while it was opening
            connection.close()
            return
        connection.channel(on_open_callback=self._on_channel_open)

    def _on_channel_open(self, channel: Channel) -> None:
        channel.add_on_close_callback(self._on_channel_closed)
        channel.add_on_return_callback(self._on_return)
        channel.confirm_delivery(self._on_confirm, callback=partial(self._on_confirming, channel))

    def _on_confirming(self, channel: Channel, _frame: object) -> None:
        self._backoff.reset()
        self._watch.regained()
        self._channel = channel
        self._last_tag = 0
        waiting, self._waiting_for_channel = self._waiting_for_channel, []
        for batch in waiting:
            self._accept(batch)

    def _accept(self, batch: _Batch) -> None:
        if batch.abandoned or batch.settled.is_set():
            return
        if self._channel is None or not self._channel.is_open:
            self._waiting_for_channel.append(batch)
            return
        batch.unconfirmed = len(batch.messages)
        for message in batch.messages:
            self._last_tag += 1
            self._unconfirmed[self._last_tag] = (batch, message)
            self._channel.basic_publish(
                batch.exchange,
                _routing_key(batch, message),
                message.body,
                properties_for(message, rerouted=batch.routing_key is not None),
                mandatory=batch.mandatory,
            )

    def _on_confirm(self, frame: Method) -> None:
        method = frame.method
        acked = isinstance(method, Basic.Ack)
        for batch, _message in self._settle(method.delivery_tag, method.multiple):
            if acked:
                batch.confirm_one()
            else:
                batch.fail(f"RabbitMQ refused a message published to {batch.exchange!r} (nack)")
        if not acked:
            self._recycle_channel()

    def _recycle_channel(self) -> None:
        """Publish on a fresh channel after a nack. RabbitMQ keeps per channel how it reaches
        each quorum queue it published to; set up while a queue's leader was being elected
        (a node just stopped), that may go on refusing the queue's messages, and every batch
        routed there be nacked round after round (README, "On a RabbitMQ cluster"). Closing
        the channel fails whatever else it had unconfirmed as uncertain, to be sent again,
        and opens another (``_on_channel_closed``)."""
        channel = self._channel
        if channel is not None and channel.is_open:
            channel.close()

    def _settle(self, tag: int, multiple: bool) -> list[tuple[_Batch, Message]]:
        if not multiple:
            settled = self._unconfirmed.pop(tag, None)
            return [settled] if settled else []
        # Tags are issued in order, so those covered by 'multiple' are at the front.
        covered = []
        while self._unconfirmed and next(iter(self._unconfirmed)) <= tag:
            covered.append(self._unconfirmed.popitem(last=False)[1])
        return covered

    def _on_return(
        self,
        _channel: Channel,
        method: Basic.Return,
        properties: pika.BasicProperties,
        _body: bytes,
    ) -> None:
        # The broker returns a message before it acks it, so the message is still
        # unconfirmed here. Two unconfirmed messages with the same id and routing key cannot
        # be routed differently, so the first match is the one.
        for batch, message in self._unconfirmed.values():
            if (message.message_id, _routing_key(batch, message)) == (
                properties.message_id,
                method.routing_key,
            ):
                batch.fail(
                    f"RabbitMQ could not route a message sent to "
                    f"{_destination(method.exchange, method.routing_key)}: {method.reply_text}"
                )
                return

    def _on_channel_closed(self, _channel: Channel, reason: Exception) -> None:
        self._channel = None
        self._fail_unconfirmed(f"the RabbitMQ channel closed before confirming: {reason}")
        connection = self._connection
        if not self._closing and connection is not None and connection.is_open:
            connection.channel(on_open_callback=self._on_channel_open)

    def _on_connection_lost(self, _connection: object, reason: object) -> None:
        self._channel = None
        self._connection = None
        self._nodes.move_on()
        self._fail_unconfirmed(
            "lost the connection to RabbitMQ before confirming: "
            + describe_connection_error(reason)
        )
        if self._closing:
            self._ioloop.stop()
            return
        delay_s = self._backoff.next_delay_s()
        self._watch.lost(reason, delay_s)
        self._reconnect_timer = self._ioloop.call_later(delay_s, self._connect)

    def _fail_unconfirmed(self, why: str) -> None:
        """Fail the batches sent but not yet confirmed: the broker may hold them."""
        for batch, _message in self._unconfirmed.values():
            batch.fail(why, uncertain=True)
        self._unconfirmed.clear()

    def _shut_down(self) -> None:
        for batch in self._waiting_for_channel:
            batch.fail("the RabbitMQ transport closed before the message could be sent")
        self._waiting_for_channel.clear()
        self._fail_unconfirmed("the RabbitMQ transport closed before confirming")
        if self._reconnect_timer is not None:
            self._ioloop.remove_timeout(self._reconnect_timer)
            self._reconnect_timer = None
        connection = self._connection
        if connection is None or connection.is_closed:
            self._ioloop.stop()
        elif connection.is_open:
            connection.close()  # _on_connection_lost stops the ioloop once it has closed
        # Otherwise it is still opening, and pika cannot abort that safely (a stream lost
        # during the abort trips an assertion in its connection workflow): it is closed as
        # soon as it opens, or stops the ioloop when it fails to, within pika's timeouts.


def _destination(exchange: str, routing_key: str | None) -> str:
    if not exchange:
        return f"queue {routing_key!r}"
    return f"exchange {exchange!r}" + (f" with key {routing_key!r}" if routing_key else "")


def _routing_key(batch: _Batch, message: Message) -> str:
    return message.routing_key if batch.routing_key is None else batch.routing_key
