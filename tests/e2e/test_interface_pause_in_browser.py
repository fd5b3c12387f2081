"""A service manager pauses Delius from its interface page in real headless Chromium: the
page and the overview say PAUSED, with who paused it, why and since when; a release posted
meanwhile waits in the queue; Resume delivers it."""

from __future__ import annotations

import httpx
import pytest

from adapters.delius.simulator import DeliusReceiver
from adapters.private_prisons.simulator import OperatorSimulator
from core_records.bookkeeping.audit import audit_trail
from gatehouse.bootstrap import Hub
from tests.e2e.dashboard_support import PASSWORD, create_user
from tests.e2e.test_dashboard_in_browser import browser_page  # noqa: F401  (a fixture)
from tests.integration.test_interface_pause import consumers_of
from tests.running_hub import eventually

pytestmark = pytest.mark.parametrize("backend", ["rabbitmq"], indirect=True)


def test_the_interface_page_says_paused_with_who_and_why_and_resume_delivers(
    hub: Hub,
    api: str,
    delius: tuple[str, DeliusReceiver],
    browser_page: object,  # noqa: F811
) -> None:
    from playwright.sync_api import Page, expect

    page: Page = browser_page  # type: ignore[assignment]
    _, receiver = delius
    create_user(hub, "olu", "operator")

    page.goto(f"{api}/dashboard/interfaces/delius/outbound")
    page.get_by_label("User name").fill("olu")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Why pause it?").fill("Delius planned outage, 18:00-20:00")
    page.get_by_role("button", name="Pause deliveries").click()

    status = page.locator("h1 [data-status]")
    expect(status).to_have_attribute("data-status", "paused")
    expect(status).to_have_text("PAUSED", use_inner_text=True)
    pause = page.locator("#pause")
    expect(pause.locator("[data-paused-by]")).to_have_text("olu")
    expect(pause.locator("[data-pause-reason]")).to_have_text("Delius planned outage, 18:00-20:00")
    expect(pause).to_contain_text("since")

    queue = hub.topology.outbound_queue("delius")
    eventually(lambda: consumers_of(hub.settings, queue) == 0, "the worker to stop consuming")
    token = hub.credentials.issue("serco")
    serco = OperatorSimulator(
        "serco", sorted(hub.registry.adapter("private_prisons").partners["serco"].establishments)
    )
    answer = httpx.post(
        f"{api}/api/v1/inbound/private_prisons/reception",
        content=serco.reception(serco.person(known_to_prisons=False)),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/xml"},
        timeout=30,
    )
    assert answer.status_code == 202, answer.text
    eventually(lambda: hub.transport.queue_depth(queue) == 1, "the event waiting in the queue")
    assert receiver.requests == 0

    page.get_by_role("link", name="Overview").click()
    tile = page.locator('[data-interface="delius.outbound"]')
    expect(tile.locator("[data-status]")).to_have_attribute("data-status", "paused")
    expect(tile).to_contain_text("paused by olu")
    expect(tile).to_contain_text("1 deliveries waiting")

    tile.get_by_role("link").first.click()
    page.get_by_role("button", name="Resume").click()
    expect(page.locator("h1 [data-status]")).not_to_have_attribute("data-status", "paused")
    assert receiver.wait_for(1, timeout_s=30)
    with hub.engine.connect() as connection:
        trail = audit_trail(connection, "interface:delius.outbound")
    assert [(e.action, e.actor) for e in trail] == [
        ("interface.paused", "olu"),
        ("interface.resumed", "olu"),
    ]
