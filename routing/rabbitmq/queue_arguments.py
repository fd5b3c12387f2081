"""The arguments of Gatehouse's RabbitMQ queues, as one typed object instead of loose dicts.

Every queue is a durable quorum queue (replicated, and the only kind with a delivery limit).
Dead-lettering is ``at-least-once``: quorum queues otherwise drop a dead letter that the
dead-letter exchange cannot take at that moment. RabbitMQ honours ``at-least-once`` only
together with ``x-overflow: reject-publish`` and silently falls back to ``at-most-once``
without it, so the two always travel together here.
"""

from __future__ import annotations

from dataclasses import dataclass

from routing.topology import WaitQueue, WorkQueue

DEFAULT_EXCHANGE = ""
"""The exchange that routes a message to the queue named by its routing key."""


@dataclass(frozen=True)
class QuorumQueueArguments:
    dead_letter_exchange: str | None = None
    dead_letter_routing_key: str | None = None
    """Replaces the message's routing key when it is dead-lettered."""
    delivery_limit: int | None = None
    """Handings out before the broker dead-letters the message; None for no limit."""
    message_ttl_ms: int | None = None
    single_active_consumer: bool = False
    initial_group_size: int | None = None
    """Nodes the queue is replicated on when created; None for the broker's default."""

    def as_table(self) -> dict[str, object]:
        """The ``arguments`` table of ``queue.declare``.

        Only settings that are on appear: RabbitMQ compares the table on every redeclare, so
        an explicit ``False`` would clash with a queue declared without it.
        """
        table: dict[str, object] = {"x-queue-type": "quorum"}
        if self.dead_letter_exchange is not None:
            table["x-dead-letter-exchange"] = self.dead_letter_exchange
            table["x-dead-letter-strategy"] = "at-least-once"
            table["x-overflow"] = "reject-publish"
        if self.dead_letter_routing_key is not None:
            table["x-dead-letter-routing-key"] = self.dead_letter_routing_key
        if self.delivery_limit is not None:
            table["x-delivery-limit"] = self.delivery_limit
        if self.message_ttl_ms is not None:
            table["x-message-ttl"] = self.message_ttl_ms
        if self.single_active_consumer:
            table["x-single-active-consumer"] = True
        if self.initial_group_size is not None:
            table["x-quorum-initial-group-size"] = self.initial_group_size
        return table


def work_queue_arguments(queue: WorkQueue) -> QuorumQueueArguments:
    """A work queue dead-letters under its own name as routing key, so that a dead letter
    the broker made (delivery limit) still says which queue it came from."""
    has_dead_letters = queue.dead_letter_exchange is not None
    return QuorumQueueArguments(
        dead_letter_exchange=queue.dead_letter_exchange,
        dead_letter_routing_key=queue.name if has_dead_letters else None,
        delivery_limit=queue.delivery_limit or None,
        single_active_consumer=queue.single_active_consumer,
    )


def wait_queue_arguments(queue: WaitQueue) -> QuorumQueueArguments:
    """A wait queue holds every message for the same time, then dead-letters it through the
    default exchange straight back to its work queue."""
    return QuorumQueueArguments(
        dead_letter_exchange=DEFAULT_EXCHANGE,
        dead_letter_routing_key=queue.returns_to,
        message_ttl_ms=queue.delay_ms,
    )
