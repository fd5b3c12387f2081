"""The pipeline benchmark: Gatehouse end to end against raw RabbitMQ, in one run.

    .venv/bin/python bench/pipeline.py [--messages 20000] [--rabbitmq-url ...] [--postgres-url ...]

(a) Baseline: plain pika publishes the same N documents, persistent, with confirms
    pipelined, to a quorum queue, while a second connection consumes and acks them.
(b) Gatehouse: N private-prison receptions published to the inbound exchange while the
    workers run (``gatehouse worker --role ingest`` and ``--role relay --role delivery
    --role dead-letters``, two processes) on PostgreSQL and RabbitMQ: parsed, validated,
    translated, applied to the store with inbox, outbox and journal, relayed, fanned out
    and delivered over HTTP to a simulated Delius (a third process, not checking documents
    against its schema: real Delius does that work on its own machines). Throughput is N
    over the time from the first publish to the last delivery.
(c) Latency: a second, paced run at half the measured throughput, so that the figures are
    the hub's own latency rather than the length of a backlog: p50 and p99 from publish to
    the receiver's answer, as the journal records it.

Then a loss check (every message applied once, every event delivered) and the workers'
peak resident memory. A measurement, not a test: it prints figures and exits non-zero only
if something was lost.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psutil
import raw_pika_baseline as raw
import sqlalchemy as sa

from adapters.private_prisons.simulator import OperatorSimulator
from adapters.transports.inbound_http import Submission
from core_records import tables
from core_records.migrate import upgrade
from gatehouse.bootstrap import Hub, build_hub
from gatehouse.settings import Settings
from routing.inbound import inbound_message
from routing.messages import Message

RABBITMQ_URL = os.environ.get(
    "GATEHOUSE_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/%2F"
)
POSTGRES_URL = os.environ.get(
    "GATEHOUSE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
OPERATORS = {
    "serco": ["ASI", "DGI", "DNI", "LGI", "TSI"],
    "sodexo": ["BZI", "FBI", "NLI", "PBI", "PFI"],
    "g4s": ["ACI", "FWI", "OWI", "PRI", "RHI"],
}


@dataclass
class Run:
    seconds: float
    delivered: int
    latencies_ms: list[float]
    peak_rss_mb: float
    cpu_seconds: dict[str, float]
    """CPU seconds each group of processes used during the run."""


def documents(count: int, seed: int) -> list[tuple[str, bytes]]:
    """``count`` receptions of new people, spread over the three operators."""
    simulators = [
        (name, OperatorSimulator(name, prisons, seed=seed + i))
        for i, (name, prisons) in enumerate(OPERATORS.items())
    ]
    made = []
    for index in range(count):
        operator, simulator = simulators[index % len(simulators)]
        made.append((operator, simulator.reception(simulator.person(known_to_prisons=False))))
    return made


def inbound(made: list[tuple[str, bytes]]) -> list[Message]:
    now = datetime.now(UTC)
    return [
        inbound_message(Submission("private_prisons", "reception", operator, body, now, None))
        for operator, body in made
    ]


@contextmanager
def fresh_database(admin_url: str) -> Iterator[str]:
    name = f"gh_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    try:
        upgrade(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def simulated_delius() -> Iterator[str]:
    """A simulated Delius in its own process; yields its custody-status URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "adapters.delius.simulator", "--port", str(port), "--no-validate"]
    )
    url = f"http://127.0.0.1:{port}/custody-status"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{url}/received", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise SystemExit("the simulated Delius did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def received_by_delius(url: str) -> list[str]:
    return httpx.get(f"{url}/received", timeout=60).json()["eventIds"]  # type: ignore[no-any-return]


def delivered(hub: Hub) -> list[tuple[str, datetime]]:
    """(correlation id, time) of every delivery the journal records."""
    query = sa.select(tables.journal.c.correlation_id, tables.journal.c.at).where(
        tables.journal.c.hop == "delivered"
    )
    with hub.engine.connect() as connection:
        return [(row.correlation_id, row.at) for row in connection.execute(query)]


def delivered_count(hub: Hub) -> int:
    query = sa.select(sa.func.count()).where(tables.journal.c.hop == "delivered")
    with hub.engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


@contextmanager
def workers(settings: Settings, log: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    environment = {
        **os.environ,
        "GATEHOUSE_DATABASE_URL": settings.store_url,
        "GATEHOUSE_BROKER_URL": settings.broker_url or "",
        "GATEHOUSE_NAMESPACE": settings.namespace,
        "GATEHOUSE_PARTNER_URLS__DELIUS": settings.partner_urls["delius"],
    }
    command = [sys.executable, "-m", "gatehouse.cli", "worker"]
    with log.open("ab") as output:
        processes = [
            subprocess.Popen(
                [*command, "--role", "ingest"],
                env=environment,
                stdout=output,
                stderr=subprocess.STDOUT,
            ),
            subprocess.Popen(
                [*command, "--role", "relay", "--role", "delivery", "--role", "dead-letters"],
                env=environment,
                stdout=output,
                stderr=subprocess.STDOUT,
            ),
        ]
    try:
        yield processes
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=60)


PROCESS_GROUPS = {
    "ingest worker": "--role ingest",
    "relay+delivery worker": "--role relay",
    "PostgreSQL": "postgres",
    "RabbitMQ": "beam.smp",
    "simulated Delius": "adapters.delius.simulator",
}


def process_cpu_seconds() -> float:
    times = psutil.Process().cpu_times()
    return times.user + times.system


def cpu_seconds_by_group() -> dict[str, float]:
    """User and system CPU seconds so far of every process in each group."""
    totals = dict.fromkeys(PROCESS_GROUPS, 0.0)
    for process in psutil.process_iter(["cmdline"]):
        command = " ".join(process.info["cmdline"] or [])
        for group, marker in PROCESS_GROUPS.items():
            if marker in command:
                try:
                    times = process.cpu_times()
                except psutil.NoSuchProcess:
                    break
                totals[group] += times.user + times.system
                break
    return totals


class ResourceMonitor:
    """Samples the workers' resident memory every 100 ms (keeping the peak of their sum),
    and the CPU time of the workers, the database, the broker and the receiver."""

    def __init__(self, processes: list[subprocess.Popen[bytes]]) -> None:
        self._processes = [psutil.Process(p.pid) for p in processes]
        self.peak_bytes = 0
        self._cpu_first: dict[str, float] = {}
        self._cpu_last: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        self._cpu_first = cpu_seconds_by_group()
        while not self._stop.wait(0.1):
            try:
                total = sum(p.memory_info().rss for p in self._processes)
            except psutil.NoSuchProcess:
                return
            self.peak_bytes = max(self.peak_bytes, total)
        self._cpu_last = cpu_seconds_by_group()

    def stop(self) -> tuple[float, dict[str, float]]:
        """Peak RSS in MB, and CPU seconds used by each group while monitored."""
        self._stop.set()
        self._thread.join()
        cpu = {g: self._cpu_last.get(g, 0.0) - self._cpu_first.get(g, 0.0) for g in PROCESS_GROUPS}
        return self.peak_bytes / 2**20, cpu


def run_gatehouse(hub: Hub, messages: list[Message], rate: float | None, log: Path) -> Run:
    """Publish ``messages`` (as fast as confirms allow, or at ``rate`` a second) while the
    workers run; wait until the journal shows every delivery."""
    already = delivered_count(hub)
    published_at: dict[str, float] = {}
    with workers(hub.settings, log) as processes:
        time.sleep(2.0)  # let both workers connect and declare before the clock starts
        monitor = ResourceMonitor(processes)
        started = time.monotonic()
        batch = 500 if rate is None else max(1, int(rate / 20))
        for index in range(0, len(messages), batch):
            chunk = messages[index : index + batch]
            now = time.time()  # wall clock: the journal stamps deliveries with it too
            hub.transport.publish(hub.topology.inbound_exchange, chunk)
            for message in chunk:
                published_at[message.message_id] = now
            if rate is not None:
                pause = started + (index + len(chunk)) / rate - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
        dead_before = hub.dead_letters.count("waiting")
        last, last_progress = already, time.monotonic()
        while True:
            done = delivered_count(hub)
            dead = hub.dead_letters.count("waiting") - dead_before
            if done - already + dead >= len(messages):
                break
            if done != last:
                last, last_progress = done, time.monotonic()
            elif time.monotonic() - last_progress > 60:
                raise SystemExit(
                    f"no delivery for 60 s: {done - already} of {len(messages)} delivered, "
                    f"{dead} dead-lettered"
                )
            time.sleep(0.5)  # each poll counts the journal: often enough, and no more
        finished = time.monotonic()
        peak, cpu = monitor.stop()
    latencies = [
        (at.timestamp() - published_at[correlation_id]) * 1000
        for correlation_id, at in delivered(hub)
        if correlation_id in published_at
    ]
    return Run(finished - started, done - already, latencies, peak, cpu)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--rabbitmq-url", default=RABBITMQ_URL)
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    args = parser.parse_args()
    n = args.messages

    paced_count = max(200, n // 10)
    print(f"generating {n + paced_count} receptions ...", flush=True)
    everyone = documents(n + paced_count, seed=11)
    made, paced_made = everyone[:n], everyone[n:]
    bodies = [body for _, body in made]

    queue = f"bench-raw-{uuid.uuid4().hex[:8]}"
    raw.declare_quorum_queue(args.rabbitmq_url, queue)
    try:
        print("(a) raw pika baseline ...", flush=True)
        before = cpu_seconds_by_group()["RabbitMQ"] + process_cpu_seconds()
        baseline_s = raw.pipelined_round_trip(args.rabbitmq_url, queue, bodies)
        baseline_cpu = cpu_seconds_by_group()["RabbitMQ"] + process_cpu_seconds() - before
    finally:
        raw.delete_queue(args.rabbitmq_url, queue)
    baseline_rate = n / baseline_s

    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"gatehouse-bench-{uuid.uuid4().hex[:6]}.log"
    with fresh_database(args.postgres_url) as database_url, simulated_delius() as delius_url:
        settings = Settings(
            database_url=database_url,
            broker_url=args.rabbitmq_url,
            namespace=f"bench{uuid.uuid4().hex[:6]}",
            partner_urls={"delius": delius_url},
        )
        hub = build_hub(settings)
        try:
            print("(b) Gatehouse end to end ...", flush=True)
            throughput = run_gatehouse(hub, inbound(made), None, log)
            rate = n / throughput.seconds
            print(f"(c) latency at {rate / 2:.0f} msg/s ({paced_count} messages) ...", flush=True)
            paced = run_gatehouse(hub, inbound(paced_made), rate / 2, log)
            loss = check_losses(hub, received_by_delius(delius_url), n + paced_count)
        finally:
            delete_topology(hub)
            hub.close()

    report(n, baseline_rate, baseline_cpu, rate, throughput, paced, loss, log)
    if loss:
        raise SystemExit(1)


def check_losses(hub: Hub, received: list[str], expected: int) -> list[str]:
    problems = []
    with hub.engine.connect() as connection:

        def count(table: sa.Table) -> int:
            return int(
                connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            )

        applied, movements, events = (
            count(tables.inbox),
            count(tables.movement),
            count(tables.outbox),
        )
        event_ids = set(connection.execute(sa.select(tables.outbox.c.event_id)).scalars())
    delivered = set(received)
    dead_letters = hub.dead_letters.list(limit=5)
    if dead_letters:
        reasons = "; ".join(d.reason for d in dead_letters)
        problems.append(f"{hub.dead_letters.count('waiting')} dead letters ({reasons})")
    if applied != expected:
        problems.append(f"{applied} messages applied, expected {expected}")
    if movements != expected:
        problems.append(f"{movements} movements recorded, expected {expected} (applied twice?)")
    if event_ids != delivered:
        problems.append(f"{len(event_ids - delivered)} events not delivered")
    if events != expected:
        problems.append(f"{events} events, expected {expected}")
    return problems


def delete_topology(hub: Hub) -> None:
    import pika

    connection = pika.BlockingConnection(pika.URLParameters(hub.settings.broker_url or ""))
    channel = connection.channel()
    for queue in hub.topology.all_queue_names:
        channel.queue_delete(queue)
    for exchange in hub.topology.exchanges:
        channel.exchange_delete(exchange.name)
    connection.close()


def report(
    n: int,
    baseline_rate: float,
    baseline_cpu: float,
    rate: float,
    throughput: Run,
    paced: Run,
    loss: list[str],
    log: Path,
) -> None:
    def latency(run: Run) -> str:
        p50 = statistics.median(run.latencies_ms)
        return f"p50 {p50:7.0f} ms   p99 {percentile(run.latencies_ms, 0.99):7.0f} ms"

    peak = max(throughput.peak_rss_mb, paced.peak_rss_mb)
    rows = [
        ("messages", f"{n}"),
        ("(a) raw pika, confirms + acks", f"{baseline_rate:8.0f} msg/s"),
        (
            "(b) Gatehouse end to end",
            f"{rate:8.0f} msg/s   ratio {rate / baseline_rate:.2f} (target >= 0.20)",
        ),
        ("    latency under full load", latency(throughput)),
        (f"(c) latency at {rate / 2:.0f} msg/s", latency(paced)),
        ("    workers' peak RSS", f"{peak:8.0f} MB (two processes)"),
        ("    loss check", "nothing lost, each applied once" if not loss else "; ".join(loss)),
        ("    worker log", str(log)),
    ]
    print()
    for label, value in rows:
        print(f"{label:<32}{value}")
    print(f"CPU per message during (b), over {os.cpu_count()} cores:")
    for group, seconds in throughput.cpu_seconds.items():
        print(f"    {group:<28}{seconds / n * 1e6:8.0f} µs")
    total = sum(throughput.cpu_seconds.values())
    print(f"    {'all of the above':<28}{total / n * 1e6:8.0f} µs")
    print(f"    {'(a) raw pika and RabbitMQ':<28}{baseline_cpu / n * 1e6:8.0f} µs")


if __name__ == "__main__":
    main()
