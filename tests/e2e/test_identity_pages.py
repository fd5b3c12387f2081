"""The identity review pages over real HTTP: an admin signs in, decides a possible match
from the page, and undoes a merge from the merge history."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest

from adapters.transports.local_server import serving
from core_records.credentials import ADMIN, DATA_SHARE
from core_records.identifiers import NOMS, Identifier
from core_records.merges import Merges
from gatehouse.app import create_app
from gatehouse.bootstrap import Hub, build_hub
from gatehouse.settings import Settings
from tests.integration.core_records.examples import (
    MONDAY,
    message,
    particulars,
    pnc,
    reception,
    release,
)

BORN = date(1979, 11, 3)


@pytest.fixture
def hub(postgres_url: str, tmp_path: Path) -> Iterator[Hub]:
    hub = build_hub(Settings(database_url=postgres_url, data_dir=tmp_path, namespace="ip"))
    try:
        yield hub
    finally:
        hub.close()


@pytest.fixture
def browser(hub: Hub) -> Iterator[httpx.Client]:
    with (
        serving(create_app(hub), name="gatehouse-api") as base_url,
        httpx.Client(base_url=base_url, timeout=10) as client,
    ):
        yield client


def _sign_in(client: httpx.Client, token: str) -> httpx.Response:
    return client.post("/admin/identity/sign-in", data={"token": token}, follow_redirects=True)


def _received_and_released(hub: Hub) -> str:
    known = particulars(pnc(1), surname="HARGREAVES", forenames="LIAM", born=BORN)
    [received] = hub.store.apply([message(reception(known))])
    hub.store.apply([message(release(pnc(1)))])
    assert received.person_key is not None
    return received.person_key


def test_pages_need_an_admin_token(hub: Hub, browser: httpx.Client) -> None:
    assert browser.get("/admin/identity/cases").status_code == 303
    partner = hub.credentials.issue("delius", scopes=(DATA_SHARE,))
    assert _sign_in(browser, partner).status_code == 401
    assert browser.get("/admin/identity/merges").headers["location"].endswith("/sign-in")


def test_an_admin_links_a_held_reception_from_the_review_page(
    hub: Hub, browser: httpx.Client
) -> None:
    prison_number = _received_and_released(hub)
    twin = particulars(surname="HARGREAVES", forenames="NOEL", born=BORN)
    [held] = hub.store.apply([message(reception(twin, "MDI", at=MONDAY + timedelta(days=9)))])
    assert held.status == "held"

    page = _sign_in(browser, hub.credentials.issue("admin:alice", scopes=(ADMIN,)))
    assert page.status_code == 200 and "Possible matches" in page.text
    assert prison_number in page.text and "dateOfBirth: exact" in page.text
    assert "HARGREAVES, NOEL" in page.text
    case_id = re.search(r'id="case-(\d+)"', page.text)
    assert case_id is not None

    after = browser.post(
        f"/admin/identity/cases/{case_id.group(1)}/link",
        data={"prison_number": prison_number},
        follow_redirects=True,
    )
    assert after.status_code == 200 and "No reception is waiting" in after.text
    view = hub.store.person_view(Identifier(NOMS, prison_number))
    assert view is not None and view["establishment"] == "MDI"

    again = browser.post(f"/admin/identity/cases/{case_id.group(1)}/new", follow_redirects=True)
    assert again.status_code == 409 and "decided already" in again.text


def test_an_admin_sees_the_merge_history_and_undoes_a_merge(
    hub: Hub, browser: httpx.Client
) -> None:
    survivor = _received_and_released(hub)
    [other] = hub.store.apply([message(reception(particulars(pnc(2)), "MDI"))])
    assert other.person_key is not None
    merge = Merges(hub.engine).merge(survivor, other.person_key, actor="alice", reason="dup")

    page = _sign_in(browser, hub.credentials.issue("admin:alice", scopes=(ADMIN,)))
    history = browser.get("/admin/identity/merges")
    assert page.status_code == 200 and history.status_code == 200
    assert f'id="merge-{merge.id}"' in history.text and other.person_key in history.text

    undone = browser.post(f"/admin/identity/merges/{merge.id}/unmerge", follow_redirects=True)
    assert undone.status_code == 200 and "by admin:alice" in undone.text
    view = hub.store.person_view(Identifier(NOMS, other.person_key))
    assert view is not None and view["prisonNumber"] == other.person_key
