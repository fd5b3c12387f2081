"""The canteen order-file benchmark: an estate-sized order file from drop to receipt.

    .venv/bin/python bench/canteen_order_file.py [--lines 80000] [--people 20000]

On PostgreSQL and RabbitMQ, with ``--people`` people held at Leeds, each credited:

(a) Baseline, in the same run: plain pika carries the file's line messages through a
    quorum queue (confirms pipelined, consumer acking): what the broker alone costs.
(b) Reading: ``check_order_file`` over the whole file, in memory, lines per second.
(c) Gatehouse: the file dropped in the local drop directory while the ``canteen-files``,
    ``ingest`` and ``relay`` loops run (one process, threads): checked, every line
    published, applied to the store with its inbox row, event and journal hop, and the
    receipt written. Lines per second from the drop to the receipt, and the ratio to (a).

Then a check: the receipt answers every line, and the store holds one outcome per line.
A measurement, not a test: it prints figures and exits non-zero only if a line is missing.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import raw_pika_baseline as raw
from bench_database import fresh_database
from pipeline import delete_topology

from adapters.prison_shops import check_order_file, line_document, read_order_file, read_receipt
from adapters.prison_shops.order_file import OrderLine
from core_records.canteen.account import CREDIT, RecordCanteenTransaction
from core_records.commands import InboundMessage, PersonName, PersonParticulars, RecordReception
from core_records.identifiers import NOMS, Identifier
from gatehouse.bootstrap import build_hub
from gatehouse.settings import Settings
from gatehouse.worker_loops import build_loops
from routing.worker import WorkerRunner

RABBITMQ_URL = os.environ.get(
    "GATEHOUSE_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/%2F"
)
POSTGRES_URL = os.environ.get(
    "GATEHOUSE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
START = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def prison_number(n: int) -> str:
    """A distinct prison number for each n below 5,760,000."""
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    return f"B{n % 10000:04d}{letters[n // 10000 % 24]}{letters[n // 240000 % 24]}"


def order_file(lines: int, people: int) -> bytes:
    """An order file for Leeds: spends of 100p to 300p and the odd refund, round-robin."""
    out = io.StringIO()
    out.write(f"HDR,GHCANTORD,1,LEI-BENCH,LEI,{START.isoformat()}\n")
    for n in range(lines):
        kind, pence = ("REFND", 50) if n % 10 == 9 else ("CANT", 100 + n % 3 * 100)
        at = (START + timedelta(seconds=n % 3600)).isoformat()
        out.write(f"TXN,BENCH-{n:07d},{prison_number(n % people)},{kind},{pence},{at}\n")
    out.write(f"TRL,{lines}\n")
    return out.getvalue().encode()


def _message(command: object) -> InboundMessage:
    return InboundMessage(
        message_id=str(uuid.uuid4()),
        correlation_id=str(uuid.uuid4()),
        adapter="bench",
        message_type="setup",
        partner=None,
        received_at=START,
        commands=(command,),  # type: ignore[arg-type]
    )


def receive_people(hub, people: int) -> None:  # type: ignore[no-untyped-def]
    batch: list[InboundMessage] = []
    for n in range(people):
        number = prison_number(n)
        person = PersonParticulars(
            (Identifier(NOMS, number),), PersonName("BENCH", f"PERSON {n}"), START.date(), "M"
        )
        batch.append(_message(RecordReception(person, "LEI", "N", START - timedelta(days=1))))
        batch.append(
            _message(
                RecordCanteenTransaction(
                    (Identifier(NOMS, number),), CREDIT, 100_000, f"BENCH-CASH-{n}", START
                )
            )
        )
        if len(batch) >= 1000:
            _apply(hub, batch)
            batch = []
    _apply(hub, batch)


def _apply(hub, batch: list[InboundMessage]) -> None:  # type: ignore[no-untyped-def]
    if batch:
        outcomes = hub.store.apply(batch)
        assert all(o.status == "applied" for o in outcomes), [o.error for o in outcomes][:3]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=80_000)
    parser.add_argument("--people", type=int, default=20_000)
    args = parser.parse_args()
    data = order_file(args.lines, args.people)
    print(f"order file: {args.lines} lines, {len(data) / 1e6:.1f} MB", flush=True)

    started = time.perf_counter()
    summary = check_order_file(io.BytesIO(data))
    read_s = time.perf_counter() - started
    reader = read_order_file(io.BytesIO(data))
    bodies = [
        line_document(summary.sha256, reader.header, line)
        for line in reader
        if isinstance(line, OrderLine)
    ]

    queue = f"bench-raw-{uuid.uuid4().hex[:8]}"
    raw.declare_quorum_queue(RABBITMQ_URL, queue)
    try:
        print("(a) raw pika baseline ...", flush=True)
        baseline_s = raw.pipelined_round_trip(RABBITMQ_URL, queue, bodies)
    finally:
        raw.delete_queue(RABBITMQ_URL, queue)

    with fresh_database(POSTGRES_URL) as database_url:
        drop = Path(os.environ.get("TMPDIR", "/tmp")) / f"gatehouse-drop-{uuid.uuid4().hex[:6]}"
        settings = Settings(
            database_url=database_url,
            broker_url=RABBITMQ_URL,
            namespace=f"bench{uuid.uuid4().hex[:6]}",
            canteen_drop_dir=drop,
        )
        hub = build_hub(settings)
        try:
            print(f"receiving and crediting {args.people} people ...", flush=True)
            receive_people(hub, args.people)
            print("(c) Gatehouse, drop to receipt ...", flush=True)
            stop = threading.Event()
            runner = threading.Thread(
                target=WorkerRunner(
                    build_loops(hub, ["ingest", "relay", "canteen-files"]), idle_sleep_s=0.05
                ).run,
                args=(stop,),
            )
            runner.start()
            started = time.perf_counter()
            (drop / "incoming" / "bench.partial").write_bytes(data)
            (drop / "incoming" / "bench.partial").rename(drop / "incoming" / "bench.csv")
            receipts = drop / "receipts"
            while not list(receipts.glob("*.receipt.csv")):
                time.sleep(0.2)
            gatehouse_s = time.perf_counter() - started
            stop.set()
            runner.join()
            [receipt_path] = list(receipts.glob("*.receipt.csv"))
            with receipt_path.open("rb") as stream:
                receipt = read_receipt(stream)
        finally:
            delete_topology(hub)
            hub.close()

    lines = args.lines
    print()
    print(f"(a) raw pika, confirms + acks      {lines / baseline_s:>9,.0f} lines/s")
    print(f"(b) reading the file               {lines / read_s:>9,.0f} lines/s")
    print(
        f"(c) Gatehouse, drop to receipt     {lines / gatehouse_s:>9,.0f} lines/s "
        f"({gatehouse_s:.1f} s), ratio to (a) {baseline_s / gatehouse_s:.2f}"
    )
    answered, accepted, refused = receipt.counts
    print(f"receipt: {answered} lines answered, {accepted} accepted, {refused} refused")
    if answered != lines or len(receipt.entries) != lines:
        print(f"LOSS: {lines - len(receipt.entries)} lines unanswered", file=sys.stderr)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
