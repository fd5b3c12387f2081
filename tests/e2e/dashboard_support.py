"""Helpers for dashboard tests: users, and an HTTP client or a browser page that signs in
through the form."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import httpx

from adapters.delius.simulator import DeliusReceiver
from gatehouse.bootstrap import Hub
from monitoring.dashboard.users import DashboardUsers
from tests.running_hub import eventually

PASSWORD = "correct horse battery staple"
SAMPLE = (
    Path(__file__).parents[2] / "adapters/private_prisons/samples/valid/reception-new-person.xml"
)
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def create_user(hub: Hub, username: str, role: str) -> None:
    DashboardUsers(hub.engine, session_lifetime=timedelta(hours=1)).create(
        username, PASSWORD, role, actor="test"
    )


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "the page has a form with a CSRF token"
    return match.group(1)


def sign_in_in_browser(page: object, url: str, username: str) -> None:
    """Open ``url`` in a Playwright page and sign in as ``username`` on the form it leads to;
    the dashboard then shows ``url``."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    page.goto(url)
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def signed_in_client(api: str, username: str, password: str = PASSWORD) -> httpx.Client:
    """A client signed in as ``username``; the caller closes it."""
    client = httpx.Client(base_url=api, timeout=30)
    page = client.get("/dashboard/sign-in")
    response = client.post(
        "/dashboard/sign-in",
        data={"username": username, "password": password, "csrf_token": csrf_of(page.text)},
    )
    assert response.status_code == 303, response.text
    return client


def dead_letter_a_delivery(hub: Hub, api: str, receiver: DeliusReceiver) -> int:
    """Post a reception that Delius refuses outright; the id of the dead letter it becomes."""
    receiver.fail_next(1, status=400)
    token = hub.credentials.issue("serco")
    response = httpx.post(
        f"{api}/api/v1/inbound/private_prisons/reception",
        content=SAMPLE.read_bytes(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/xml"},
        timeout=30,
    )
    assert response.status_code == 202, response.text
    eventually(lambda: hub.dead_letters.count("waiting") == 1, "the refused event dead-lettered")
    [record] = hub.dead_letters.list()
    return record.id
