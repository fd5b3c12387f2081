"""The identity review pages in the dashboard, over real HTTP: an operator signs in, decides
a possible match from the page; an admin undoes a merge from the merge history; a viewer
may not see the pages, nor an operator unmerge."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest

from adapters.transports.local_server import serving
from core_records.identifiers import NOMS, Identifier
from core_records.identity.merges import Merges
from gatehouse.app import create_app
from gatehouse.bootstrap import Hub, build_hub
from gatehouse.settings import Settings
from tests.e2e.dashboard_support import create_user, csrf_of, signed_in_client
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
def api(hub: Hub) -> Iterator[str]:
    with serving(create_app(hub), name="gatehouse-api") as base_url:
        yield base_url


def _signed_in(hub: Hub, api: str, username: str, role: str) -> httpx.Client:
    create_user(hub, username, role)
    return signed_in_client(api, username)


def _received_and_released(hub: Hub) -> str:
    known = particulars(pnc(1), surname="HARGREAVES", forenames="LIAM", born=BORN)
    [received] = hub.store.apply([message(reception(known))])
    hub.store.apply([message(release(pnc(1)))])
    assert received.person_key is not None
    return received.person_key


def test_the_pages_need_a_dashboard_user_with_the_role(hub: Hub, api: str) -> None:
    anonymous = httpx.get(f"{api}/dashboard/identity/cases", timeout=10)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/dashboard/sign-in")
    with closing(_signed_in(hub, api, "val", "viewer")) as viewer:
        assert viewer.get("/dashboard/identity/cases").status_code == 403
        assert viewer.get("/dashboard/identity/merges").status_code == 403


def test_an_operator_links_a_held_reception_from_the_review_page(hub: Hub, api: str) -> None:
    prison_number = _received_and_released(hub)
    twin = particulars(surname="HARGREAVES", forenames="NOEL", born=BORN)
    [held] = hub.store.apply([message(reception(twin, "MDI", at=MONDAY + timedelta(days=9)))])
    assert held.status == "held"

    with closing(_signed_in(hub, api, "olive", "operator")) as browser:
        page = browser.get("/dashboard/identity/cases")
        assert page.status_code == 200 and "Possible matches" in page.text
        assert prison_number in page.text and "dateOfBirth: exact" in page.text
        assert "HARGREAVES, NOEL" in page.text
        case_id = re.search(r'id="case-(\d+)"', page.text)
        assert case_id is not None
        path = f"/dashboard/identity/cases/{case_id.group(1)}"

        forged = browser.post(f"{path}/link", data={"prison_number": prison_number})
        assert forged.status_code == 403 and "CSRF" in forged.text
        after = browser.post(
            f"{path}/link",
            data={"prison_number": prison_number, "csrf_token": csrf_of(page.text)},
            follow_redirects=True,
        )
        assert after.status_code == 200 and "No reception is waiting" in after.text
        view = hub.store.person_view(Identifier(NOMS, prison_number))
        assert view is not None and view["establishment"] == "MDI"

        again = browser.post(
            f"{path}/new", data={"csrf_token": csrf_of(page.text)}, follow_redirects=True
        )
        assert again.status_code == 409 and "decided already" in again.text


def test_an_admin_sees_the_merge_history_and_undoes_a_merge(hub: Hub, api: str) -> None:
    survivor = _received_and_released(hub)
    [other] = hub.store.apply([message(reception(particulars(pnc(2)), "MDI"))])
    assert other.person_key is not None
    merge = Merges(hub.engine).merge(survivor, other.person_key, actor="alice", reason="dup")
    unmerge = f"/dashboard/identity/merges/{merge.id}/unmerge"

    with closing(_signed_in(hub, api, "olive", "operator")) as operator:
        history = operator.get("/dashboard/identity/merges")
        assert history.status_code == 200 and f'id="merge-{merge.id}"' in history.text
        assert unmerge not in history.text
        refused = operator.post(unmerge, data={"csrf_token": csrf_of(history.text)})
        assert refused.status_code == 403

    with closing(_signed_in(hub, api, "alice", "admin")) as admin:
        history = admin.get("/dashboard/identity/merges")
        assert other.person_key in history.text and unmerge in history.text
        undone = admin.post(
            unmerge, data={"csrf_token": csrf_of(history.text)}, follow_redirects=True
        )
        assert undone.status_code == 200 and "by alice" in undone.text
    view = hub.store.person_view(Identifier(NOMS, other.person_key))
    assert view is not None and view["prisonNumber"] == other.person_key
