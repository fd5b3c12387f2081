"""RabbitMQ only: a transport given several nodes (``GATEHOUSE_BROKER_URL`` comma-separated)
goes on through another node when one refuses or drops.

Two TCP proxies in front of the one broker play two nodes of a cluster; the cluster failover
test (tests/integration/routing/test_cluster_failover.py) does the same on a real cluster.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from routing.rabbitmq.transport import RabbitTransport
from routing.topology import Topology
from tests.integration.routing._harness import contract_topology, numbered
from tests.integration.routing._tcp_proxy import TcpProxy
from tests.integration.routing.rabbitmq.test_transport_faults import (
    collect_ids,
    ids_of,
    publish_until_confirmed,
)
from tests.support import remember_topology

pytestmark = pytest.mark.rabbitmq


@pytest.fixture
def nodes(rabbitmq_url: str) -> Iterator[tuple[TcpProxy, TcpProxy]]:
    first, second = TcpProxy.in_front_of(rabbitmq_url), TcpProxy.in_front_of(rabbitmq_url)
    yield first, second
    first.close()
    second.close()


@pytest.fixture
def topology(rabbitmq_url: str, namespace: str) -> Topology:
    topology = contract_topology(namespace)
    remember_topology(topology)
    return topology


def _transport(rabbitmq_url: str, nodes: tuple[TcpProxy, TcpProxy]) -> RabbitTransport:
    urls = ",".join(node.url_for(rabbitmq_url) for node in nodes)
    return RabbitTransport(urls, confirm_timeout_s=2)


def test_with_the_first_node_refusing_everything_goes_through_the_second(
    rabbitmq_url: str, nodes: tuple[TcpProxy, TcpProxy], topology: Topology
) -> None:
    first, second = nodes
    first.refuse()
    transport = _transport(rabbitmq_url, nodes)
    try:
        transport.declare(topology)
        consumer = transport.consumer(topology.outbound_queue("delius"))
        messages = numbered(50)
        transport.publish(topology.events_exchange, messages)
        received = collect_ids(consumer, set(ids_of(messages)))
        consumer.close()
    finally:
        transport.close()

    assert {d.message.message_id for d in received} == set(ids_of(messages))
    assert second.connections_accepted >= 3, "admin, publisher and consumer on the second"


def test_when_a_node_drops_and_stays_away_the_publisher_and_consumer_move_to_the_next(
    rabbitmq_url: str, nodes: tuple[TcpProxy, TcpProxy], topology: Topology
) -> None:
    first, second = nodes
    transport = _transport(rabbitmq_url, nodes)
    try:
        transport.declare(topology)
        consumer = transport.consumer(topology.outbound_queue("delius"))
        before = numbered(20)
        transport.publish(topology.events_exchange, before)
        collect_ids(consumer, set(ids_of(before)))
        assert second.connections_accepted == 0, "the first node is tried first"

        first.refuse()
        first.cut()  # the node stops: its connections drop and it takes no new ones

        after = numbered(20, routing_key="prisoner.released")
        publish_until_confirmed(transport, topology.events_exchange, after)
        received = collect_ids(consumer, set(ids_of(after)))
        consumer.close()
    finally:
        transport.close()

    assert set(ids_of(after)) <= {d.message.message_id for d in received}
    assert second.connections_accepted >= 2, "the publisher and the consumer moved over"
