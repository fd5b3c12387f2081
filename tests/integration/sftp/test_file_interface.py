"""A batch file interface end to end: a real OpenSSH server, RabbitMQ and PostgreSQL, and
the private-prisons adapter taking a receptions file line by line (``tests/reception_files``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from core_records.bookkeeping.file_transfers import RECEIPTED, FileTransfers
from core_records.tables import inbox, journal, person
from gatehouse.bootstrap import Hub
from gatehouse.file_interfaces import sftp_poller
from routing.file_interfaces.sftp_poller import SftpPoller
from tests.reception_files import reception_line, receptions_file
from tests.running_hub import eventually, hub_settings, running_hub
from tests.sftp_server import SftpServer

INTERFACE = "serco_receptions"


@pytest.fixture
def hub(
    sftp: SftpServer, postgres_url: str, rabbitmq_url: str, namespace: str, tmp_path: Any
) -> Iterator[Hub]:
    interface = sftp.interface(
        adapter="private_prisons",
        partner="serco",
        file_format="tests.reception_files:FORMAT",
        drop_dir="outbox",
        pattern="*.csv",
        poll_every_s=3600,
    )
    settings = hub_settings(
        database_url=postgres_url,
        broker_url=rabbitmq_url,
        namespace=namespace,
        data_dir=tmp_path,
        delius_url="http://127.0.0.1:9/unused",
        sftp_interfaces={INTERFACE: interface},
    )
    with running_hub(settings, roles=("ingest", "dead-letters")) as running:
        yield running


def drop(sftp: SftpServer, name: str, content: bytes) -> None:
    """Upload as a partner does: write NAME.part, then rename."""
    outbox = sftp.path("outbox")
    outbox.mkdir(exist_ok=True)
    (outbox / f"{name}.part").write_bytes(content)
    os.rename(outbox / f"{name}.part", outbox / name)


def count(hub: Hub, table: sa.Table, *where: Any) -> int:
    with hub.engine.connect() as connection:
        return int(connection.scalar(sa.select(sa.func.count()).select_from(table).where(*where)))


def answered(poller: SftpPoller, sftp: SftpServer, name: str) -> bool:
    poller.run_once()
    return sftp.path(f"receipts/{name}.receipt").exists()


def receipt_of(sftp: SftpServer, name: str) -> dict[str, str]:
    text = sftp.path(f"receipts/{name}.receipt").read_text()
    return dict(line.split(",", 1) for line in text.splitlines())


def test_a_file_is_ingested_record_by_record_and_answered_with_one_receipt(
    hub: Hub, sftp: SftpServer
) -> None:
    lines = [reception_line(n) for n in range(1, 21)]
    lines.insert(5, "serco,DNI,DN9999999,BAD,DATE,1990-13-45,M,SHEFMC")  # line 7
    lines.insert(10, reception_line(50, establishment="ACI"))  # line 12: a G4S prison
    drop(sftp, "receptions-1.csv", receptions_file(lines))
    poller = sftp_poller(hub, INTERFACE)

    poller.poll_now()
    eventually(lambda: answered(poller, sftp, "receptions-1.csv"), "the receipt")

    receipt = receipt_of(sftp, "receptions-1.csv")
    assert {k: receipt[k] for k in ("lines", "records", "accepted", "refused")} == {
        "lines": "23",
        "records": "21",
        "accepted": "20",
        "refused": "2",
    }
    assert "is not a date" in receipt["line 7"]
    assert "ACI" in receipt["line 12"]
    assert count(hub, person) == 20
    assert sftp.path("archive/receptions-1.csv").exists()
    assert not sftp.path("outbox/receptions-1.csv").exists()
    assert not list((hub.settings.data_dir / "sftp-spool" / INTERFACE).iterdir())


def test_a_partial_upload_is_left_alone_until_it_is_renamed(hub: Hub, sftp: SftpServer) -> None:
    sftp.path("outbox").mkdir()
    partial = sftp.path("outbox/receptions-2.csv.part")
    partial.write_bytes(receptions_file([reception_line(1), reception_line(2)]))
    poller = sftp_poller(hub, INTERFACE)

    poller.poll_now()
    assert partial.exists()
    assert FileTransfers(hub.engine).unfinished(INTERFACE) == []

    os.rename(partial, sftp.path("outbox/receptions-2.csv"))
    poller.poll_now()
    eventually(lambda: answered(poller, sftp, "receptions-2.csv"), "the receipt")
    assert receipt_of(sftp, "receptions-2.csv")["accepted"] == "2"


def test_in_stable_mode_a_file_is_taken_only_once_its_size_has_stopped_changing(
    hub: Hub, sftp: SftpServer
) -> None:
    interface = hub.settings.sftp_interfaces[INTERFACE].model_copy(
        update={"completion": "stable", "stable_for_s": 30.0}
    )
    hub.settings.sftp_interfaces[INTERFACE] = interface
    now = [1000.0]
    poller = sftp_poller(hub, INTERFACE)
    poller.clock = lambda: now[0]
    sftp.path("outbox").mkdir()
    growing = sftp.path("outbox/receptions-3.csv")
    growing.write_bytes(receptions_file([reception_line(1)]))

    poller.poll_now()
    now[0] += 20
    growing.write_bytes(receptions_file([reception_line(1), reception_line(2)]))
    poller.poll_now()
    now[0] += 29  # stable for 29 s only
    poller.poll_now()
    assert growing.exists() and FileTransfers(hub.engine).unfinished(INTERFACE) == []

    now[0] += 1
    poller.poll_now()

    def tick_and_check() -> bool:
        now[0] += 1
        return answered(poller, sftp, "receptions-3.csv")

    eventually(tick_and_check, "the receipt")
    assert receipt_of(sftp, "receptions-3.csv")["accepted"] == "2"


class CrashAfterPublishing:
    """The hub's transport, until the process 'dies' right after the broker confirmed the
    ``crash_after``-th batch and before the progress mark moved."""

    def __init__(self, transport: Any, crash_after: int) -> None:
        self._transport = transport
        self._left = crash_after

    def publish(self, exchange: str, messages: Any) -> None:
        self._transport.publish(exchange, messages)
        self._left -= 1
        if self._left == 0:
            raise SystemExit("killed mid-file")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


def test_a_crash_mid_file_resumes_after_a_restart_without_doubling_anything(
    hub: Hub, sftp: SftpServer
) -> None:
    drop(sftp, "receptions-4.csv", receptions_file([reception_line(n) for n in range(1, 101)]))
    crashing = sftp_poller(hub, INTERFACE)
    crashing.intake.batch_size = 10
    crashing.intake.transport = CrashAfterPublishing(hub.transport, crash_after=3)

    with pytest.raises(SystemExit):
        crashing.poll_now()
    (transfer,) = FileTransfers(hub.engine).unfinished(INTERFACE)
    assert transfer.records_published == 20  # the third batch is on the broker, unmarked

    restarted = sftp_poller(hub, INTERFACE)
    restarted.intake.batch_size = 10
    restarted.poll_now()
    eventually(lambda: answered(restarted, sftp, "receptions-4.csv"), "the receipt")

    receipt = receipt_of(sftp, "receptions-4.csv")
    assert (receipt["records"], receipt["accepted"], receipt["refused"]) == ("100", "100", "0")
    assert count(hub, person) == 100
    assert count(hub, inbox) == 100
    assert count(hub, journal, journal.c.hop == "stored") == 100
    assert FileTransfers(hub.engine).get(transfer.id).status == RECEIPTED


def test_the_same_file_dropped_again_is_not_processed_twice(hub: Hub, sftp: SftpServer) -> None:
    content = receptions_file([reception_line(n) for n in range(1, 6)])
    drop(sftp, "receptions-5.csv", content)
    poller = sftp_poller(hub, INTERFACE)
    poller.poll_now()
    eventually(lambda: answered(poller, sftp, "receptions-5.csv"), "the receipt")
    first_receipt = sftp.path("receipts/receptions-5.csv.receipt").read_bytes()

    drop(sftp, "receptions-5.csv", content)
    poller.poll_now()

    assert not sftp.path("outbox/receptions-5.csv").exists()
    duplicates = [p.name for p in sftp.path("archive").iterdir() if ".duplicate-" in p.name]
    assert len(duplicates) == 1 and duplicates[0].startswith("receptions-5.csv.duplicate-")
    assert count(hub, journal, journal.c.hop == "received") == 1  # the file, once
    assert count(hub, person) == 5
    assert sftp.path("receipts/receptions-5.csv.receipt").read_bytes() == first_receipt


def test_an_unreadable_file_goes_to_error_with_a_receipt_saying_why(
    hub: Hub, sftp: SftpServer
) -> None:
    drop(sftp, "receptions-6.csv", b"this is not,a receptions file\n1,2\n")
    poller = sftp_poller(hub, INTERFACE)

    poller.poll_now()

    receipt = receipt_of(sftp, "receptions-6.csv")
    assert receipt["unreadable"].startswith("line 1: not a receptions file")
    assert receipt["records"] == "0"
    assert sftp.path("error/receptions-6.csv").exists()
    assert count(hub, journal, journal.c.hop != "received") == 0
    assert count(hub, person) == 0
