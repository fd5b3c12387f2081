"""The nodes of a RabbitMQ cluster, as the hub's connections take them in turn.

``GATEHOUSE_BROKER_URL`` may name several nodes, comma-separated
(``amqp://u:p@rabbit1/%2F,amqp://u:p@rabbit2/%2F,amqp://u:p@rabbit3/%2F``). A connection tries
them in order; once it has lost a node (or failed to reach one), it starts from the next one,
so that a client whose node was stopped goes to a live node at once instead of knocking at
the stopped one first on every attempt. With one URL nothing changes.
"""

from __future__ import annotations

import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import pika
from pika.exceptions import AMQPError

T = TypeVar("T")


def broker_urls(text: str) -> list[str]:
    """The URLs in a comma-separated list; at least one."""
    urls = [part.strip() for part in text.split(",") if part.strip()]
    if not urls:
        raise ValueError("a broker URL list names no URL")
    return urls


@dataclass
class NodesInTurn(Generic[T]):
    """Connection parameters of each node, with the one to try first."""

    nodes: Sequence[T]
    _first: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        if not self.nodes:
            raise ValueError("no broker node to connect to")

    def in_order(self) -> list[T]:
        """Every node, starting from the one to try first."""
        return [*self.nodes[self._first :], *self.nodes[: self._first]]

    @property
    def first(self) -> T:
        return self.nodes[self._first]

    def move_on(self) -> None:
        """The first node was lost or refused: start from the next one from now on."""
        self._first = (self._first + 1) % len(self.nodes)


def blocking_connection(nodes: NodesInTurn[pika.URLParameters]) -> pika.BlockingConnection:
    """A connection to the first node of ``nodes`` that answers, trying each once; the last
    node's error if none does. Each one that fails is moved past, so that the next attempt
    starts from the node that answered."""
    in_order = nodes.in_order()
    for tried, node in enumerate(in_order, start=1):
        try:
            return pika.BlockingConnection(node)
        except (AMQPError, ssl.SSLError):  # pika raises a failed TLS check as it is
            nodes.move_on()
            if tried == len(in_order):
                raise
    raise AssertionError("unreachable")
