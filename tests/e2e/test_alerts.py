"""Alerts on interface health changes reach a real webhook receiver and a real SMTP server,
once per change."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from fastapi import FastAPI, Request

from adapters.delius.simulator import DeliusReceiver
from adapters.transports.local_server import serving
from gatehouse.app import create_app
from routing.dead_letters import replay
from tests.e2e.dashboard_support import SAMPLE
from tests.running_hub import eventually, hub_settings, running_hub

QUIET_SLA = """
[defaults]
silence_minutes = 0   # the test's partners are not expected to be busy
dead_letters_red = 1
"""


class Inbox:
    """What the SMTP server was handed."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, Inbox]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []
    lock = threading.Lock()
    app = FastAPI()

    @app.post("/alerts")
    async def alert(request: Request) -> dict[str, str]:
        with lock:
            received.append(await request.json())
        return {"status": "ok"}

    with serving(app, name="alert-receiver") as url:
        yield f"{url}/alerts", received


@pytest.mark.parametrize("backend", ["embedded", "rabbitmq"], indirect=True)
def test_a_failing_interface_alerts_once_by_webhook_and_email_and_again_when_it_recovers(
    backend: dict[str, str | None],
    delius: tuple[str, DeliusReceiver],
    namespace: str,
    tmp_path: Path,
    smtp_server: tuple[int, Inbox],
    webhook: tuple[str, list[dict[str, Any]]],
) -> None:
    delius_url, receiver = delius
    smtp_port, inbox = smtp_server
    webhook_url, posted = webhook
    sla_file = tmp_path / "sla.toml"
    sla_file.write_text(QUIET_SLA)
    settings = hub_settings(
        database_url=backend["database_url"] or "",
        broker_url=backend["broker_url"],
        namespace=namespace,
        data_dir=tmp_path,
        delius_url=delius_url,
        sla_file=sla_file,
        health_interval_s=0.1,
        alert_webhook_url=webhook_url,
        alert_smtp_host="127.0.0.1",
        alert_smtp_port=smtp_port,
        alert_email_to=("service-desk@example.org",),
    )
    receiver.fail_next(1, status=400)
    with running_hub(settings) as hub, serving(create_app(hub)) as api:
        token = hub.credentials.issue("serco")
        response = httpx.post(
            f"{api}/api/v1/inbound/private_prisons/reception",
            content=SAMPLE.read_bytes(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/xml"},
        )
        assert response.status_code == 202

        eventually(lambda: posted and inbox.messages, "the red alert by webhook and email")
        time.sleep(1.0)  # ten more rounds of the monitor: none may repeat the alert
        [red] = posted
        assert (red["interface"], red["status"], red["previousStatus"]) == (
            "delius.outbound",
            "red",
            "green",
        )
        assert red["reason"] == "1 dead letter(s) waiting"
        [email] = inbox.messages
        assert email["To"] == "service-desk@example.org"
        assert email["Subject"].strip().startswith("[Gatehouse] delius.outbound is RED (was green)")

        [record] = hub.dead_letters.list()
        replay(hub.dead_letters, hub.transport, record.id, "olu")
        assert receiver.wait_for(1, timeout_s=30)
        eventually(lambda: len(posted) == 2 and len(inbox.messages) == 2, "the green alert")
        assert (posted[1]["status"], posted[1]["previousStatus"]) == ("green", "red")
        assert [m["Subject"].strip().split(":")[0] for m in inbox.messages] == [
            "[Gatehouse] delius.outbound is RED (was green)",
            "[Gatehouse] delius.outbound is GREEN (was red)",
        ]
