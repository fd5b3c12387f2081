"""The hub on a three-node RabbitMQ cluster of the test's own loses the node leading its
ingest queue mid-run: nothing is lost, nothing applied twice, and the pause is measured.

The cluster (tests/rabbitmq_cluster.py) is started for this module from the installed
RabbitMQ (about 40 s on this machine) and removed afterwards; the machine's own RabbitMQ is
not touched. Select it with ``-m cluster``; skipped where RabbitMQ is not installed, unless
services are required (``GATEHOUSE_REQUIRE_SERVICES=1``, as in CI).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.delius.simulator import DeliusReceiver
from gatehouse.settings import Settings
from tests.cluster_failover import run_failover
from tests.hub_fixtures import delius  # noqa: F401  (a fixture, used by name)
from tests.rabbitmq_cluster import RabbitCluster, rabbitmq_installed
from tests.running_hub import hub_settings
from tests.support import service_unavailable

# The cluster's start (40 to 50 s) counts towards the first test's time; on a busy machine
# the run itself takes minutes (the harness fails it when it stops making progress).
pytestmark = [
    pytest.mark.rabbitmq,
    pytest.mark.postgres,
    pytest.mark.cluster,
    pytest.mark.timeout(900),
]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RabbitCluster]:
    if not rabbitmq_installed():
        service_unavailable("rabbitmq-server (to start a cluster of the test's own)")
    cluster = RabbitCluster(tmp_path_factory.mktemp("rabbitmq-cluster"))
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def settings(
    cluster: RabbitCluster,
    postgres_url: str,
    namespace: str,
    tmp_path: Path,
    delius: tuple[str, DeliusReceiver],  # noqa: F811
) -> Settings:
    return hub_settings(
        database_url=postgres_url,
        broker_url=cluster.broker_url,
        namespace=namespace,
        data_dir=tmp_path,
        delius_url=delius[0],
        broker_quorum_group_size=3,
        max_attempts=30,
    )


def test_stopping_the_node_that_leads_ingest_loses_nothing_and_applies_nothing_twice(
    cluster: RabbitCluster,
    settings: Settings,
    delius: tuple[str, DeliusReceiver],  # noqa: F811
    tmp_path: Path,
) -> None:
    _, receiver = delius
    assert len(cluster.running_nodes()) == 3
    log = tmp_path / "workers.log"

    figures = run_failover(cluster, settings, receiver, log, messages=1_200)

    every_node = sorted(node.name for node in cluster.nodes)
    assert figures.members == every_node, "the ingest queue is replicated on all three nodes"
    assert figures.leader_after != figures.stopped_node
    assert figures.leader_after in every_node
    assert figures.applied == figures.messages
    assert figures.lost == 0
    assert figures.applied_twice == 0
    assert figures.events == figures.messages  # one prisoner.received event per reception
    assert figures.undelivered == 0
    assert figures.delivered == figures.events
    assert figures.worker_exit_codes == [0, 0], log.read_text()[-3000:]
    remaining = [n.name for n in cluster.nodes if n.name != figures.stopped_node]
    assert cluster.running_nodes(asked=cluster.node(remaining[0])) == sorted(remaining)
    print(
        f"\ncluster failover: {figures.messages} receptions, stopped {figures.stopped_node}; "
        f"ingest pause {figures.ingest_pause_s:.1f} s, delivery pause "
        f"{figures.delivery_pause_s:.1f} s, {figures.delivered_again} delivered again, "
        f"{figures.batches_resent} batches resent"
    )
