"""The RabbitMQ transport, on pika: what production and the distributed deployment use.

    RabbitTransport
    ├── ConfirmingPublisher   one SelectConnection, ioloop in a background thread;
    │                         publish, send_to_queue, and every consumer's retries and
    │                         dead letters go through it, with pipelined confirms
    ├── an admin connection   declare, queue_depth, ping (BlockingConnection, behind a lock)
    └── RabbitConsumer        one BlockingConnection per consumer, one thread each

Consumers learn the shape of their queue (wait queues, dead-letter exchange) from the
topology this transport declared: a process calls ``declare(topology)`` at start-up (it is
idempotent) before it asks for a consumer.

``declare`` creates and binds, but never removes: without the management plugin AMQP cannot
list the bindings of a queue, so a binding an adapter no longer wants must be removed by
hand (``rabbitmqctl``) or by deleting the queue.

Quorum queues before RabbitMQ 4.0 count every return towards ``x-delivery-limit``: a
``release``, and each prefetched delivery a closing consumer hands back, as well as a crash.
The limit (20 by default) is set high enough for that. ``close`` closes the transport's own
connections; each consumer is closed by whoever asked for it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import ssl
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

import pika
from pika.adapters.blocking_connection import BlockingChannel
from pika.exceptions import AMQPError, ChannelClosedByBroker

from core_records.errors import TransportUnavailable
from routing.messages import Message
from routing.rabbitmq.addresses import NodesInTurn, blocking_connection, broker_urls
from routing.rabbitmq.consumer import RabbitConsumer
from routing.rabbitmq.publisher import ConfirmingPublisher
from routing.rabbitmq.queue_arguments import (
    DEFAULT_EXCHANGE,
    QuorumQueueArguments,
    wait_queue_arguments,
    work_queue_arguments,
)
from routing.rabbitmq.tls import BrokerTls, connection_parameters
from routing.topology import Topology, WorkQueue
from routing.transport import Consumer, Transport

__all__ = ["RabbitTransport"]

T = TypeVar("T")
NOT_FOUND = 404


class RabbitTransport(Transport):
    """A ``Transport`` on a RabbitMQ broker at ``url`` (``amqp://user:pass@host:port/vhost``,
    or ``amqps://`` for TLS, with the CA and client certificate in ``tls``). ``url`` may list
    the nodes of a cluster, comma-separated: each connection tries them in turn (addresses).

    ``quorum_group_size`` asks for each new queue to be replicated on that many nodes
    (``x-quorum-initial-group-size``); None leaves it to the broker (every node, up to
    RabbitMQ 3.x's default). Queues declared earlier without it must be declared the same
    way again: RabbitMQ refuses a redeclare whose arguments differ.

    ``connection_name`` shows in the broker's connection list, followed by the role of each
    connection. ``confirm_timeout_s`` bounds how long ``publish`` waits for the broker to
    confirm a batch, a reconnection included.
    """

    def __init__(
        self,
        url: str,
        *,
        connection_name: str = "gatehouse",
        confirm_timeout_s: float = 30.0,
        tls: BrokerTls | None = None,
        quorum_group_size: int | None = None,
    ) -> None:
        self._urls = broker_urls(url)
        self._tls = tls
        self._quorum_group_size = quorum_group_size
        self._connection_name = connection_name
        self._publisher = ConfirmingPublisher(
            self._parameters("publisher"), confirm_timeout_s=confirm_timeout_s
        )
        self._work_queues: dict[str, WorkQueue] = {}
        self._admin_lock = threading.Lock()
        self._admin_nodes = NodesInTurn(self._parameters("admin"))
        self._admin: pika.BlockingConnection | None = None
        self._admin_channel: BlockingChannel | None = None

    def declare(self, topology: Topology) -> None:
        def declare_all(channel: BlockingChannel) -> None:
            for exchange in topology.exchanges:
                channel.exchange_declare(exchange.name, exchange.kind, durable=True)
            for work_queue in topology.work_queues:
                arguments = self._replicated(work_queue_arguments(work_queue)).as_table()
                channel.queue_declare(work_queue.name, durable=True, arguments=arguments)
                for binding in work_queue.bindings:
                    channel.queue_bind(work_queue.name, binding.exchange, binding.routing_key)
                for wait_queue in work_queue.wait_queues:
                    arguments = self._replicated(wait_queue_arguments(wait_queue)).as_table()
                    channel.queue_declare(wait_queue.name, durable=True, arguments=arguments)

        try:
            self._on_admin_channel(declare_all, "declare the topology")
        except ChannelClosedByBroker as error:
            raise TransportUnavailable(
                f"RabbitMQ refused the {topology.namespace} topology: {error.reply_text}"
            ) from error
        self._work_queues.update({queue.name: queue for queue in topology.work_queues})

    def publish(self, exchange: str, messages: Sequence[Message]) -> None:
        # Not mandatory: an event type no partner subscribes to is routed nowhere, rightly.
        self._publisher.publish(exchange, messages)

    def send_to_queue(self, queue: str, messages: Sequence[Message]) -> None:
        # Mandatory: a queue that does not exist would otherwise swallow the messages.
        self._publisher.publish(DEFAULT_EXCHANGE, messages, routing_key=queue, mandatory=True)

    def consumer(self, queue: str, *, prefetch: int = 200) -> Consumer:
        work_queue = self._work_queues.get(queue)
        if work_queue is None:
            raise KeyError(f"{queue!r} is not a work queue of a topology declared here")
        return RabbitConsumer(
            self._parameters(f"consumer {queue}"), work_queue, self._publisher, prefetch=prefetch
        )

    def queue_depth(self, queue: str) -> int:
        def count(channel: BlockingChannel) -> int:
            return int(channel.queue_declare(queue, passive=True).method.message_count)

        try:
            return self._on_admin_channel(count, f"count the messages in {queue}")
        except ChannelClosedByBroker as error:
            if error.reply_code == NOT_FOUND:
                raise KeyError(f"RabbitMQ has no queue named {queue!r}") from error
            raise TransportUnavailable(f"RabbitMQ refused: {error.reply_text}") from error

    def queue_state(self, queue: str) -> tuple[int, int]:
        """Messages ready in ``queue`` and consumers on it; KeyError if there is no such queue."""

        def state(channel: BlockingChannel) -> tuple[int, int]:
            method = channel.queue_declare(queue, passive=True).method
            return int(method.message_count), int(method.consumer_count)

        try:
            return self._on_admin_channel(state, f"describe {queue}")
        except ChannelClosedByBroker as error:
            if error.reply_code == NOT_FOUND:
                raise KeyError(f"RabbitMQ has no queue named {queue!r}") from error
            raise TransportUnavailable(f"RabbitMQ refused: {error.reply_text}") from error

    def unbind(self, queue: str, exchange: str, routing_key: str) -> None:
        """Remove one binding (repartitioning ingest); a binding that is not there is fine."""
        self._on_admin_channel(
            lambda channel: channel.queue_unbind(queue, exchange, routing_key),
            f"unbind {queue}",
        )

    def delete_queue(self, queue: str) -> None:
        """Delete ``queue`` and whatever it holds: callers check it is empty first."""
        self._on_admin_channel(lambda channel: channel.queue_delete(queue), f"delete {queue}")
        self._work_queues.pop(queue, None)

    def ping(self) -> None:
        # A round trip that changes nothing: amq.topic exists on every broker.
        self._on_admin_channel(
            lambda channel: channel.exchange_declare("amq.topic", "topic", passive=True),
            "answer a ping",
        )

    def close(self) -> None:
        self._publisher.close()
        with self._admin_lock:
            self._drop_admin()

    def _replicated(self, arguments: QuorumQueueArguments) -> QuorumQueueArguments:
        return dataclasses.replace(arguments, initial_group_size=self._quorum_group_size)

    # --- the admin connection -------------------------------------------------------------

    def _parameters(self, role: str) -> list[pika.URLParameters]:
        """pika's parameters for each node, in the order given."""
        nodes = []
        for url in self._urls:
            parameters = connection_parameters(url, self._tls)
            parameters.client_properties = {"connection_name": f"{self._connection_name} {role}"}
            nodes.append(parameters)
        return nodes

    def _on_admin_channel(self, work: Callable[[BlockingChannel], T], what: str) -> T:
        """Run ``work`` on the admin channel; once more on a new connection if the old one
        has died (the broker closes it after missed heartbeats when it sits idle)."""
        with self._admin_lock:
            for attempt in (1, 2):
                try:
                    if self._admin is None or not self._admin.is_open:
                        self._drop_admin()
                        self._admin = blocking_connection(self._admin_nodes)
                    if self._admin_channel is None or not self._admin_channel.is_open:
                        self._admin_channel = self._admin.channel()
                    return work(self._admin_channel)
                except ChannelClosedByBroker:
                    self._admin_channel = None
                    raise
                except (AMQPError, ssl.SSLError) as error:
                    # pika raises a broker certificate that fails our checks as it is.
                    self._drop_admin()
                    self._admin_nodes.move_on()
                    if attempt == 2:
                        raise TransportUnavailable(f"RabbitMQ did not {what}: {error!r}") from error
        raise AssertionError("unreachable")

    def _drop_admin(self) -> None:
        admin, self._admin, self._admin_channel = self._admin, None, None
        if admin is not None and admin.is_open:
            with contextlib.suppress(AMQPError, OSError):  # it was dying anyway
                admin.close()
