"""The cluster failover benchmark: the hub on a three-node RabbitMQ cluster loses the node
leading its ingest queue in the middle of a run.

    .venv/bin/python bench/cluster_failover.py [--messages 5000] [--stop-at 0.35]
                                               [--postgres-url ...]

It starts a three-node cluster of its own from the installed RabbitMQ
(``tests/rabbitmq_cluster.py``: own node names, ports, directories and cookie; the machine's
RabbitMQ is not touched), creates a database (dropped afterwards), serves a simulated Delius
in this process, and runs two worker processes (every role) on the cluster with every
node's URL and quorum queues replicated on all three nodes. Receptions of new people are
published in a stream; once ``--stop-at`` of them are applied, the node leading the ingest
queue is stopped (``rabbitmqctl stop``). The run is the one the cluster failover test makes
(``tests/cluster_failover.py``), with more messages.

It prints: messages, lost, applied twice, events delivered and delivered again (documents
Delius dropped as a repeat of an event id it had: at-least-once delivery, not a double
application), the longest pause in ingest and in delivery, ingest throughput before and
after the stop, the node stopped and the new leader, and the load average. Exit 1 on any
loss or double application.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_database import fresh_database

from adapters.delius.simulator import running_receiver
from gatehouse.settings import Settings
from tests.cluster_failover import FailoverFigures, run_failover
from tests.rabbitmq_cluster import RabbitCluster, rabbitmq_installed

POSTGRES_URL = os.environ.get(
    "GATEHOUSE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def report(figures: FailoverFigures, started_s: float, run_s: float) -> None:
    load = ", ".join(f"{value:.2f}" for value in figures.load_average)
    rows = [
        ("messages", f"{figures.messages}"),
        ("lost", f"{figures.lost}"),
        ("applied twice", f"{figures.applied_twice}"),
        ("events delivered", f"{figures.delivered} of {figures.events}"),
        ("delivered again (dropped by Delius)", f"{figures.delivered_again}"),
        ("publish batches resent", f"{figures.batches_resent}"),
        ("node stopped", figures.stopped_node),
        ("ingest leader after", figures.leader_after),
        ("ingest pause", f"{figures.ingest_pause_s:.1f} s"),
        ("delivery pause", f"{figures.delivery_pause_s:.1f} s"),
        ("ingest before the stop", f"{figures.ingest_rate_before:.0f} receptions/s"),
        ("ingest after the stop", f"{figures.ingest_rate_after:.0f} receptions/s"),
        ("cluster start", f"{started_s:.0f} s (three nodes)"),
        ("run", f"{run_s:.0f} s"),
        ("load average (1, 5, 15 min)", load),
    ]
    width = max(len(name) for name, _ in rows)
    print("cluster failover: the node leading ingest stopped mid-run")
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=5_000)
    parser.add_argument(
        "--stop-at", type=float, default=0.35, help="share applied before the node stops"
    )
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    args = parser.parse_args()
    if not rabbitmq_installed():
        print("cluster failover: skipped, RabbitMQ is not installed here")
        return 0

    with tempfile.TemporaryDirectory(prefix="gh-cluster-") as scratch:
        cluster = RabbitCluster(Path(scratch) / "cluster")
        began = time.monotonic()
        cluster.start()
        try:
            started_s = time.monotonic() - began
            with (
                fresh_database(args.postgres_url) as database_url,
                running_receiver() as (delius_url, receiver),
            ):
                settings = Settings(
                    database_url=database_url,
                    broker_url=cluster.broker_url,
                    broker_quorum_group_size=3,
                    namespace=f"failover{uuid.uuid4().hex[:6]}",
                    data_dir=Path(scratch) / "data",
                    partner_urls={"delius": delius_url},
                )
                began = time.monotonic()
                figures = run_failover(
                    cluster,
                    settings,
                    receiver,
                    Path(scratch) / "workers.log",
                    messages=args.messages,
                    stop_when_applied=args.stop_at,
                    timeout_s=600,
                )
                run_s = time.monotonic() - began
        finally:
            cluster.stop()
    report(figures, started_s, run_s)
    return 1 if figures.lost or figures.applied_twice or figures.undelivered else 0


if __name__ == "__main__":
    raise SystemExit(main())
