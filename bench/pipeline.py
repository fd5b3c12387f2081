"""The pipeline benchmark: Gatehouse end to end against raw RabbitMQ, in one run.

    .venv/bin/python bench/pipeline.py [--messages 20000] [--rabbitmq-url ...] [--postgres-url ...]

(a) Baseline: plain pika publishes the same N documents, persistent, with confirms
    pipelined, to a quorum queue, while a second connection consumes and acks them.
(b) Gatehouse: N private-prison receptions published to the inbound exchange while the
    workers run (``gatehouse worker --role ingest`` and ``--role relay --role delivery
    --role dead-letters``, two processes) on PostgreSQL and RabbitMQ: parsed, validated,
    translated, applied to the store with inbox, outbox and journal, relayed, and fanned
    out to every partner subscribed to ``prisoner.received``, each simulated in a process
    of its own (``partner_receivers.py``): over HTTP to Delius, OASys and the operator
    whose prison it is (serco, sodexo or g4s), none of them checking documents against
    their schemas (real partners do that on their own machines); over AMQP to PNC, which
    answers the lookup request sent for each person received without a PNC id, and to the
    security application, which flags every fifth arrival. Their answers come back over
    AMQP and the hub ingests them too. Throughput is N over the time from the first publish
    to the last delivery, where the last delivery is the moment every partner holds every
    document it is owed and the hub has applied every answer: five deliveries a reception,
    and answers for about a third of them, counted per partner in the report.
(c) Latency: a second, paced run at half the measured throughput, so that the figures are
    the hub's own latency rather than the length of a backlog: p50 and p99 from publish to
    the last partner's delivery of that reception, as the journal records it (for an HTTP
    partner its answer, for an AMQP partner the broker's confirm on its queue).

(d) Ingest scale-out (``ingest_scale_out.py``): up to 10,000 of the receptions wait in the
    ingest queues, then one worker drains one partition, and two workers two; delivery off.

Then a loss check (``fan_out.py``): every reception and every answer applied once (or, for
a reception that may be someone on record, held for identity review), nothing
dead-lettered, every event each adapter subscribes to delivered or filtered by its policy,
and each receiver's own list of event ids the same, one for one, as the journal's
``delivered`` hops for that partner; and the workers' peak resident memory. A measurement,
not a test: it prints figures and exits non-zero only if something was lost.
"""

from __future__ import annotations

import argparse
import os
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

import pika
import psutil
import raw_pika_baseline as raw
from bench_database import fresh_database
from cpu_figures import (
    LoadAverages,
    Snapshot,
    backends_of,
    cpu_lines,
    listening_pid,
    p99_line,
    snapshot,
    used_between,
)
from fan_out import Losses, Progress, check_losses, last_deliveries, progress
from ingest_scale_out import measure_ingest_scale_out, print_ingest_scale_out
from partner_receivers import Receiver, running_receivers

from adapters.private_prisons.simulator import OperatorSimulator
from gatehouse.bootstrap import Hub, amqp_partners, build_hub
from gatehouse.settings import Settings
from routing.inbound import Submission, inbound_message
from routing.messages import Message
from routing.topology import partner_inbound_queue_name, partner_topology

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
    latencies_ms: list[float]
    peak_rss_mb: float
    cpu_seconds: dict[str, float]
    """CPU seconds each group of processes used during the run."""
    deliveries: dict[str, int]
    """Documents each partner received during the run, by partner."""
    answers: dict[str, int]
    """Answers each AMQP partner sent back during the run, by partner."""


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
def workers(settings: Settings, log: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    environment = {
        **os.environ,
        "GATEHOUSE_DATABASE_URL": settings.store_url,
        "GATEHOUSE_BROKER_URL": settings.broker_url or "",
        "GATEHOUSE_NAMESPACE": settings.namespace,
        **{
            f"GATEHOUSE_PARTNER_URLS__{partner.upper()}": url
            for partner, url in settings.partner_urls.items()
        },
    }
    command = [sys.executable, "-m", "gatehouse", "worker"]
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
    "PostgreSQL": "postgres",  # narrowed to the run's own database in main()
    "RabbitMQ": "beam.smp",
    "simulated Delius": "adapters.delius.simulator",
    "simulated OASys": "adapters.oasys.simulator",
    "simulated operators (3)": "adapters.private_prisons.notice_receiver",
    "simulated PNC": "amqp_partners pnc",
    "simulated security app": "amqp_partners security",
}
ONLY_PIDS: dict[str, int | None] = {}
"""A group counted by one process alone: RabbitMQ by the broker the benchmark uses (main)."""


def process_cpu_seconds() -> float:
    times = psutil.Process().cpu_times()
    return times.user + times.system


def cpu_seconds_by_group() -> dict[str, float]:
    """User and system CPU seconds so far of every process in each group."""
    totals = dict.fromkeys(PROCESS_GROUPS, 0.0)
    for group, seconds in snapshot(PROCESS_GROUPS, ONLY_PIDS).values():
        totals[group] += seconds
    return totals


class ResourceMonitor:
    """Samples the workers' resident memory every 100 ms (keeping the peak of their sum),
    and the CPU time of the workers, the database, the broker and the receivers."""

    def __init__(self, processes: list[subprocess.Popen[bytes]]) -> None:
        self._processes = [psutil.Process(p.pid) for p in processes]
        self.peak_bytes = 0
        self._cpu_first: Snapshot = {}
        self._cpu_last: Snapshot = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        self._cpu_first = snapshot(PROCESS_GROUPS, ONLY_PIDS)
        while not self._stop.wait(0.1):
            try:
                total = sum(p.memory_info().rss for p in self._processes)
            except psutil.NoSuchProcess:
                return
            self.peak_bytes = max(self.peak_bytes, total)
        self._cpu_last = snapshot(PROCESS_GROUPS, ONLY_PIDS)

    def stop(self) -> tuple[float, dict[str, float]]:
        """Peak RSS in MB, and CPU seconds used by each group while monitored."""
        self._stop.set()
        self._thread.join()
        return self.peak_bytes / 2**20, used_between(
            self._cpu_first, self._cpu_last, PROCESS_GROUPS
        )


def run_gatehouse(
    hub: Hub, receivers: list[Receiver], messages: list[Message], rate: float | None, log: Path
) -> Run:
    """Publish ``messages`` (as fast as confirms allow, or at ``rate`` a second) while the
    workers run; wait until every partner holds every document it is owed and every
    answer is applied (``fan_out``)."""
    before = progress(hub, receivers)
    published_at: dict[str, float] = {}
    with workers(hub.settings, log) as processes:
        wait_until_consuming(hub)
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
        now_at = wait_until_delivered(hub, receivers, before, len(messages))
        finished = time.monotonic()
        peak, cpu = monitor.stop()
    latencies = [
        (at.timestamp() - published_at[correlation_id]) * 1000
        for correlation_id, at in last_deliveries(hub).items()
        if correlation_id in published_at
    ]
    return Run(
        finished - started,
        latencies,
        peak,
        cpu,
        dict(now_at.received - before.received),
        dict(now_at.answered - before.answered),
    )


def wait_until_consuming(hub: Hub, timeout_s: float = 120.0) -> None:
    """Until the workers consume every queue they serve: started, connected and declared,
    so that the clock (and the CPU count) measures the work and not the start-up, however
    long a loaded machine takes to import and connect."""
    namespace = hub.settings.namespace
    queues = [
        hub.topology.ingest_queue,
        hub.topology.dead_letter_queue,
        *(hub.topology.outbound_queue(adapter) for adapter in delivered_adapters(hub)),
        *(partner_inbound_queue_name(a, namespace) for a in amqp_partners(hub.registry)),
    ]
    connection = pika.BlockingConnection(pika.URLParameters(hub.settings.broker_url or ""))
    try:
        channel = connection.channel()
        deadline = time.monotonic() + timeout_s
        while idle := [
            queue
            for queue in queues
            if channel.queue_declare(queue, passive=True).method.consumer_count == 0
        ]:
            if time.monotonic() > deadline:
                raise SystemExit(f"no worker consumed {idle[0]} within {timeout_s:.0f} s")
            time.sleep(0.1)
    finally:
        connection.close()


def delivered_adapters(hub: Hub) -> list[str]:
    """The adapters a delivery worker serves here: over AMQP, or over HTTP to a receiver the
    benchmark started (one with no receiver, such as courts, keeps its queue unconsumed)."""
    urls = hub.settings.partner_urls
    return [
        adapter.name
        for adapter in hub.registry.adapters.values()
        if adapter.subscriptions
        and (
            adapter.delivery == "amqp"
            or adapter.name in urls
            or any(partner in urls for partner in adapter.partners)
        )
    ]


def wait_until_delivered(
    hub: Hub, receivers: list[Receiver], before: Progress, published: int
) -> Progress:
    """Poll until nothing is outstanding but dead letters (which the loss check reports);
    give up after 60 s without progress."""
    last, last_change = -1, time.monotonic()
    while True:
        now = progress(hub, receivers)
        outstanding = now.outstanding(receivers, before, published)
        if outstanding <= now.dead - before.dead:
            return now
        if outstanding != last:
            last, last_change = outstanding, time.monotonic()
        elif time.monotonic() - last_change > 60:
            raise SystemExit(
                f"no progress for 60 s: {outstanding} deliveries or messages outstanding, "
                f"{now.dead - before.dead} dead-lettered; received {dict(now.received)}, "
                f"owed {dict(now.owed)}"
            )
        time.sleep(0.5)  # each poll counts the journal and asks every receiver: no more often


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

    ONLY_PIDS["RabbitMQ"] = listening_pid(pika.URLParameters(args.rabbitmq_url).port)
    loads = LoadAverages()
    loads.take("at the start")
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
    namespace = f"bench{uuid.uuid4().hex[:6]}"
    hub: Hub | None = None
    with fresh_database(args.postgres_url) as database_url:
        # The backends serving this run's database, not other work on the same server.
        PROCESS_GROUPS["PostgreSQL"] = backends_of(database_url)
        try:
            with running_receivers(list(OPERATORS), args.rabbitmq_url, namespace, log) as receivers:
                settings = Settings(
                    database_url=database_url,
                    broker_url=args.rabbitmq_url,
                    namespace=namespace,
                    partner_urls={r.partner: r.url for r in receivers if not r.over_amqp},
                )
                hub = build_hub(settings)
                print("(b) Gatehouse end to end ...", flush=True)
                loads.take("before (b)")
                throughput = run_gatehouse(hub, receivers, inbound(made), None, log)
                loads.take("after (b)")
                rate = n / throughput.seconds
                print(
                    f"(c) latency at {rate / 2:.0f} msg/s ({paced_count} messages) ...", flush=True
                )
                paced = run_gatehouse(hub, receivers, inbound(paced_made), rate / 2, log)
                loads.take("after (c)")
                answers = sum(throughput.answers.values()) + sum(paced.answers.values())
                losses = check_losses(hub, receivers, n + paced_count, answers)
        finally:
            if hub is not None:
                delete_topology(hub)
                hub.close()

    report(n, baseline_rate, baseline_cpu, rate, throughput, paced, losses, log)
    print(f"    {p99_line(percentile(paced.latencies_ms, 0.99))}")
    print(f"Load average (1 min, {os.cpu_count()} cores): {loads.line()}")
    print("(d) ingest scale-out: the queue filled first, then drained ...", flush=True)
    scale_out = made[: min(n, 10_000)]
    print_ingest_scale_out(
        measure_ingest_scale_out(args.rabbitmq_url, args.postgres_url, scale_out, log)
    )
    if losses.problems:
        raise SystemExit(1)


def delete_topology(hub: Hub) -> None:
    partners = partner_topology(amqp_partners(hub.registry), namespace=hub.settings.namespace)
    connection = pika.BlockingConnection(pika.URLParameters(hub.settings.broker_url or ""))
    channel = connection.channel()
    for topology in (hub.topology, partners):
        for queue in topology.all_queue_names:
            channel.queue_delete(queue)
        for exchange in topology.exchanges:
            channel.exchange_delete(exchange.name)
    connection.close()


def report(
    n: int,
    baseline_rate: float,
    baseline_cpu: float,
    rate: float,
    throughput: Run,
    paced: Run,
    losses: Losses,
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
        ("    loss check", "; ".join(losses.problems) or "nothing lost, each applied once"),
        ("    held for identity review", f"{losses.held:8d} receptions, both runs (not lost)"),
        (
            "    refused by the record",
            f"{losses.refused.total():8d} messages, both runs (dead letters with a reason)",
        ),
        ("    worker log", str(log)),
    ]
    print()
    for label, value in rows:
        print(f"{label:<32}{value}")
    for reason, count in losses.refused.most_common(3):
        print(f"{'':<32}{count:8d} x {reason}")
    print("Deliveries per partner during (b), which its figures include:")
    for partner, count in sorted(throughput.deliveries.items(), key=lambda p: -p[1]):
        answers = throughput.answers.get(partner, 0)
        back = f"   {answers:6d} answers back" if answers else ""
        print(f"    {partner:<28}{count:8d}   {count / n:5.2f} per message{back}")
    total = sum(throughput.deliveries.values())
    print(f"    {'all partners':<28}{total:8d}   {total / n:5.2f} per message")
    if losses.filtered:
        withheld = ", ".join(f"{a} {c}" for a, c in sorted(losses.filtered.items()))
        print(f"    filtered by policy, both runs: {withheld}")
    print("\n".join(cpu_lines(throughput.cpu_seconds, n, baseline_cpu)))


if __name__ == "__main__":
    main()
