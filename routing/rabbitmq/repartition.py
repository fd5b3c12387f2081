"""Changing the number of ingest partitions without losing a message or a person's order.

Each layout has queues of its own (``<ns>.ingest`` for one partition, ``<ns>.ingest.<n>-of-<K>``
for K), and the edge never needs to know K (``routing.ingest_partitions``), so a change is
done on the broker in two steps, with the workers restarted in between:

1. ``switch``: declare the new layout's queues and bindings, then unbind the old layout's
   queues from the inbound exchange. From then on new messages wait in the new queues,
   while the workers, still running with the old count, drain the old ones. (Bound first,
   unbound second: a message published in between goes to both, and the inbox applies it
   once, the first time; never to neither.)
2. Once the old queues and their wait queues are empty (``waiting`` says so), stop the
   workers, then ``finish``: it deletes the old queues, refusing while any holds a message
   or has a consumer. Start the workers with the new count. Every message of the old layout
   was applied before any of the new one, so each person's order holds across the change.

A message retrying in an old wait queue comes back to its old queue when its wait ends, so
the drain lasts at most the longest delay tier. A dead letter from a deleted queue cannot
be replayed to it (the broker refuses it, so it stays waiting): replay those before
``finish``.
"""

from __future__ import annotations

from dataclasses import dataclass

from routing.rabbitmq.transport import RabbitTransport
from routing.topology import Topology


class RepartitionRefused(Exception):
    """The old layout cannot be removed yet: it still holds messages or consumers."""


@dataclass(frozen=True)
class Repartition:
    transport: RabbitTransport
    old: Topology
    """The hub's topology with today's partition count."""
    new: Topology
    """The same with the new count."""

    @property
    def old_queues(self) -> list[str]:
        """Ingest queues of the old layout that the new one does not have."""
        keep = set(self.new.ingest_queues)
        return [q for q in self.old.ingest_queues if q not in keep]

    def _old_with_waits(self) -> list[str]:
        names: list[str] = []
        for queue in self.old_queues:
            names.append(queue)
            names.extend(w.name for w in self.old.queue(queue).wait_queues)
        return names

    def switch(self) -> list[str]:
        """Step 1: new queues bound, old ones unbound; the old queues, to be drained."""
        self.transport.declare(self.new)
        for queue in self.old_queues:
            for binding in self.old.queue(queue).bindings:
                self.transport.unbind(queue, binding.exchange, binding.routing_key)
        return self.old_queues

    def waiting(self) -> dict[str, int]:
        """Messages ready in each old queue and its wait queues (a queue already gone: 0)."""
        counts: dict[str, int] = {}
        for name in self._old_with_waits():
            try:
                counts[name] = self.transport.queue_state(name)[0]
            except KeyError:
                counts[name] = 0
        return counts

    def finish(self) -> list[str]:
        """Step 2: delete the old queues, if every one is empty and unconsumed; those deleted.
        Raises ``RepartitionRefused`` naming what is left, and then deletes nothing."""
        left: list[str] = []
        present: list[str] = []
        for name in self._old_with_waits():
            try:
                ready, consumers = self.transport.queue_state(name)
            except KeyError:
                continue
            present.append(name)
            if ready:
                left.append(f"{name} holds {ready} messages")
            if consumers:
                left.append(f"{name} has {consumers} consumers (stop the old workers first)")
        if left:
            raise RepartitionRefused("; ".join(left))
        for name in present:
            self.transport.delete_queue(name)
        return present
