"""The scale-out factor of ingest alone: one partition and one worker against two and two.

    .venv/bin/python bench/ingest_scale_out.py [--messages 10000]   (or as part of pipeline.py)

For K = 1 and then K = 2, on a fresh database and namespace each: N receptions of new
people are published to the inbound exchange first, each keyed by its person as the edge
keys it, and wait in the K ingest queues; then K worker processes
(``gatehouse worker --role ingest``, GATEHOUSE_INGEST_PARTITIONS=K) drain them. Delivery is
off (no relay, no delivery worker), so the figure is about ingest's design, not the
partners. The rate is taken between the moments 10 % and 90 % of the messages are applied
(the inbox rows), leaving out the workers' start-up and their sharing out of the
partitions. Printed with the one-minute load average and the CPU count: on a machine with
two cores, shared with PostgreSQL and RabbitMQ, two workers cannot double the rate.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pika
import sqlalchemy as sa
from bench_database import fresh_database

from core_records.identity.tables import identity_case
from core_records.store.tables import inbox
from gatehouse.bootstrap import Hub, amqp_partners, build_hub
from gatehouse.settings import Settings
from routing.inbound import Submission, inbound_message
from routing.ingest_partitions import document_person_key
from routing.topology import partner_topology

RABBITMQ_URL = os.environ.get(
    "GATEHOUSE_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/%2F"
)
POSTGRES_URL = os.environ.get(
    "GATEHOUSE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@dataclass(frozen=True)
class Drain:
    partitions: int
    rate: float
    """Messages applied a second, between 10 % and 90 % of them."""
    seconds: float
    """From the workers' start to the last message applied."""
    load: tuple[float, float]
    """One-minute load average before and after."""


@dataclass(frozen=True)
class ScaleOut:
    messages: int
    one: Drain
    two: Drain

    @property
    def factor(self) -> float:
        return self.two.rate / self.one.rate


def measure_ingest_scale_out(
    rabbitmq_url: str, postgres_url: str, made: list[tuple[str, bytes]], log: Path
) -> ScaleOut:
    """Drain ``made`` (operator, reception document) with one partition, then two."""
    one = drain(rabbitmq_url, postgres_url, made, 1, log)
    two = drain(rabbitmq_url, postgres_url, made, 2, log)
    return ScaleOut(len(made), one, two)


def drain(
    rabbitmq_url: str, postgres_url: str, made: list[tuple[str, bytes]], partitions: int, log: Path
) -> Drain:
    with fresh_database(postgres_url) as database_url:
        settings = Settings(
            database_url=database_url,
            broker_url=rabbitmq_url,
            namespace=f"scale{uuid.uuid4().hex[:6]}",
            ingest_partitions=partitions,
        )
        hub = build_hub(settings)
        try:
            fill(hub, made)
            load_before = os.getloadavg()[0]
            started = time.monotonic()
            processes = start_workers(settings, partitions, log)
            try:
                rate, finished = watch(hub, len(made))
            finally:
                for process in processes:
                    process.terminate()
                for process in processes:
                    process.wait(timeout=60)
            return Drain(partitions, rate, finished - started, (load_before, os.getloadavg()[0]))
        finally:
            delete_queues(hub)
            hub.close()


def fill(hub: Hub, made: list[tuple[str, bytes]]) -> None:
    now = datetime.now(UTC)
    messages = []
    for operator, body in made:
        key = document_person_key(hub.registry, "private_prisons", "reception", operator, body)
        messages.append(
            inbound_message(
                Submission(
                    "private_prisons", "reception", operator, body, now, None, person_key=key
                )
            )
        )
    for start in range(0, len(messages), 500):
        hub.transport.publish(hub.topology.inbound_exchange, messages[start : start + 500])
    waiting = sum(hub.transport.queue_depth(q) for q in hub.topology.ingest_queues)
    if waiting != len(messages):
        raise SystemExit(f"published {len(messages)} receptions but {waiting} wait to be ingested")


def start_workers(settings: Settings, count: int, log: Path) -> list[subprocess.Popen[bytes]]:
    environment = {
        **os.environ,
        "GATEHOUSE_DATABASE_URL": settings.store_url,
        "GATEHOUSE_BROKER_URL": settings.broker_url or "",
        "GATEHOUSE_NAMESPACE": settings.namespace,
        "GATEHOUSE_INGEST_PARTITIONS": str(settings.ingest_partitions),
    }
    command = [sys.executable, "-m", "gatehouse", "worker", "--role", "ingest"]
    with log.open("ab") as output:
        return [
            subprocess.Popen(command, env=environment, stdout=output, stderr=subprocess.STDOUT)
            for _ in range(count)
        ]


# Applied (an inbox row), or held for a person to decide whether it is someone on record.
_SETTLED = sa.select(
    sa.select(sa.func.count()).select_from(inbox).scalar_subquery()
    + sa.select(sa.func.count()).select_from(identity_case).scalar_subquery()
)


def watch(hub: Hub, total: int) -> tuple[float, float]:
    """Poll until every message is applied, held or refused; the rate between 10 % and
    90 %, and when the last was settled. Gives up after 120 s without progress."""
    low, high = int(total * 0.1), int(total * 0.9)
    marks: dict[int, tuple[float, int]] = {}
    last, last_change = -1, time.monotonic()
    while True:
        with hub.engine.connect() as connection:
            applied = connection.execute(_SETTLED).scalar_one()
        # A reception the hub refuses waits in the dead-letter queue (no keeper runs here).
        applied += hub.transport.queue_depth(hub.topology.dead_letter_queue)
        now = time.monotonic()
        for mark in (low, high):
            if applied >= mark and mark not in marks:
                marks[mark] = (now, applied)
        if applied >= total:
            (t1, c1), (t2, c2) = marks[low], marks[high]
            return (c2 - c1) / max(t2 - t1, 1e-3), now
        if applied != last:
            last, last_change = applied, now
        elif now - last_change > 120:
            depths = {q: hub.transport.queue_depth(q) for q in hub.topology.all_queue_names}
            raise SystemExit(
                f"ingest made no progress for 120 s at {applied} of {total};"
                f" queues: { {q: d for q, d in depths.items() if d} }"
            )
        time.sleep(0.25)


def delete_queues(hub: Hub) -> None:
    """The run's queues and exchanges, the AMQP partners' too (the ingest workers declare
    those for the partners' listeners)."""
    partners = partner_topology(amqp_partners(hub.registry), namespace=hub.settings.namespace)
    connection = pika.BlockingConnection(pika.URLParameters(hub.settings.broker_url or ""))
    try:
        channel = connection.channel()
        for topology in (hub.topology, partners):
            for queue in topology.all_queue_names:
                channel.queue_delete(queue)
            for exchange in topology.exchanges:
                channel.exchange_delete(exchange.name)
    finally:
        connection.close()


def print_ingest_scale_out(result: ScaleOut) -> None:
    def line(d: Drain) -> str:
        return (
            f"{d.rate:7.0f} receptions/s   ({d.seconds:5.1f} s in all; load average"
            f" {d.load[0]:.2f} before, {d.load[1]:.2f} after)"
        )

    print(f"Ingest alone, {result.messages} receptions waiting, delivery off:")
    print(f"    1 partition,  1 worker:   {line(result.one)}")
    print(f"    2 partitions, 2 workers:  {line(result.two)}")
    print(
        f"    scale-out factor {result.factor:.2f} (target >= 1.4) on {os.cpu_count()} CPUs"
        f" ({len(os.sched_getaffinity(0))} usable), shared with PostgreSQL and RabbitMQ"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--rabbitmq-url", default=RABBITMQ_URL)
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    args = parser.parse_args()
    from pipeline import documents  # the same receptions as the pipeline run

    made = documents(args.messages, seed=13)
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"gatehouse-scale-{uuid.uuid4().hex[:6]}.log"
    print_ingest_scale_out(
        measure_ingest_scale_out(args.rabbitmq_url, args.postgres_url, made, log)
    )


if __name__ == "__main__":
    main()
