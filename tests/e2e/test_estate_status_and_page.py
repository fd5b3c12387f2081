"""The estate from a service manager's side, on a running hub (both backends): the status
command lists every prison, the dashboard's estate page shows the same, and an operator
(never a viewer, never without the session's CSRF token) takes a prison live from it."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import httpx

from adapters.lids.simulator import LidsMessages, LidsPerson
from core_records import estate
from core_records.bookkeeping.audit import audit_trail
from gatehouse.bootstrap import Hub
from tests.e2e.dashboard_support import create_user, csrf_of, signed_in_client
from tests.e2e.test_cli import run

DAY = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
PERSON = LidsPerson("AL9692", "HOLROYD", "KIERAN JAMES", date(1987, 11, 23), pnc_id="2003/0412876Y")


def test_estate_status_lists_all_126_prisons_with_their_state_and_last_message(
    hub: Hub, api: str
) -> None:
    token = hub.credentials.issue("lids-LEI")
    posted = httpx.post(
        f"{api}/api/v1/inbound/lids/reception",
        content=LidsMessages("LEI").reception(PERSON, DAY),
        headers={"Content-Type": "application/xml", "Authorization": f"Bearer {token}"},
    )
    assert posted.status_code == 202, posted.text
    assert run(hub, "estate", "start-migration", "MHI")[0] == 0

    code, out = run(hub, "estate", "status", "--json")

    assert code == 0, out
    rows = {row["establishment"]: row for row in json.loads(out)}
    assert len(rows) == 126
    assert rows["LEI"]["state"] == "legacy" and rows["LEI"]["lastMessageAt"] is not None
    assert rows["MHI"]["state"] == "migrating" and rows["MHI"]["changedBy"]
    assert (rows["DNI"]["state"], rows["DNI"]["runBy"]) == ("contracted", "serco")
    assert rows["WDI"]["lastMessageAt"] is None
    code, text = run(hub, "estate", "status")
    assert len(text.splitlines()) == 126
    assert any(line.startswith("DNI ") and "run by serco" in line for line in text.splitlines())
    code, refused = run(hub, "estate", "go-live", "LEI")
    assert code == 1 and "LEI is legacy, not migrating" in refused
    code, token = run(hub, "tokens", "create", "--establishment", "mhi")
    assert code == 0, token
    assert hub.credentials.authenticate(token.splitlines()[0]) == "case-management-mhi"
    assert run(hub, "tokens", "create")[0] == 2
    code, said = run(hub, "estate", "go-live", "MHI")
    assert code == 0, said
    assert "MHI is live" in said and "held messages: none" in said
    with hub.engine.connect() as connection:
        assert estate.state_of(connection, "MHI").state == estate.LIVE


def test_an_operator_takes_a_migrating_prison_live_from_the_estate_page(hub: Hub, api: str) -> None:
    create_user(hub, "vera", "viewer")
    create_user(hub, "otto", "operator")
    with hub.engine.begin() as connection:
        estate.change_state(connection, "MHI", estate.MIGRATING, actor="ops", at=DAY)
    viewer, operator = signed_in_client(api, "vera"), signed_in_client(api, "otto")
    try:
        page = viewer.get("/dashboard/estate")
        assert page.status_code == 200
        assert 'data-establishment="MHI" data-state="migrating"' in page.text
        assert "run by serco" in page.text and "Go live" not in page.text
        assert 'href="/dashboard/estate"' in page.text
        denied = viewer.post("/dashboard/estate/MHI/go-live", data={"csrf_token": "x"})
        forged = operator.post("/dashboard/estate/MHI/go-live", data={"csrf_token": "forged"})
        assert denied.status_code == 403 and forged.status_code == 403

        form = operator.get("/dashboard/estate")
        assert "Go live" in form.text
        done = operator.post(
            "/dashboard/estate/MHI/go-live", data={"csrf_token": csrf_of(form.text)}
        )
        again = operator.post(
            "/dashboard/estate/MHI/go-live", data={"csrf_token": csrf_of(form.text)}
        )
    finally:
        viewer.close()
        operator.close()

    assert done.status_code == 303 and done.headers["location"] == "/dashboard/estate?live=MHI"
    assert again.status_code == 409
    with hub.engine.connect() as connection:
        assert estate.state_of(connection, "MHI").state == estate.LIVE
        trail = audit_trail(connection, "establishment:MHI")
    assert [(a.actor, a.action) for a in trail][-1] == ("otto", "establishment.went_live")
