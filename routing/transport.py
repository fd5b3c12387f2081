"""The transport port: what Gatehouse needs from a message broker.

Two implementations pass one contract suite
(``tests/integration/routing/test_transport_contract.py``):
``routing.rabbitmq.transport.RabbitTransport`` on pika, for production, and
``routing.embedded.transport.EmbeddedTransport``, durable in one SQLite file, for a single machine.

The guarantees both give:

- ``publish`` returns only once every message is durable (RabbitMQ: publisher confirms);
  otherwise it raises ``TransportUnavailable`` and the caller must assume any of the
  messages may or may not have been stored (publishing is at-least-once). When the
  messages were sent but their confirm was lost (RabbitMQ's channel closed first), the
  error is the subclass ``ConfirmUncertain``; the embedded transport commits before it
  returns, so it never raises that.
- A delivery stays with its consumer until settled (``ack``, ``retry_later``,
  ``dead_letter`` or ``release``). If the consumer dies first, the message is handed out
  again, marked ``redelivered``.
- A queue with ``single_active_consumer`` hands messages out in order to one consumer at a
  time.
- A message handed out more than the queue's ``delivery_limit`` times without being
  settled goes to the dead-letter exchange on the transport's own initiative.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from routing.messages import Delivery, Message
from routing.topology import Topology


class Consumer(ABC):
    """Takes deliveries from one queue and settles them."""

    @abstractmethod
    def fetch(self, max_messages: int, timeout_s: float) -> list[Delivery]:
        """Up to ``max_messages`` deliveries, waiting at most ``timeout_s`` for the first.

        Returns an empty list on timeout. When the connection to the broker drops, the
        consumer reconnects by itself; meanwhile it returns empty lists rather than raising,
        so that a worker loop needs no reconnection logic of its own.
        """

    @abstractmethod
    def ack(self, deliveries: Sequence[Delivery]) -> None:
        """Settle deliveries as done. Deliveries from a connection that has since dropped
        are skipped: the broker hands those messages out again."""

    @abstractmethod
    def retry_later(
        self, delivery: Delivery, delay_ms: int, reason: str, *, kind: str = "failure"
    ) -> None:
        """Send a copy, with one more entry of ``kind`` in its attempt history
        (``Message.with_attempt``), through the queue's wait queue of ``delay_ms`` (one of the
        topology's tiers); once that copy is durable, ack. ``kind="held"`` parks a message
        that has not failed, without counting towards its retry limit."""

    @abstractmethod
    def dead_letter(self, delivery: Delivery, reason: str) -> None:
        """Send a copy, with the reason and origin queue in its headers, to the dead-letter
        exchange; once that copy is durable, ack."""

    @abstractmethod
    def release(self, deliveries: Sequence[Delivery]) -> None:
        """Give deliveries back unprocessed, to be handed out again (on shutdown)."""

    @abstractmethod
    def close(self) -> None:
        """Release anything unsettled and stop consuming."""


class Transport(ABC):
    """A durable message transport."""

    @abstractmethod
    def declare(self, topology: Topology) -> None:
        """Create the exchanges, queues and bindings of ``topology``. Idempotent."""

    @abstractmethod
    def publish(self, exchange: str, messages: Sequence[Message]) -> None:
        """Route each message through ``exchange`` by its routing key, and return once all
        are durable. Confirms are pipelined: a batch costs about one round trip, not one
        per message. Raises ``TransportUnavailable``."""

    @abstractmethod
    def send_to_queue(self, queue: str, messages: Sequence[Message]) -> None:
        """Put messages straight onto a named queue (a dead-letter replay), durably."""

    @abstractmethod
    def consumer(self, queue: str, *, prefetch: int = 200) -> Consumer:
        """A consumer of ``queue`` holding at most ``prefetch`` unsettled deliveries."""

    @abstractmethod
    def queue_depth(self, queue: str) -> int:
        """Messages waiting in ``queue`` and not yet handed out."""

    @abstractmethod
    def ping(self) -> None:
        """Raise ``TransportUnavailable`` unless the broker answers now."""

    @abstractmethod
    def close(self) -> None:
        """Close connections; outstanding publishes fail with ``TransportUnavailable``."""
