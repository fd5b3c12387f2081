"""Every edge keys what it accepts by the person it is about, as ingest would read it, so
that a person's messages share an ingest partition whichever way they come in; and what an
edge validated, ingest does not validate again.

- over HTTP, a reception lands in the partition of its sender's own id for the person, and
  that operator's later release for them (naming the prison number the hub gave) in the same
  one;
- a LIDS extract's records and a canteen order file's lines carry the key that reading and
  translating each document gives (``document_person_key``, what ingest sees).

On the embedded default, with four partitions and no workers, so that the queues hold what
the edge published.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from adapters.lids import partner_name
from adapters.lids.extract import read_messages, write_extract
from adapters.prison_shops import (
    PARTNER,
    OrderLine,
    line_document,
    order_line_person_key,
    read_order_file,
)
from adapters.prison_shops.translate import MESSAGE_TYPE
from adapters.registry import AdapterRegistry
from adapters.transports.file_formats import FileRecord
from adapters.transports.local_server import serving
from core_records.errors import InvalidMessage
from gatehouse.app import create_app
from gatehouse.bootstrap import Hub, build_hub
from routing.inbound import Submission, inbound_message
from routing.ingest import IngestWorker
from routing.ingest_partitions import document_person_key, partition_of
from routing.messages import HEADER_MESSAGE_TYPE, HEADER_SCHEMA_CHECKED, SCHEMA_CHECKED, Delivery
from tests.running_hub import hub_settings
from tests.support import remember_topology

ROOT = Path(__file__).parents[2]
OPERATOR_SAMPLES = ROOT / "adapters/private_prisons/samples/valid"
LIDS_SAMPLES = ROOT / "adapters/lids/samples/valid"
ORDER_FILE = ROOT / "adapters/prison_shops/samples/files/valid/orders-leeds.csv"
PARTITIONS = 4
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def hub(tmp_path: Path, sqlite_url: str) -> Iterator[Hub]:
    settings = hub_settings(
        database_url=sqlite_url,
        broker_url=None,
        namespace="edgekeys",
        data_dir=tmp_path,
        delius_url="http://127.0.0.1:9/unused",
        ingest_partitions=PARTITIONS,
    )
    hub = build_hub(settings)
    remember_topology(hub.topology)
    try:
        yield hub
    finally:
        hub.close()


def depths(hub: Hub) -> list[int]:
    return [hub.transport.queue_depth(queue) for queue in hub.topology.ingest_queues]


def test_an_operators_reception_and_its_release_share_the_partition_of_its_own_id(
    hub: Hub,
) -> None:
    token = hub.credentials.issue("serco")
    reception = (OPERATOR_SAMPLES / "reception-new-person.xml").read_bytes()
    # The same operator's release of the same person, who now has a prison number.
    release = (OPERATOR_SAMPLES / "release-conditional.xml").read_bytes()
    release = release.replace(b"AS0077120", b"DN0458812")
    key = document_person_key(hub.registry, "private_prisons", "reception", "serco", reception)
    assert key is not None and key.startswith("LOCAL:serco:"), key
    assert document_person_key(hub.registry, "private_prisons", "release", "serco", release) == (
        key
    ), "the release names the same local id, and the hub's prison number too"

    with serving(create_app(hub), name="gatehouse-api") as api:
        for message_type, body in (("reception", reception), ("release", release)):
            response = httpx.post(
                f"{api}/api/v1/inbound/private_prisons/{message_type}",
                content=body,
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/xml"},
                timeout=30,
            )
            assert response.status_code == 202, response.text

    expected = [0] * PARTITIONS
    expected[partition_of(key, PARTITIONS)] = 2
    assert depths(hub) == expected
    queue = hub.topology.ingest_queues[partition_of(key, PARTITIONS)]
    consumer = hub.transport.consumer(queue)
    try:
        published = consumer.fetch(10, 5.0)
        assert [d.message.headers[HEADER_MESSAGE_TYPE] for d in published] == [
            "reception",
            "release",
        ]
        # The edge validated each against its schema: ingest need not again.
        assert all(d.message.headers[HEADER_SCHEMA_CHECKED] == SCHEMA_CHECKED for d in published)
        consumer.release(published)
    finally:
        consumer.close()


def test_ingest_validates_only_what_no_edge_validated(hub: Hub) -> None:
    """A document marked as checked by an edge is parsed, not validated again; one that is
    not marked (from a partner's AMQP queue, a LIDS extract) is validated as ever."""
    # Valid to translate, but the schema wants the header's SentAt first.
    body = (OPERATOR_SAMPLES / "reception-new-person.xml").read_bytes()
    sent_at = re.search(rb"<SentAt>[^<]*</SentAt>", body)
    assert sent_at is not None
    out_of_order = body.replace(sent_at.group(0), b"").replace(
        b"</MessageHeader>", sent_at.group(0) + b"</MessageHeader>"
    )
    worker = IngestWorker(
        consumer=hub.transport.consumer(hub.topology.ingest_queues[0]),
        store=hub.store,
        journal=hub.journal,
        registry=hub.registry,
        retry_policy=hub.settings.retry_policy,
    )
    try:
        for checked in (False, True):
            message = inbound_message(
                Submission(
                    "private_prisons", "reception", "serco", out_of_order, NOW, None,
                    schema_checked=checked,
                )
            )  # fmt: skip
            delivery = Delivery(message, "unused", redelivered=False, delivery_count=1, token=None)
            if checked:
                assert worker.decode(delivery).commands
            else:
                with pytest.raises(InvalidMessage):
                    worker.decode(delivery)
    finally:
        worker.consumer.close()


def test_a_lids_extracts_records_carry_the_key_ingest_reads_from_each(
    hub: Hub,
) -> None:
    leeds = b"<Establishment>LEI</Establishment>"
    documents = [p.read_bytes() for p in sorted(LIDS_SAMPLES.glob("*.xml"))]
    documents = [document for document in documents if leeds in document]
    extract = write_extract("LEI", "2026-12-01", "2026-12-01T23:00:00Z", documents)
    records = [r for r in read_messages(io.BytesIO(extract), "LEI") if isinstance(r, FileRecord)]
    assert len(records) == len(documents)
    partner = partner_name("LEI")
    for record in records:
        read = document_person_key(hub.registry, "lids", record.message_type, partner, record.body)
        assert read is not None and read.startswith("LIDS:"), (record.message_type, read)
        assert record.person_key == read, record.message_type


def test_an_order_files_lines_carry_the_key_ingest_reads_from_each(hub: Hub) -> None:
    registry: AdapterRegistry = hub.registry
    with ORDER_FILE.open("rb") as stream:
        reader = read_order_file(stream)
        lines = [item for item in reader if isinstance(item, OrderLine)]
        header = reader.header
    assert lines
    for line in lines:
        body = line_document("f" * 64, header, line)
        read = document_person_key(registry, "prison_shops", MESSAGE_TYPE, PARTNER, body)
        assert read == order_line_person_key(line) == f"NOMS:{line.prison_number}"
