"""In real Chromium: an operator opens the estate page from the navigation, sees a migrating
prison's held legacy message, and takes the prison live with its button."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime

import httpx
import pytest

from adapters.lids.simulator import LidsMessages, LidsPerson
from core_records import estate
from gatehouse.bootstrap import Hub
from tests.e2e.dashboard_support import PASSWORD, create_user
from tests.e2e.test_dashboard_in_browser import CHROMIUM
from tests.running_hub import eventually
from tests.support import service_unavailable

DAY = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
PERSON = LidsPerson("AL9692", "HOLROYD", "KIERAN JAMES", date(1987, 11, 23), pnc_id="2003/0412876Y")


@pytest.fixture
def page() -> Iterator[object]:
    if not shutil.which(CHROMIUM):
        service_unavailable(f"Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.set_default_timeout(30_000)
            yield page
        finally:
            browser.close()


def test_an_operator_takes_a_prison_live_from_the_estate_page(
    hub: Hub, api: str, page: object
) -> None:
    from playwright.sync_api import Page, expect

    browser: Page = page  # type: ignore[assignment]
    create_user(hub, "otto", "operator")
    with hub.engine.begin() as connection:
        estate.change_state(connection, "LEI", estate.MIGRATING, actor="ops", at=DAY)
    token = hub.credentials.issue("lids-LEI")
    posted = httpx.post(
        f"{api}/api/v1/inbound/lids/reception",
        content=LidsMessages("LEI").reception(PERSON, DAY),
        headers={"Content-Type": "application/xml", "Authorization": f"Bearer {token}"},
    )
    assert posted.status_code == 202, posted.text

    def held() -> int:
        with hub.engine.connect() as connection:
            return estate.waiting_count(connection, "LEI")

    eventually(lambda: held() == 1, "the reception held for Leeds")

    browser.goto(f"{api}/dashboard/sign-in")
    browser.get_by_label("User name").fill("otto")
    browser.get_by_label("Password").fill(PASSWORD)
    browser.get_by_role("button", name="Sign in").click()
    browser.get_by_role("link", name="Estate").click()
    leeds = browser.locator('tr[data-establishment="LEI"]')
    expect(leeds).to_contain_text("migrating")
    expect(leeds.locator("td").nth(4)).to_have_text("1")
    expect(browser.locator('tr[data-establishment="DNI"]')).to_contain_text("run by serco")
    leeds.get_by_role("button", name="Go live").click()

    expect(browser.locator("#went-live")).to_contain_text("LEI is live")
    expect(browser.locator('tr[data-establishment="LEI"]')).to_contain_text("live")
    expect(browser.locator('tr[data-establishment="LEI"] td').nth(4)).to_have_text("")
    assert held() == 0
