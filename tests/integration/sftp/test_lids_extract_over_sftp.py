"""A public prison's nightly LIDS extract over SFTP: a real OpenSSH server, RabbitMQ and
PostgreSQL; each message of the day goes down the pipeline alone, and the receipt names each
line refused, whether the file could not read it or the hub refused it."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from adapters.lids.extract import write_extract
from adapters.lids.simulator import LidsMessages, LidsPerson, day_of_traffic
from core_records.tables import canteen_transaction, person
from gatehouse.bootstrap import Hub
from gatehouse.file_interfaces import sftp_poller
from routing.file_interfaces.sftp_poller import SftpPoller
from tests.running_hub import eventually, hub_settings, running_hub
from tests.sftp_server import SftpServer

INTERFACE = "lids_leeds"
DAY = datetime(2024, 5, 1, tzinfo=UTC)


@pytest.fixture
def hub(
    sftp: SftpServer, postgres_url: str, rabbitmq_url: str, namespace: str, tmp_path: Any
) -> Iterator[Hub]:
    interface = sftp.interface(
        adapter="lids",
        partner="lids-LEI",
        file_format="lids.extract",
        drop_dir="outbox",
        pattern="*.xml",
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
    """Upload as LIDS does: write NAME.part, then rename."""
    outbox = sftp.path("outbox")
    outbox.mkdir(exist_ok=True)
    (outbox / f"{name}.part").write_bytes(content)
    os.rename(outbox / f"{name}.part", outbox / name)


def answered(poller: SftpPoller, sftp: SftpServer, name: str) -> bool:
    poller.run_once()
    return sftp.path(f"receipts/{name}").exists()


def count(hub: Hub, table: sa.Table, *where: Any) -> int:
    with hub.engine.connect() as connection:
        return int(connection.scalar(sa.select(sa.func.count()).select_from(table).where(*where)))


def test_a_nightly_extract_is_applied_message_by_message_and_answered_with_its_refusals(
    hub: Hub, sftp: SftpServer
) -> None:
    day = [body for _, _, body in day_of_traffic(["LEI"], DAY, people_each=4)]
    # A Wandsworth row in Leeds's extract, and an element that is no LIDS message.
    someone = LidsPerson("WW0001", "NAYLOR", "GARY", date(1980, 1, 2))
    elsewhere = LidsMessages("WWI").credit(someone, "PAY", 100, DAY)
    messages = [*day, elsewhere]
    extract = write_extract("LEI", "2024-05-01", "2024-05-01T23:30:00+01:00", messages)
    extract = extract.replace(
        b"</LidsExtract>", b'  <Gossip xmlns="urn:gatehouse:lids:v1"/>\n</LidsExtract>'
    )
    drop(sftp, "LEI-20240501.xml", extract)
    poller = sftp_poller(hub, INTERFACE)

    poller.poll_now()
    eventually(lambda: answered(poller, sftp, "LEI-20240501.receipt.csv"), "the receipt")

    rows = list(csv.reader(io.StringIO(sftp.path("receipts/LEI-20240501.receipt.csv").read_text())))
    summary = dict(zip(rows[0], rows[1], strict=True))
    assert (summary["messages"], summary["accepted"], summary["refused"]) == (
        str(len(messages)), str(len(day)), "2",
    )  # fmt: skip
    refusals = [reason for _, reason in rows[3:]]
    assert any("may not send rows for WWI" in r for r in refusals), refusals
    assert any("not a LIDS message" in r for r in refusals), refusals
    assert count(hub, person, person.c.current_establishment == "LEI") == 4
    assert count(hub, canteen_transaction) == 4
    assert sftp.path("archive/LEI-20240501.xml").exists()
