"""A real ``gatehouse worker`` process, on PostgreSQL and RabbitMQ with a real Delius
receiver: its ``/metrics`` parse with prometheus_client and count the message it handled,
and every line it logs about that message is one JSON object carrying its correlation id."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families

from adapters.delius.simulator import DeliusReceiver
from adapters.private_prisons.simulator import OperatorSimulator
from core_records import tables
from gatehouse.bootstrap import Hub, build_hub
from gatehouse.settings import Settings
from routing.inbound import Submission, inbound_message
from tests.running_hub import eventually
from tests.sftp_server import free_port
from tests.support import remember_topology

CORRELATION_ID = "observability-test-correlation"


@pytest.fixture
def hub(settings: Settings) -> Iterator[Hub]:
    hub = build_hub(settings)
    remember_topology(hub.topology)
    try:
        yield hub
    finally:
        hub.close()


def start_worker(settings: Settings, log: Path, metrics_port: int) -> subprocess.Popen[bytes]:
    environment = {
        **os.environ,
        "GATEHOUSE_DATABASE_URL": settings.store_url,
        "GATEHOUSE_BROKER_URL": settings.broker_url or "",
        "GATEHOUSE_NAMESPACE": settings.namespace,
        "GATEHOUSE_DATA_DIR": str(settings.data_dir),
        "GATEHOUSE_PARTNER_URLS__DELIUS": settings.partner_urls["delius"],
        "GATEHOUSE_DELAY_TIERS_MS": "[200, 500, 1000]",
        "GATEHOUSE_LOG_FORMAT": "json",
        "GATEHOUSE_WORKER_METRICS_PORT": str(metrics_port),
        "GATEHOUSE_WORKER_METRICS_HOST": "127.0.0.1",
    }
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "gatehouse", "worker", "--verbose"],
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def publish_one_reception(hub: Hub) -> str:
    operator = OperatorSimulator("serco", ["DNI"], seed=7)
    body = operator.reception(operator.person(sex="M", known_to_prisons=False))
    submission = Submission(
        "private_prisons", "reception", "serco", body, datetime.now(UTC), CORRELATION_ID
    )
    message = inbound_message(submission)
    hub.transport.publish(hub.topology.inbound_exchange, [message])
    return message.message_id


def applied(hub: Hub, message_id: str) -> bool:
    with hub.engine.connect() as connection:
        return bool(
            connection.execute(
                sa.select(sa.func.count())
                .select_from(tables.inbox)
                .where(tables.inbox.c.message_id == message_id)
            ).scalar_one()
        )


def scrape(port: int) -> dict[str, Any]:
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    return {family.name: family for family in text_string_to_metric_families(text)}


def sample(families: dict[str, Any], name: str, **labels: str) -> float:
    return sum(
        s.value
        for family in families.values()
        for s in family.samples
        if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())
    )


@pytest.fixture
def worker(settings: Settings, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = free_port()
    process = start_worker(settings, tmp_path / "worker.log", port)
    try:
        yield process, port
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_a_workers_metrics_parse_and_count_the_message_it_handled_and_its_logs_name_it(
    hub: Hub,
    worker: tuple[subprocess.Popen[bytes], int],
    delius: tuple[str, DeliusReceiver],
    tmp_path: Path,
) -> None:
    process, port = worker
    _, receiver = delius
    message_id = publish_one_reception(hub)
    eventually(lambda: applied(hub, message_id), "the reception applied", timeout_s=60)
    eventually(lambda: bool(receiver.received), "Delius to receive its custody update")

    def counted() -> bool:
        assert process.poll() is None, "the worker exited"
        families = scrape(port)
        return sample(families, "gatehouse_delivery_latency_seconds_count", partner="delius") >= 1

    eventually(counted, "the delivery counted at the worker's /metrics", every_s=0.5)
    families = scrape(port)
    assert (
        sample(families, "gatehouse_worker_messages_total", role="ingest", outcome="applied") >= 1
    )
    assert sample(families, "gatehouse_worker_batch_size_count", role="ingest") >= 1
    assert sample(families, "gatehouse_worker_batch_seconds_count", role="ingest") >= 1
    assert sample(families, "gatehouse_delivery_latency_seconds_count", partner="delius") >= 1
    assert families["gatehouse_worker_messages"].type == "counter"
    assert families["gatehouse_worker_batch_seconds"].type == "histogram"
    assert sample(families, "process_resident_memory_bytes") > 0
    assert "python_gc_objects_collected" in families

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 0
    lines = (tmp_path / "worker.log").read_text().splitlines()
    records = [json.loads(line) for line in lines]  # every line is one JSON record
    about_it = [r for r in records if message_id in str(r.get("message", ""))]
    assert about_it, f"no record mentions {message_id}"
    for record in about_it:
        assert record.get("correlation_id") == CORRELATION_ID, record
        assert record.get("message_id") == message_id, record
    published = [r for r in records if str(r.get("message", "")).startswith("published ")]
    assert published and all(r.get("correlation_id") == CORRELATION_ID for r in published)
    assert all(r.get("causation_id") == message_id for r in published)
    delivered = [r for r in records if str(r.get("message", "")).startswith("delivered ")]
    assert delivered and all(r.get("correlation_id") == CORRELATION_ID for r in delivered)
    assert all(r.get("causation_id") for r in delivered)


def test_a_metrics_port_already_taken_is_logged_and_the_worker_goes_on_without(
    caplog: pytest.LogCaptureFixture,
) -> None:
    import socket

    from routing.worker_metrics import serve_worker_metrics

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with caplog.at_level(logging.WARNING, logger="routing.worker_metrics"):
            assert serve_worker_metrics(port, "127.0.0.1") is False
    assert any(f"127.0.0.1:{port}" in r.getMessage() for r in caplog.records)
    assert serve_worker_metrics(0) is False
