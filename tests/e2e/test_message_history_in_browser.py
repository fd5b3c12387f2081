"""Reading kept documents at the dashboard, in real headless Chromium: a user with the content
grant opens the document Delius was sent from the trace, gives a reason and reads it, and
the audit trail records who read which document and why; an admin without the grant sees
hops only and is refused the document's address."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from adapters.delius.simulator import DeliusReceiver
from core_records.bookkeeping.audit import audit_trail
from core_records.bookkeeping.message_history import MessageHistory, StoredDocument
from gatehouse.bootstrap import Hub
from monitoring.dashboard.users import DashboardUsers
from tests.e2e.dashboard_support import (
    SAMPLE,
    create_user,
    csrf_of,
    sign_in_in_browser,
    signed_in_client,
)
from tests.running_hub import eventually
from tests.support import service_unavailable

CHROMIUM = os.environ.get("GATEHOUSE_TEST_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture
def browser() -> Iterator[object]:
    if not shutil.which(CHROMIUM):
        service_unavailable(f"Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        try:
            yield launched
        finally:
            launched.close()


def _a_reception_reaches_delius(hub: Hub, api: str, receiver: DeliusReceiver) -> StoredDocument:
    """Post a reception; the kept document Delius was sent because of it."""
    response = httpx.post(
        f"{api}/api/v1/inbound/private_prisons/reception",
        content=SAMPLE.read_bytes(),
        headers={
            "Authorization": f"Bearer {hub.credentials.issue('serco')}",
            "Content-Type": "application/xml",
        },
        timeout=30,
    )
    assert response.status_code == 202, response.text
    assert receiver.wait_for(1, timeout_s=30)
    history = MessageHistory(hub.engine)
    correlation_id = response.json()["messageId"]

    def sent_to_delius() -> list[StoredDocument]:
        return [
            d
            for d in history.documents_for(correlation_id=correlation_id)
            if d.interface == "delius.outbound"
        ]

    eventually(sent_to_delius, "the document sent to Delius to be kept")
    return sent_to_delius()[0]


def _sign_in(page, api: str, username: str) -> None:  # type: ignore[no-untyped-def]
    sign_in_in_browser(page, f"{api}/dashboard/sign-in", username)
    page.get_by_role("heading", name="Interfaces").wait_for()


def test_a_granted_user_reads_a_sent_document_with_a_reason_and_the_reading_is_audited(
    hub: Hub, api: str, delius: tuple[str, DeliusReceiver], browser: object
) -> None:
    from playwright.sync_api import Browser, expect

    _, receiver = delius
    sent = _a_reception_reaches_delius(hub, api, receiver)
    create_user(hub, "vera", "viewer")
    DashboardUsers(hub.engine, session_lifetime=timedelta(hours=1)).grant_content(
        "vera", True, actor="test"
    )
    page = browser.new_page()  # type: ignore[attr-defined]
    assert isinstance(browser, Browser)
    _sign_in(page, api, "vera")

    page.goto(f"{api}/dashboard/trace/{sent.correlation_id}")
    timeline = page.locator("#timeline")
    delivered = timeline.locator('[data-hop="delivered"]', has_text="delius")
    expect(delivered.locator(".document")).to_contain_text("delius.outbound")
    expect(timeline.locator('[data-hop="stored"] .document')).to_contain_text(
        "private_prisons.inbound"
    )
    delivered.get_by_role("link", name="document sent").click()
    expect(page.locator("#document-facts")).to_contain_text(sent.sha256)
    expect(page.locator("#document-content")).to_have_count(0)
    page.get_by_label("Why you need to read it").fill("Delius says it never got this release")
    page.get_by_role("button", name="Show the document").click()

    content = page.locator("#document-content")
    expect(content).to_contain_text("<NomsNumber>")
    expect(content).to_contain_text(receiver.received[0].body.decode().split("<NomsNumber>")[1][:7])
    expect(page.get_by_role("status")).to_contain_text("recorded in the audit trail")
    with hub.engine.connect() as connection:
        [reading] = audit_trail(connection, f"message_document:{sent.id}")
    assert (reading.actor, reading.action) == ("vera", "message_document.viewed")
    assert reading.detail is not None
    assert "Delius says it never got this release" in reading.detail
    assert sent.message_id in reading.detail


def test_an_admin_without_the_grant_sees_hops_only_and_is_refused_the_document(
    hub: Hub, api: str, delius: tuple[str, DeliusReceiver], browser: object
) -> None:
    from playwright.sync_api import expect

    _, receiver = delius
    sent = _a_reception_reaches_delius(hub, api, receiver)
    create_user(hub, "ada", "admin")
    page = browser.new_page()  # type: ignore[attr-defined]
    _sign_in(page, api, "ada")

    page.goto(f"{api}/dashboard/trace/{sent.correlation_id}")
    expect(page.locator('#timeline [data-hop="delivered"]').first).to_be_visible()
    expect(page.locator("#timeline .document")).to_have_count(0)
    page.goto(f"{api}/dashboard/users")
    expect(page.locator('[data-user="ada"] [data-content-grant]')).to_have_text("no")
    response = page.goto(f"{api}/dashboard/documents/{sent.id}")
    assert response is not None and response.status == 403
    expect(page.locator("body")).to_contain_text("grant-content")

    client = signed_in_client(api, "ada")
    try:
        csrf = csrf_of(client.get("/dashboard").text)
        refused = client.post(
            f"/dashboard/documents/{sent.id}", data={"csrf_token": csrf, "reason": "curious"}
        )
    finally:
        client.close()
    assert refused.status_code == 403
    assert "<NomsNumber>" not in refused.text
    with hub.engine.connect() as connection:
        assert audit_trail(connection, f"message_document:{sent.id}") == []


def test_an_admin_grants_document_reading_to_another_user_and_not_to_themselves(
    hub: Hub, api: str, delius: tuple[str, DeliusReceiver], browser: object
) -> None:
    from playwright.sync_api import expect

    _, receiver = delius
    sent = _a_reception_reaches_delius(hub, api, receiver)
    create_user(hub, "ada", "admin")
    create_user(hub, "sam", "operator")
    page = browser.new_page()  # type: ignore[attr-defined]
    _sign_in(page, api, "ada")
    page.goto(f"{api}/dashboard/users")
    sam = page.locator('[data-user="sam"]')
    expect(sam.locator("[data-content-grant]")).to_have_text("no")
    # No button of her own: reading documents is given by someone else.
    expect(page.locator('[data-user="ada"]').get_by_role("button")).to_have_count(0)

    sam.get_by_role("button", name="Grant document reading").click()
    expect(page.get_by_role("status")).to_have_text("sam may now read kept documents.")
    expect(sam.locator("[data-content-grant]")).to_have_text("yes")

    reader = browser.new_page()  # type: ignore[attr-defined]
    _sign_in(reader, api, "sam")
    reader.goto(f"{api}/dashboard/trace/{sent.correlation_id}")
    expect(reader.locator("#timeline .document").first).to_be_visible()

    sam.get_by_role("button", name="Revoke document reading").click()
    expect(sam.locator("[data-content-grant]")).to_have_text("no")
    response = reader.goto(f"{api}/dashboard/documents/{sent.id}")
    assert response is not None and response.status == 403

    # Asked of her own row directly, the grant is refused and nothing changes.
    client = signed_in_client(api, "ada")
    try:
        csrf = csrf_of(client.get("/dashboard/users").text)
        refused = client.post(
            "/dashboard/users/ada/content",
            data={"csrf_token": csrf, "granted": "true"},
            follow_redirects=True,
        )
    finally:
        client.close()
    assert "cannot change your own content grant" in refused.text
    with hub.engine.connect() as connection:
        assert [(e.action, e.actor) for e in audit_trail(connection, "user:sam")][-2:] == [
            ("content_view.granted", "ada"),
            ("content_view.revoked", "ada"),
        ]
        assert audit_trail(connection, "user:ada")[-1].action != "content_view.granted"
