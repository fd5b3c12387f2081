"""``make demo``: ``gatehouse demo`` in a process of its own, as a newcomer starts it. It must
serve, take a message posted with the token it prints, and simulate every partner."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from gatehouse.demo import estate as demo_estate
from gatehouse.demo.dashboard import DEMO_PASSWORD, DEMO_USER
from gatehouse.demo.lids import PRISONS as LIDS_PRISONS
from tests.e2e.dashboard_support import signed_in_client
from tests.running_hub import eventually

RECEPTION = (
    Path(__file__).parents[2] / "adapters/private_prisons/samples/valid/reception-new-person.xml"
)
EVERY_INTERFACE = {
    ("delius", "outbound"), ("delius", "inbound"), ("oasys", "outbound"), ("oasys", "inbound"),
    ("private_prisons", "inbound"), ("private_prisons", "outbound"), ("pnc", "outbound"),
    ("pnc", "inbound"), ("security", "outbound"), ("security", "inbound"),
    ("kiosks", "inbound"), ("prison_shops", "inbound"), ("courts", "inbound"),
    ("courts", "outbound"), ("lids", "inbound"), ("case_management", "inbound"),
}  # fmt: skip
"""Each adapter in each direction its partner uses, as the dashboard shows them."""


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The demo serving on a free port with its data under ``tmp_path``: its URL and data."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    log = (tmp_path / "demo.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "gatehouse", "demo", "--port", str(port), "--rate", "8"],
        env={**_without_gatehouse_settings(), "GATEHOUSE_DATA_DIR": str(tmp_path / "var")},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        eventually(lambda: _live(base, process), "the demo to serve", timeout_s=90)
        yield base, tmp_path / "var"
    finally:
        process.send_signal(signal.SIGINT)
        try:
            code = process.wait(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
            log.close()
        assert code == 0, (tmp_path / "demo.log").read_text()[-3000:]


def _without_gatehouse_settings() -> dict[str, str]:
    """This environment without GATEHOUSE_* settings: the demo runs on its own defaults."""
    return {k: v for k, v in os.environ.items() if not k.startswith("GATEHOUSE_")}


def _live(base: str, process: subprocess.Popen[bytes]) -> bool:
    assert process.poll() is None, "the demo exited"
    try:
        return httpx.get(f"{base}/health/live", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _interfaces_with_traffic(base: str) -> set[tuple[str, str]]:
    families = text_string_to_metric_families(httpx.get(f"{base}/metrics", timeout=30).text)
    return {
        (sample.labels["adapter"], sample.labels["direction"])
        for family in families
        if family.name == "gatehouse_interface_last_message_timestamp_seconds"
        for sample in family.samples
        if sample.value > 0
    }


def test_the_demo_serves_takes_a_posted_reception_and_simulates_every_partner(
    demo: tuple[str, Path],
) -> None:
    base, data = demo
    token = (data / "tokens" / "serco.token").read_text().strip()
    headers = {"Authorization": f"Bearer {token}"}
    response = httpx.post(
        f"{base}/api/v1/inbound/private_prisons/reception",
        content=RECEPTION.read_bytes(),
        headers={**headers, "Content-Type": "application/xml"},
        timeout=30,
    )
    assert response.status_code == 202, response.text
    status_url = base + response.headers["location"]

    def stored() -> bool:
        hops = httpx.get(status_url, headers=headers, timeout=30).json()["hops"]
        return any(hop["hop"] == "stored" for hop in hops)

    eventually(stored, "the posted reception to be stored", timeout_s=60)
    seen: set[tuple[str, str]] = set()

    def every_partner_heard() -> bool:
        seen.update(_interfaces_with_traffic(base))
        return seen >= EVERY_INTERFACE

    started = time.monotonic()
    try:
        eventually(every_partner_heard, "traffic on every interface", timeout_s=150, every_s=2)
    except AssertionError:
        pytest.fail(
            f"after {time.monotonic() - started:.0f} s no traffic on "
            f"{sorted(EVERY_INTERFACE - seen)}"
        )

    # The generic event subscriber: signed envelopes, each checked with hmac by its receiver,
    # and on the dashboard as an interface of its own, beside the simulated court.
    webhook_log = data / "demo-webhook.log"

    def verified_event() -> bool:
        lines = webhook_log.read_text().splitlines() if webhook_log.exists() else []
        # "verified <webhook-id> <eventType> <detailUrl>", the detailUrl on the demo's API
        return any(
            line.startswith("verified ")
            and " prisoner." in line
            and f"{base}/api/v1/people/" in line
            for line in lines
        )

    eventually(verified_event, "demo-webhook to verify an event", timeout_s=60, every_s=1)
    assert "REFUSED" not in webhook_log.read_text()
    client = signed_in_client(base, DEMO_USER, DEMO_PASSWORD)
    try:
        overview = client.get("/dashboard")
        estate_page = client.get("/dashboard/estate")
        report = client.get(demo_estate.report_url(base).removeprefix(base))
    finally:
        client.close()
    assert overview.status_code == 200
    assert "subscribers.demo-webhook" in overview.text
    assert "courts" in overview.text
    _the_estate_shows_the_migrated_prison_live(estate_page, report)
    _the_canteen_roll_lists_the_migrated_prisons_people(data)


def _the_estate_shows_the_migrated_prison_live(
    estate_page: httpx.Response, report: httpx.Response
) -> None:
    """Leeds, migrated from its extract in the demo, is live (by the demo) and links its
    report, whose totals reconcile; the prisons feeding LIDS are still on it."""
    assert estate_page.status_code == 200
    states = dict(re.findall(r'data-establishment="(\w+)" data-state="(\w+)"', estate_page.text))
    assert states[demo_estate.PRISON] == "live"
    assert {states[code] for code in LIDS_PRISONS} == {"legacy"}
    assert f'href="/dashboard/estate/{demo_estate.PRISON}/migration-report"' in estate_page.text
    assert 'href="/dashboard/estate/WWI/migration-report"' not in estate_page.text
    assert report.status_code == 200, report.text
    figure = {
        name: int(value)
        for name, value in re.findall(r"data-figure='([\w-]+)'>(\d+)<", report.text)
    }
    assert figure["rows-read"] == demo_estate.PEOPLE
    assert figure["rows-read"] == figure["loaded"] + figure["refused"] + figure["held"]
    assert figure["refused"] > 0 and figure["held"] > 0 and figure["matched"] > 0
    assert "data-figure='reconciles'" in report.text


def _the_canteen_roll_lists_the_migrated_prisons_people(data: Path) -> None:
    """``gatehouse canteen roll LEI``, on the demo's own store while it runs."""
    roll = subprocess.run(
        [sys.executable, "-m", "gatehouse", "canteen", "roll", demo_estate.PRISON],
        env={**_without_gatehouse_settings(), "GATEHOUSE_DATA_DIR": str(data)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert roll.returncode == 0, roll.stderr
    people = [line for line in roll.stdout.splitlines() if line.startswith("PER,")]
    assert len(people) > demo_estate.PEOPLE / 2, roll.stdout[:2000]
