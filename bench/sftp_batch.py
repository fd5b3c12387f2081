"""The batch file benchmark: the whole estate in one file, over SFTP, into the store.

    .venv/bin/python bench/sftp_batch.py [--lines 80000]

A real OpenSSH server (``/usr/sbin/sshd``, throwaway keys) holds a partner's drop directory.
One ``gatehouse worker --role sftp --role ingest --role dead-letters`` process runs on
PostgreSQL and RabbitMQ. The partner uploads an N-line receptions file as ``NAME.part`` and
renames it; the clock runs from the rename until the receipt is back on the server.

Baseline, measured in the same run: copying the same file over the same SFTP connection
(paramiko, prefetching), and publishing the same N documents with raw pika and pipelined
confirms. Figures: wall time, lines a second, the ratio of each baseline to it, the
worker's peak RSS, and a loss check (every line applied once, nothing doubled, the receipt
agreeing). Exits non-zero if anything was lost or doubled.
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
from pathlib import Path

import psutil
import sqlalchemy as sa

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import raw_pika_baseline as raw  # noqa: E402
from pipeline import fresh_database  # noqa: E402

from adapters.transports.sftp import connect  # noqa: E402
from adapters.transports.sftp_config import SftpInterface  # noqa: E402
from core_records import tables  # noqa: E402
from tests.reception_files import FORMAT, reception_line, receptions_file  # noqa: E402
from tests.sftp_server import sftp_server  # noqa: E402

RABBITMQ_URL = os.environ.get(
    "GATEHOUSE_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/%2F"
)
POSTGRES_URL = os.environ.get(
    "GATEHOUSE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
INTERFACE = "estate_receptions"
SERCO_PRISONS = ["ASI", "DGI", "DNI", "LGI", "TSI"]


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


def estate_file(lines: int) -> bytes:
    return receptions_file(
        reception_line(n, establishment=SERCO_PRISONS[n % len(SERCO_PRISONS)])
        for n in range(1, lines + 1)
    )


def sftp_copy_seconds(interface: SftpInterface, name: str) -> float:
    with connect(interface) as drop:
        started = time.perf_counter()
        drop.download(name, io.BytesIO())
        return time.perf_counter() - started


def raw_round_trip_seconds(content: bytes) -> float:
    """Raw pika: the file's records, split, published with pipelined confirms to a quorum
    queue and consumed with acks."""
    bodies = [item.body for item in FORMAT.split(io.BytesIO(content)) if hasattr(item, "body")]
    queue = f"bench-sftp-raw-{uuid.uuid4().hex[:8]}"
    raw.declare_quorum_queue(RABBITMQ_URL, queue)
    try:
        return raw.pipelined_round_trip(RABBITMQ_URL, queue, bodies)
    finally:
        raw.delete_queue(RABBITMQ_URL, queue)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=80_000)
    args = parser.parse_args()
    n = args.lines
    content = estate_file(n)
    namespace = f"bench{uuid.uuid4().hex[:8]}"
    workdir = Path(tempfile.mkdtemp(prefix="gh-bench-sshd-"))
    data_dir = Path(tempfile.mkdtemp(prefix="gh-bench-data-"))
    with fresh_database(POSTGRES_URL) as database_url, sftp_server(workdir) as server:
        settings = server.interface(
            adapter="private_prisons",
            partner="serco",
            file_format="tests.reception_files:FORMAT",
            drop_dir="outbox",
            pattern="*.csv",
            poll_every_s=2.0,
        )
        interface = SftpInterface(**settings)  # type: ignore[arg-type]
        environment = {
            **os.environ,
            "PYTHONPATH": str(REPO),
            "GATEHOUSE_DATABASE_URL": database_url,
            "GATEHOUSE_BROKER_URL": RABBITMQ_URL,
            "GATEHOUSE_NAMESPACE": namespace,
            "GATEHOUSE_DATA_DIR": str(data_dir),
            "GATEHOUSE_SFTP_INTERFACES": json.dumps({INTERFACE: settings}),
        }
        roles = ["--role", "sftp", "--role", "ingest", "--role", "dead-letters"]
        log = data_dir / "worker.log"
        outbox = server.path("outbox")
        outbox.mkdir()
        (outbox / "estate.csv.part").write_bytes(content)
        with log.open("ab") as output:
            worker = subprocess.Popen(
                [sys.executable, "-m", "gatehouse.cli", "worker", *roles],
                env=environment,
                stdout=output,
                stderr=subprocess.STDOUT,
                cwd=REPO,
            )
        try:
            time.sleep(3.0)  # connected and declared before the clock starts
            memory = PeakRss(worker.pid)
            receipt = server.path("receipts/estate.csv.receipt")
            started = time.perf_counter()
            os.rename(outbox / "estate.csv.part", outbox / "estate.csv")
            while not receipt.exists():
                if worker.poll() is not None:
                    raise SystemExit(f"the worker died; see {log}")
                if time.perf_counter() - started > 900:
                    raise SystemExit(f"no receipt after 900 s; see {log}")
                time.sleep(0.1)
            seconds = time.perf_counter() - started
            peak_mb = memory.stop()
        finally:
            worker.terminate()
            worker.wait(timeout=60)
        answer = dict(line.split(",", 1) for line in receipt.read_text().splitlines())
        server.path("archive/estate.csv").rename(outbox / "estate-copy.csv")
        copy_s = sftp_copy_seconds(interface, "estate-copy.csv")
        problems = check(database_url, n, answer)
    publish_s = raw_round_trip_seconds(content)
    report(n, seconds, copy_s, publish_s, peak_mb, problems, log)
    sys.exit(1 if problems else 0)


def check(database_url: str, n: int, receipt: dict[str, str]) -> list[str]:
    engine = sa.create_engine(database_url)
    problems = []
    with engine.connect() as connection:

        def count(table: sa.Table, *where: object) -> int:
            query = sa.select(sa.func.count()).select_from(table).where(*where)  # type: ignore[arg-type]
            return int(connection.scalar(query) or 0)

        people = count(tables.person)
        inbox = count(tables.inbox)
        stored = count(tables.journal, tables.journal.c.hop == "stored")
    engine.dispose()
    for what, found in (("people", people), ("inbox rows", inbox), ("stored hops", stored)):
        if found != n:
            problems.append(f"{found} {what}, expected {n}")
    if (receipt.get("records"), receipt.get("accepted")) != (str(n), str(n)):
        problems.append(f"receipt says {receipt.get('accepted')} of {receipt.get('records')}")
    return problems


def report(
    n: int,
    seconds: float,
    copy_s: float,
    publish_s: float,
    peak_mb: float,
    problems: list[str],
    log: Path,
) -> None:
    rows = [
        ("lines in the file", f"{n}"),
        ("drop to receipt", f"{seconds:8.1f} s   {n / seconds:8.0f} lines/s   (target < 60 s)"),
        ("baseline: SFTP copy of the file", f"{copy_s:8.2f} s   ratio {copy_s / seconds:.3f}"),
        (
            "baseline: raw pika, same records",
            f"{publish_s:8.2f} s   ratio {publish_s / seconds:.3f}",
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
