"""A real crash: ``gatehouse worker --role sftp`` killed with SIGKILL in the middle of a
file, then a fresh hub takes over. Nothing is lost and nothing applied twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from core_records.bookkeeping.file_transfers import RECEIPTED, RECEIVING, FileTransfers
from core_records.tables import inbox, journal, person
from gatehouse.file_interfaces import sftp_poller
from tests.reception_files import reception_line, receptions_file
from tests.running_hub import eventually, hub_settings, running_hub
from tests.sftp_server import SftpServer

REPO = Path(__file__).resolve().parents[3]
INTERFACE = "serco_receptions"
LINES = 1_500


def test_a_worker_killed_mid_file_resumes_in_another_without_doubling(
    sftp: SftpServer, postgres_url: str, rabbitmq_url: str, namespace: str, tmp_path: Path
) -> None:
    interface = sftp.interface(
        adapter="private_prisons",
        partner="serco",
        file_format="tests.reception_files:FORMAT",
        drop_dir="outbox",
        pattern="*.csv",
        poll_every_s=0.2,
        batch_size=10,
    )
    settings = hub_settings(
        database_url=postgres_url,
        broker_url=rabbitmq_url,
        namespace=namespace,
        data_dir=tmp_path / "second",
        delius_url="http://127.0.0.1:9/unused",
        sftp_interfaces={INTERFACE: interface},
    )
    outbox = sftp.path("outbox")
    outbox.mkdir()
    (outbox / "estate.csv").write_bytes(
        receptions_file(reception_line(n) for n in range(1, LINES + 1))
    )
    with running_hub(settings, roles=("dead-letters",)) as hub:  # declares the topology
        transfers = FileTransfers(hub.engine)
        first = _worker(settings, interface, tmp_path / "first")
        try:
            eventually(lambda: _published(transfers) > 0, "the first batches", timeout_s=60)
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(30)
        (killed,) = transfers.unfinished(INTERFACE)
        assert killed.status == RECEIVING and 0 < killed.records_published < LINES

    with running_hub(settings, roles=("ingest", "dead-letters")) as hub:
        poller = sftp_poller(hub, INTERFACE)
        receipt = sftp.path("receipts/estate.csv.receipt")
        eventually(
            lambda: poller.poll_now() >= 0 and receipt.exists(), "the receipt", timeout_s=240
        )

        answer = dict(line.split(",", 1) for line in receipt.read_text().splitlines())
        assert (answer["records"], answer["accepted"]) == (str(LINES), str(LINES))
        assert _count(hub.engine, person) == LINES
        assert _count(hub.engine, inbox) == LINES
        assert _count(hub.engine, journal, journal.c.hop == "stored") == LINES
        assert FileTransfers(hub.engine).get(killed.id).status == RECEIPTED


def _worker(settings: Any, interface: dict[str, Any], data_dir: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "GATEHOUSE_DATABASE_URL": settings.store_url,
        "GATEHOUSE_BROKER_URL": settings.broker_url,
        "GATEHOUSE_NAMESPACE": settings.namespace,
        "GATEHOUSE_DATA_DIR": str(data_dir),
        "GATEHOUSE_SFTP_INTERFACES": json.dumps({INTERFACE: interface}),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "gatehouse", "worker", "--role", "sftp"],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _published(transfers: FileTransfers) -> int:
    unfinished = transfers.unfinished(INTERFACE)
    return unfinished[0].records_published if unfinished else 0


def _count(engine: sa.Engine, table: sa.Table, *where: Any) -> int:
    with engine.connect() as connection:
        query = sa.select(sa.func.count()).select_from(table).where(*where)
        return int(connection.scalar(query) or 0)
