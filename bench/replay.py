"""The replay benchmark: an interface's window replayed against its live delivery, in one run.

    .venv/bin/python bench/replay.py [--messages 5000] [--rabbitmq-url ...] [--postgres-url ...]
                                     [--no-mi] [--mi-rows 1000000]

On PostgreSQL and RabbitMQ, with the simulated Delius in a process of its own (a real HTTP
receiver, not checking schemas, as in ``pipeline.py``):

(a) Live: N private-prison receptions are published to the inbound exchange while a worker
    process (``gatehouse worker --role ingest --role relay --role delivery``) runs; each
    becomes a ``prisoner.received`` delivered to Delius. Throughput is N over the time from
    the first publish to the last document Delius received; the delivery stage alone is also
    shown (N over the span of the journal's ``delivered`` hops).
(b) Replay: the same window replayed to Delius (``gatehouse messages replay --since --until``
    does the same), re-rendered under today's policy, one person's documents in their order,
    each marked ``X-Gatehouse-Replay``, with the rate limit lifted to measure what a replay
    can do; the service's default limit (``GATEHOUSE_REPLAY_RATE_PER_S``) is what bounds a
    replay in production, so that it does not starve live traffic. Printed as a ratio to (a).
(c) The business page's figures on 1,000,000 journal rows against a plain indexed count,
    from ``bench/business_mi.py`` (``mi_figures()``), unless ``--no-mi``.

A measurement, not a test: it prints figures, and exits non-zero only if the replay did not
send exactly the window's documents.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pika
import sqlalchemy as sa
from bench_database import fresh_database
from partner_receivers import Receiver, receivers_for
from pipeline import (
    POSTGRES_URL,
    RABBITMQ_URL,
    delete_topology,
    documents,
    inbound,
)

from core_records import tables
from core_records.bookkeeping.replays import RERENDER, ReplayWindow
from gatehouse.bootstrap import Hub, build_hub
from gatehouse.replays import replay_runner
from gatehouse.settings import Settings
from routing.messages import Message

# (c) The business page's timing, where its benchmark is there to run.
mi_figures: Callable[..., list[str]] | None
try:
    from business_mi import mi_figures
except ImportError:
    mi_figures = None


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=5_000)
    parser.add_argument("--rabbitmq-url", default=RABBITMQ_URL)
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--no-mi", action="store_true", help="skip (c), the MI page's timing")
    parser.add_argument("--mi-rows", type=int, default=1_000_000)
    args = parser.parse_args()
    n = args.messages

    print(f"generating {n} receptions ...", flush=True)
    messages = inbound(documents(n, seed=14))
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"gatehouse-replay-{uuid.uuid4().hex[:6]}.log"
    namespace = f"benchreplay{uuid.uuid4().hex[:6]}"
    lines: list[str] = []
    with fresh_database(args.postgres_url) as database_url, delius_receiver(log) as delius:
        settings = Settings(
            database_url=database_url,
            broker_url=args.rabbitmq_url,
            namespace=namespace,
            partner_urls={"delius": delius.url},
        )
        hub = build_hub(settings)
        try:
            print("(a) live delivery ...", flush=True)
            since = datetime.now(UTC)
            live_s = run_live(hub, delius, messages, log)
            wait_for(lambda: delivered_hops(hub) >= n, "the deliveries journalled")
            until = datetime.now(UTC)
            stage_s = delivery_span_s(hub)
            print("(b) replay of the same window ...", flush=True)
            replay_s, sent = run_replay(hub, delius, ReplayWindow("delius", since, until), n)
        finally:
            delete_topology(hub)
            hub.close()
    live_rate, replay_rate = n / live_s, n / replay_s
    lines += [
        ("documents", f"{n}"),
        ("(a) live, publish to Delius", f"{live_rate:8.0f} docs/s"),
        ("    delivery stage alone", f"{n / stage_s:8.0f} docs/s"),
        (
            "(b) replay, rate limit lifted",
            f"{replay_rate:8.0f} docs/s   ratio {replay_rate / live_rate:.2f} to (a)",
        ),
        ("    sent again", f"{sent:8d} of {n}"),
        (
            "    default limit",
            f"{settings.replay_rate_per_s:8.0f} docs/s"
            f" ({n} documents would take {n / settings.replay_rate_per_s / 60:.1f} min at it)",
        ),
        ("    worker log", str(log)),
    ]
    print()
    for label, value in lines:
        print(f"{label:<32}{value}")
    # (c) The MI page's time on 1,000,000 journal rows, against a plain indexed count.
    if mi_figures is not None and not args.no_mi:
        print(f"(c) business figures on {args.mi_rows} journal rows ...", flush=True)
        for line in mi_figures(args.mi_rows, postgres_url=args.postgres_url):
            print(line)
    if sent != n:
        raise SystemExit(1)


@contextmanager
def delius_receiver(log: Path) -> Iterator[Receiver]:
    """The simulated Delius alone, in a process of its own, until the block ends."""
    receiver = next(r for r in receivers_for([]) if r.partner == "delius")
    command = [sys.executable, "-m", receiver.module, *receiver.arguments]
    with log.open("ab") as output:
        process = subprocess.Popen(
            [*command, "--port", str(receiver.port)], stdout=output, stderr=subprocess.STDOUT
        )
    try:
        wait_for(lambda: answering(receiver), "the simulated Delius to start", timeout_s=30)
        yield receiver
    finally:
        process.terminate()
        process.wait(timeout=30)


def answering(receiver: Receiver) -> bool:
    try:
        receiver.counts()
    except httpx.HTTPError:
        return False
    return True


def run_live(hub: Hub, delius: Receiver, messages: list[Message], log: Path) -> float:
    """Publish ``messages`` while a worker process runs; seconds until Delius has them all."""
    environment = {
        **os.environ,
        "GATEHOUSE_DATABASE_URL": hub.settings.store_url,
        "GATEHOUSE_BROKER_URL": hub.settings.broker_url or "",
        "GATEHOUSE_NAMESPACE": hub.settings.namespace,
        "GATEHOUSE_PARTNER_URLS__DELIUS": delius.url,
    }
    roles = ["--role", "ingest", "--role", "relay", "--role", "delivery"]
    with log.open("ab") as output:
        worker = subprocess.Popen(
            [sys.executable, "-m", "gatehouse", "worker", *roles],
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(lambda: consumers(hub) > 0, "the worker consuming")
        started = time.monotonic()
        for index in range(0, len(messages), 500):
            hub.transport.publish(hub.topology.inbound_exchange, messages[index : index + 500])
        wait_for(lambda: delius.counts()[0] >= len(messages), "Delius receiving every document")
        return time.monotonic() - started
    finally:
        worker.terminate()
        worker.wait(timeout=60)


def run_replay(hub: Hub, delius: Receiver, window: ReplayWindow, n: int) -> tuple[float, int]:
    """Replay ``window`` as ``gatehouse messages replay`` would; seconds, and documents sent."""
    runner = replay_runner(hub)
    before = delius.counts()[0]
    try:
        started = time.monotonic()
        run = runner.runs.start(
            window, mode=RERENDER, reason="benchmark", actor="bench", rate_per_s=1_000_000,
            owner=runner.owner,
        )  # fmt: skip
        done = runner.run_to_end(run.id)
        wait_for(lambda: delius.counts()[0] >= before + done.sent, "Delius receiving the replay")
        return time.monotonic() - started, done.sent
    finally:
        runner.close()


def consumers(hub: Hub) -> int:
    """Consumers on Delius's outbound queue (the worker is up once it has one)."""
    connection = pika.BlockingConnection(pika.URLParameters(hub.settings.broker_url or ""))
    try:
        queue = hub.topology.outbound_queue("delius")
        return int(connection.channel().queue_declare(queue, passive=True).method.consumer_count)
    finally:
        connection.close()


def delivered_hops(hub: Hub) -> int:
    j = tables.journal.c
    with hub.engine.connect() as connection:
        query = sa.select(sa.func.count()).where(j.adapter == "delius", j.hop == "delivered")
        return int(connection.execute(query).scalar_one())


def delivery_span_s(hub: Hub) -> float:
    """Seconds from the first live delivery to Delius to the last, as the journal has them."""
    j = tables.journal.c
    with hub.engine.connect() as connection:
        first, last = connection.execute(
            sa.select(sa.func.min(j.at), sa.func.max(j.at)).where(
                j.adapter == "delius", j.hop == "delivered"
            )
        ).one()
    return max((last - first).total_seconds(), 1e-3)


def wait_for(condition: Callable[[], bool], what: str, timeout_s: float = 600.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up waiting for {what} after {timeout_s:.0f} s")
        time.sleep(0.2)


if __name__ == "__main__":
    try:
        main()
    except httpx.HTTPError as error:
        raise SystemExit(f"a receiver stopped answering: {error}") from error
