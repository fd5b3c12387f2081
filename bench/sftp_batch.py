"""The batch file benchmark: the estate's canteen orders in one file, over SFTP, into the store.

    .venv/bin/python bench/sftp_batch.py [--lines 80000] [--partitions 1]

A real OpenSSH server (``/usr/sbin/sshd``, throwaway keys) holds the prison shop's drop
directory. The store holds N people with canteen accounts (seeded first, off the clock; an
order file names one prison, so the benchmark's people are all at Leeds). One
``gatehouse worker --role sftp --role ingest --role dead-letters`` process runs on
PostgreSQL and RabbitMQ. The shop uploads an N-line ``GHCANTORD`` order file (one spend per
person) as ``NAME.part`` and renames it; the clock runs from the rename until the receipt
(``GHCANTRCT``, every line answered) is back on the server.

Baselines, measured in the same run: copying the same file over the same SFTP server
(paramiko, prefetching), and the same N order-line documents published with raw pika
(pipelined confirms) to a quorum queue and consumed with acks. Figures: wall time, lines a
second, each baseline as a ratio of the wall time, the worker's peak RSS, and a loss check
(every line decided exactly once in the ledger, the receipt agreeing). Exits non-zero if
anything was lost or doubled. With ``--partitions K`` ingest is split into K partitions by
prison number and K - 1 more ``--role ingest`` workers share them.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil
import sqlalchemy as sa

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import raw_pika_baseline as raw  # noqa: E402
from bench_database import fresh_database  # noqa: E402
from pipeline import delete_topology  # noqa: E402

from adapters.prison_shops import OrderLine, line_document, read_order_file, read_receipt  # noqa: E402
from adapters.transports.sftp import connect  # noqa: E402
from adapters.transports.sftp_config import SftpInterface  # noqa: E402
from core_records.canteen.tables import (  # noqa: E402
    canteen_account,
    canteen_refusal,
    canteen_transaction,
)
from core_records.identifiers import NOMS, Identifier  # noqa: E402
from core_records.store.database import create_engine  # noqa: E402
from core_records.store.record_store import RecordStore  # noqa: E402
from core_records.tables import person  # noqa: E402
from gatehouse.bootstrap import build_hub  # noqa: E402
from gatehouse.settings import Settings  # noqa: E402
from tests.integration.core_records.examples import message, particulars, reception  # noqa: E402
from tests.sftp_server import sftp_server  # noqa: E402

RABBITMQ_URL = os.environ.get(
    "GATEHOUSE_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/%2F"
)
POSTGRES_URL = os.environ.get(
    "GATEHOUSE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
INTERFACE = "estate_orders"
PRISON = "LEI"
ORDERED_AT = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)


def prison_number(n: int) -> str:
    return f"A{n % 10_000:04d}{chr(65 + n // 10_000 // 26)}{chr(65 + n // 10_000 % 26)}"


def seed_people(database_url: str, n: int) -> float:
    """N people received at Leeds through the store, then each given a canteen account of
    5,000p in one statement (seeding is off the clock); seconds taken."""
    engine = create_engine(database_url)
    store = RecordStore(engine)
    started = time.perf_counter()
    for first in range(0, n, 1_000):
        batch = [
            message(reception(particulars(Identifier(NOMS, prison_number(i))), PRISON))
            for i in range(first, min(n, first + 1_000))
        ]
        refused = [o for o in store.apply(batch) if o.status != "applied"]
        if refused:
            raise SystemExit(f"seeding failed: {refused[0].error}")
    with engine.begin() as connection:
        connection.execute(
            sa.insert(canteen_account).from_select(
                ["person_id", "balance_pence", "spent_this_week_pence", "version", "updated_at"],
                sa.select(
                    person.c.id,
                    sa.literal(5_000),
                    sa.literal(0),
                    sa.literal(1),
                    sa.literal(ORDERED_AT - timedelta(days=1)),
                ),
            )
        )
    engine.dispose()
    return time.perf_counter() - started


def order_file(n: int) -> bytes:
    lines = [f"HDR,GHCANTORD,1,ESTATE-20261123-01,{PRISON},{ORDERED_AT.isoformat()}"]
    lines += [
        f"TXN,SHOP-{i:06d},{prison_number(i)},CANT,{100 + i % 900},"
        f"{(ORDERED_AT + timedelta(seconds=i % 3600)).isoformat()}"
        for i in range(n)
    ]
    lines.append(f"TRL,{n}")
    return ("\n".join(lines) + "\n").encode()


class PeakRss:
    def __init__(self, pid: int) -> None:
        self._process = psutil.Process(pid)
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.1):
            try:
                self.peak_bytes = max(self.peak_bytes, self._process.memory_info().rss)
            except psutil.NoSuchProcess:
                return

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_bytes / 2**20


def sftp_copy_seconds(interface: SftpInterface, directory: str, name: str) -> float:
    with connect(interface) as drop:
        started = time.perf_counter()
        drop.download(name, io.BytesIO(), directory=directory)
        return time.perf_counter() - started


def raw_round_trip_seconds(content: bytes) -> float:
    """The file's order-line documents with raw pika: published with pipelined confirms
    to a quorum queue and consumed with acks."""
    reader = read_order_file(io.BytesIO(content))
    bodies = [
        line_document("bench", reader.header, item)
        for item in reader
        if isinstance(item, OrderLine)
    ]
    queue = f"bench-sftp-raw-{uuid.uuid4().hex[:8]}"
    raw.declare_quorum_queue(RABBITMQ_URL, queue)
    try:
        return raw.pipelined_round_trip(RABBITMQ_URL, queue, bodies)
    finally:
        raw.delete_queue(RABBITMQ_URL, queue)


def run_worker_until_receipt(
    environment: dict[str, str], outbox: Path, receipt: Path, log: Path, partitions: int = 1
) -> tuple[float, float]:
    """Start the worker (and, with more than one ingest partition, one more ingest worker
    for each further partition), rename the file into place, wait for the receipt:
    (seconds, the first worker's peak MB)."""
    roles = ["--role", "sftp", "--role", "ingest", "--role", "dead-letters"]
    environment = {**environment, "GATEHOUSE_INGEST_PARTITIONS": str(partitions)}
    with log.open("ab") as output:
        worker = subprocess.Popen(
            [sys.executable, "-m", "gatehouse", "worker", *roles],
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=REPO,
        )
        helpers = [
            subprocess.Popen(
                [sys.executable, "-m", "gatehouse", "worker", "--role", "ingest"],
                env=environment,
                stdout=output,
                stderr=subprocess.STDOUT,
                cwd=REPO,
            )
            for _ in range(partitions - 1)
        ]
    try:
        time.sleep(3.0)  # connected and declared before the clock starts
        memory = PeakRss(worker.pid)
        started = time.perf_counter()
        os.rename(outbox / "estate.csv.part", outbox / "estate.csv")
        while not receipt.exists():
            if worker.poll() is not None:
                raise SystemExit(f"the worker died; see {log}")
            if time.perf_counter() - started > 900:
                raise SystemExit(f"no receipt after 900 s; see {log}")
            time.sleep(0.1)
        return time.perf_counter() - started, memory.stop()
    finally:
        for process in (worker, *helpers):
            process.terminate()
        for process in (worker, *helpers):
            process.wait(timeout=60)


def remove_queues(database_url: str, namespace: str, partitions: int = 1) -> None:
    """Delete the run's exchanges and quorum queues, so runs do not pile up on the broker;
    a failure here is reported, never allowed to hide the figures."""
    try:
        hub = build_hub(
            Settings(
                database_url=database_url,
                broker_url=RABBITMQ_URL,
                namespace=namespace,
                ingest_partitions=partitions,
            )
        )
        try:
            delete_topology(hub)
        finally:
            hub.close()
    except Exception as error:  # the figures matter more than the tidy-up
        print(f"could not delete the queues of namespace {namespace}: {error}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=80_000)
    parser.add_argument(
        "--partitions",
        type=int,
        default=1,
        help="ingest partitions, each read by a worker of its own (default 1)",
    )
    args = parser.parse_args()
    n = args.lines
    content = order_file(n)
    namespace = f"bench{uuid.uuid4().hex[:8]}"
    workdir = Path(tempfile.mkdtemp(prefix="gh-bench-sshd-"))
    data_dir = Path(tempfile.mkdtemp(prefix="gh-bench-data-"))
    log = data_dir / "worker.log"
    with fresh_database(POSTGRES_URL) as database_url, sftp_server(workdir) as server:
        print(f"seeding {n} people with accounts ...", flush=True)
        seed_s = seed_people(database_url, n)
        settings = server.interface(
            adapter="prison_shops",
            partner="prison_shops",
            file_format="prison_shops.orders",
            drop_dir="orders",
            pattern="*.csv",
            poll_every_s=2.0,
        )
        environment = {
            **os.environ,
            "PYTHONPATH": str(REPO),
            "GATEHOUSE_DATABASE_URL": database_url,
            "GATEHOUSE_BROKER_URL": RABBITMQ_URL,
            "GATEHOUSE_NAMESPACE": namespace,
            "GATEHOUSE_DATA_DIR": str(data_dir),
            "GATEHOUSE_SFTP_INTERFACES": json.dumps({INTERFACE: settings}),
        }
        outbox = server.path("orders")
        outbox.mkdir()
        (outbox / "estate.csv.part").write_bytes(content)
        receipt_path = server.path("receipts/estate.receipt.csv")
        print(f"seeded in {seed_s:.0f} s; dropping the {n}-line order file", flush=True)
        try:
            seconds, peak_mb = run_worker_until_receipt(
                environment, outbox, receipt_path, log, args.partitions
            )
        finally:
            remove_queues(database_url, namespace, args.partitions)
        with receipt_path.open("rb") as stream:
            receipt = read_receipt(stream)
        interface = SftpInterface(**settings)  # type: ignore[arg-type]
        copy_s = sftp_copy_seconds(interface, "archive", "estate.csv")
        problems = check(database_url, n, receipt.counts, receipt.file_id)
    round_trip_s = raw_round_trip_seconds(content)
    report(n, seconds, copy_s, round_trip_s, peak_mb, receipt.counts, problems, log)
    print(f"ingest partitions (a worker each): {args.partitions}")
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    sys.exit(1 if problems else 0)


def check(database_url: str, n: int, counts: tuple[int, int, int], file_id: str) -> list[str]:
    engine = sa.create_engine(database_url)
    decided: list[int] = []
    with engine.connect() as connection:
        for table in (canteen_transaction, canteen_refusal):
            query = sa.select(table.c.line_number).where(table.c.order_file == file_id)
            decided += [row[0] for row in connection.execute(query)]
    engine.dispose()
    problems = []
    if len(decided) != n:
        problems.append(f"{len(decided)} lines decided in the ledger, expected {n}")
    if len(set(decided)) != len(decided):
        problems.append(f"{len(decided) - len(set(decided))} lines decided twice")
    if counts[0] != n or counts[1] + counts[2] != n:
        problems.append(f"the receipt counts {counts}, expected {n} lines")
    return problems


def report(
    n: int,
    seconds: float,
    copy_s: float,
    round_trip_s: float,
    peak_mb: float,
    counts: tuple[int, int, int],
    problems: list[str],
    log: Path,
) -> None:
    rows = [
        ("lines in the order file", f"{n}"),
        ("drop to receipt", f"{seconds:8.1f} s   {n / seconds:8.0f} lines/s   (target < 60 s)"),
        ("receipt: lines, accepted, refused", f"{counts}"),
        ("baseline: SFTP copy of the file", f"{copy_s:8.2f} s   ratio {copy_s / seconds:.3f}"),
        (
            "baseline: raw pika round trip",
            f"{round_trip_s:8.2f} s   ratio {round_trip_s / seconds:.3f}",
        ),
        ("worker's peak RSS", f"{peak_mb:8.0f} MB   (target < 300 MB)"),
        ("loss check", "nothing lost, nothing doubled" if not problems else "; ".join(problems)),
        ("worker log", str(log)),
    ]
    print()
    for label, value in rows:
        print(f"{label:<36}{value}")


if __name__ == "__main__":
    main()
