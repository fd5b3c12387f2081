"""A service manager at the dashboard, in real headless Chromium: signs in, finds a
person's release by prison number, opens its trace, replays the dead letter it became, and
sees the interface turn green again."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator

import httpx
import pytest

from adapters.delius.simulator import DeliusReceiver
from adapters.private_prisons.simulator import OperatorSimulator
from core_records.identifiers import Identifier
from gatehouse.bootstrap import Hub
from tests.e2e.dashboard_support import PASSWORD, create_user
from tests.running_hub import eventually
from tests.support import service_unavailable

CHROMIUM = os.environ.get("GATEHOUSE_TEST_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture
def browser_page() -> Iterator[object]:
    if not shutil.which(CHROMIUM):
        service_unavailable(f"Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.set_default_timeout(30_000)
            yield page
        finally:
            browser.close()


def _post(api: str, token: str, message_type: str, body: bytes) -> None:
    response = httpx.post(
        f"{api}/api/v1/inbound/private_prisons/{message_type}",
        content=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/xml"},
        timeout=30,
    )
    assert response.status_code == 202, response.text


def test_a_service_manager_finds_a_release_traces_it_and_replays_its_dead_letter(
    hub: Hub, api: str, delius: tuple[str, DeliusReceiver], browser_page: object
) -> None:
    from playwright.sync_api import Page, expect

    page: Page = browser_page  # type: ignore[assignment]
    _, receiver = delius
    create_user(hub, "olu", "operator")
    token = hub.credentials.issue("serco")
    serco = OperatorSimulator(
        "serco", sorted(hub.registry.adapter("private_prisons").partners["serco"].establishments)
    )
    person = serco.person(known_to_prisons=False)
    _post(api, token, "reception", serco.reception(person))
    assert receiver.wait_for(1, timeout_s=30)
    view = hub.store.person_view(Identifier("LOCAL", f"serco:{person.local_id}"))
    assert view is not None
    prison_number = view["prisonNumber"]
    receiver.fail_next(1, status=400)  # Delius refuses the release outright
    _post(api, token, "release", serco.release(person))
    eventually(lambda: hub.dead_letters.count("waiting") == 1, "the release dead-lettered")

    page.goto(f"{api}/dashboard")
    expect(page).to_have_url(f"{api}/dashboard/sign-in?next=%2Fdashboard")
    page.get_by_label("User name").fill("olu")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Interfaces")).to_be_visible()
    delius_tile = page.locator('[data-interface="delius.outbound"]')
    expect(delius_tile.locator("[data-status]")).to_have_attribute("data-status", "red")
    expect(delius_tile).to_contain_text("1 dead letter(s) waiting")

    page.get_by_role("link", name="Messages").click()
    page.get_by_label("Prison number or other identifier").fill(prison_number)
    page.get_by_role("button", name="Search").click()
    release_row = page.locator("#results tbody tr", has_text="prisoner.released").filter(
        has_text="dead_lettered"
    )
    expect(release_row).to_have_count(1)
    release_row.get_by_role("link", name="trace").click()
    timeline = page.locator("#timeline")
    expect(timeline.locator('[data-hop="received"]').first).to_contain_text("release")
    expect(timeline.locator('[data-hop="stored"]')).to_have_count(1)
    expect(timeline.locator('[data-hop="dead_lettered"]')).to_contain_text("400")
    expect(page.get_by_text(prison_number).first).to_be_visible()

    page.get_by_role("link", name="Dead letters").click()
    row = page.locator("#dead-letters tbody tr").first
    expect(row).to_contain_text("delius.outbound")
    row.get_by_role("button", name="Replay").click()
    expect(page.get_by_role("status")).to_contain_text("replayed")
    assert receiver.wait_for(2, timeout_s=30)

    page.get_by_role("link", name="Overview").click()
    status = page.locator('[data-interface="delius.outbound"] [data-status]')
    deadline = time.monotonic() + 30
    while status.get_attribute("data-status") != "green" and time.monotonic() < deadline:
        page.wait_for_timeout(250)
        page.reload()
    expect(status).to_have_attribute("data-status", "green")
    expect(page.locator('[data-interface="delius.outbound"]')).to_contain_text("none")
