"""A service manager sets Delius's schedule of automatic dead-letter retries from its
interface page in real headless Chromium: the page shows the hub's default until then, and
the new schedule, its own, after; the store holds it for the scheduler and the audit trail
names who set it. A viewer sees the schedule without the form, and a schedule out of bounds
is refused with a problem document, changing nothing."""

from __future__ import annotations

import pytest

from core_records.bookkeeping.audit import audit_trail
from core_records.bookkeeping.interface_control import InterfaceControl, RetrySchedule
from gatehouse.bootstrap import Hub
from tests.e2e.dashboard_support import (
    create_user,
    csrf_of,
    sign_in_in_browser,
    signed_in_client,
)
from tests.e2e.test_dashboard_in_browser import browser_page  # noqa: F401  (a fixture)

pytestmark = pytest.mark.parametrize("backend", ["embedded"], indirect=True)

PAGE = "/dashboard/interfaces/delius/outbound"


def test_an_operator_sets_delius_s_retry_schedule_on_its_interface_page(
    hub: Hub,
    api: str,
    browser_page: object,  # noqa: F811
) -> None:
    from playwright.sync_api import Page, expect

    page: Page = browser_page  # type: ignore[assignment]
    create_user(hub, "olu", "operator")
    settings = hub.settings
    sign_in_in_browser(page, f"{api}{PAGE}", "olu")

    retry = page.locator("#dead-letter-retry")
    expect(retry.locator("[data-retry-schedule]")).to_have_text(
        f"every {settings.dead_letter_retry_interval_s} s,"
        f" at most {settings.dead_letter_retry_max} times",
        use_inner_text=True,
    )
    expect(retry.locator("[data-retry-source]")).to_have_text("the hub's default")

    page.get_by_label("Retry every").fill("120")
    page.get_by_label("at most").fill("3")
    page.get_by_role("button", name="Set retry schedule").click()

    expect(page).to_have_url(f"{api}{PAGE}")
    expect(retry.locator("[data-retry-schedule]")).to_have_text(
        "every 120 s, at most 3 times", use_inner_text=True
    )
    expect(retry.locator("[data-retry-source]")).to_have_text("this interface's own schedule")
    assert InterfaceControl(hub.engine).schedules() == {"delius.outbound": RetrySchedule(120, 3)}
    with hub.engine.connect() as connection:
        trail = audit_trail(connection, "interface:delius.outbound")
    assert [(e.action, e.actor, e.detail) for e in trail] == [
        ("interface.retry_schedule_set", "olu", "every 120 s, at most 3")
    ]


def test_a_viewer_sees_the_schedule_without_the_form_and_bounds_are_kept(
    hub: Hub,
    api: str,
    browser_page: object,  # noqa: F811
) -> None:
    from playwright.sync_api import Page, expect

    page: Page = browser_page  # type: ignore[assignment]
    create_user(hub, "vic", "viewer")
    sign_in_in_browser(page, f"{api}{PAGE}", "vic")
    retry = page.locator("#dead-letter-retry")
    expect(retry.locator("[data-retry-source]")).to_have_text("the hub's default")
    expect(page.get_by_role("button", name="Set retry schedule")).to_have_count(0)

    # An operator's post with a zero interval (the form's min=1 aside) is refused whole.
    create_user(hub, "olu", "operator")
    client = signed_in_client(api, "olu")
    try:
        token = csrf_of(client.get(PAGE).text)
        refused = client.post(
            f"{PAGE}/dead-letter-retry",
            data={"csrf_token": token, "every_s": "0", "max_retries": "3"},
        )
    finally:
        client.close()
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "every_s" in refused.text
    assert InterfaceControl(hub.engine).schedules() == {}
