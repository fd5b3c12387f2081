"""A replay asked for on the dashboard (over HTTP, and in real Chromium) and through the admin
API, on PostgreSQL and RabbitMQ with a real Delius receiver: the count comes first and sends
nothing, the confirmed replay is worked by the ``replays`` worker role, and the partner
receives it marked with its id."""

from __future__ import annotations

import re
from contextlib import closing
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import sqlalchemy as sa

from adapters.delius.simulator import DeliusReceiver, ReceivedDocument
from adapters.private_prisons.simulator import OperatorSimulator
from core_records import tables
from core_records.bookkeeping.credentials import ADMIN
from core_records.bookkeeping.replays import ReplayRuns
from gatehouse.bootstrap import Hub
from tests.e2e.dashboard_support import PASSWORD, create_user, csrf_of, signed_in_client
from tests.e2e.test_dashboard_in_browser import browser_page  # noqa: F401  (a fixture)
from tests.integration.test_pipeline_faults import SERCO_PRISONS, publish_inbound
from tests.running_hub import eventually

pytestmark = pytest.mark.parametrize("backend", ["rabbitmq"], indirect=True)


def deliver(hub: Hub, receiver: DeliusReceiver, people: int) -> None:
    operator = OperatorSimulator("serco", SERCO_PRISONS, seed=21)
    lives = [operator.person(sex="M", known_to_prisons=False) for _ in range(people)]
    publish_inbound(hub, [("reception", operator.reception(p, "DNI", "N")) for p in lives])
    eventually(lambda: len(receiver.received) == people, "the receptions delivered")
    j = tables.journal.c

    def journalled() -> int:
        with hub.engine.connect() as connection:
            query = sa.select(sa.func.count()).where(j.adapter == "delius", j.hop == "delivered")
            return int(connection.execute(query).scalar_one())

    eventually(lambda: journalled() == people, "the deliveries journalled")


def replayed(receiver: DeliusReceiver, run_id: str) -> list[str]:
    return [
        d.headers["x-gatehouse-event-id"]
        for d in receiver.received
        if d.headers.get("x-gatehouse-replay") == run_id
    ]


def status(hub: Hub, run_id: str) -> str | None:
    run = ReplayRuns(hub.engine).get(run_id)
    return run.status if run else None


def runs(hub: Hub) -> int:
    with hub.engine.connect() as connection:
        query = sa.select(sa.func.count()).select_from(tables.replay_run)
        return int(connection.execute(query).scalar_one())


def test_an_operator_counts_a_window_then_confirms_its_replay_on_the_dashboard(
    hub: Hub, api: str, delius: tuple[str, DeliusReceiver]
) -> None:
    _, receiver = delius
    since = (datetime.now(UTC) - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S")
    deliver(hub, receiver, 3)
    until = (datetime.now(UTC) + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S")
    create_user(hub, "olive", "operator")
    create_user(hub, "vic", "viewer")

    with closing(signed_in_client(api, "vic")) as viewer:
        assert viewer.get("/dashboard/interfaces/delius/outbound/replay").status_code == 403
        assert (
            'id="interface-replay"' not in viewer.get("/dashboard/interfaces/delius/outbound").text
        )

    with closing(signed_in_client(api, "olive")) as operator:
        page = operator.get("/dashboard/interfaces/delius/outbound")
        assert 'id="interface-replay"' in page.text
        window = {"since": since, "until": until, "mode": "rerender"}
        counted = operator.get("/dashboard/interfaces/delius/outbound/replay", params=window)
        assert counted.status_code == 200
        assert 'data-documents="3"' in counted.text
        assert runs(hub) == 0 and not any(
            "x-gatehouse-replay" in d.headers for d in receiver.received
        )

        refused = operator.post(
            "/dashboard/interfaces/delius/outbound/replay",
            data={**window, "reason": "no token", "csrf_token": "forged"},
        )
        assert refused.status_code == 403 and runs(hub) == 0

        confirmed = operator.post(
            "/dashboard/interfaces/delius/outbound/replay",
            data={
                **window,
                "reason": "Delius restored a backup",
                "csrf_token": csrf_of(counted.text),
            },
        )
        assert confirmed.status_code == 303
        [run] = ReplayRuns(hub.engine).recent("delius")
        assert run.actor == "olive" and f"Replay+{run.id}+started" in confirmed.headers["location"]

        eventually(lambda: len(replayed(receiver, run.id)) == 3, "the replay worked by the worker")
        eventually(lambda: status(hub, run.id) == "done", "the replay finished")
        done = ReplayRuns(hub.engine).get(run.id)
        assert done is not None and done.sent == 3
        listing = operator.get("/dashboard/interfaces/delius/outbound/replay").text
        assert re.search(rf'data-replay="{run.id}"', listing)


def test_an_admin_counts_and_replays_a_person_through_the_api(
    hub: Hub, api: str, delius: tuple[str, DeliusReceiver]
) -> None:
    _, receiver = delius
    deliver(hub, receiver, 2)
    person = receiver.received[0].body.split(b"<NomsNumber>")[1].split(b"<")[0].decode()
    admin = {"Authorization": f"Bearer {hub.credentials.issue('admin:ops', scopes=(ADMIN,))}"}
    partner = {"Authorization": f"Bearer {hub.credentials.issue('serco')}"}
    url = f"{api}/api/v1/admin/interfaces/delius.outbound/replays"

    assert (
        httpx.post(url, json={"person": person, "dryRun": True}, headers=partner).status_code == 403
    )
    dry = httpx.post(url, json={"person": person, "dryRun": True}, headers=admin)
    assert dry.status_code == 200, dry.text
    assert dry.json() == {"interface": "delius.outbound", "mode": "rerender", "documents": 1,
                          "byPerson": {person: 1}}  # fmt: skip
    assert runs(hub) == 0

    unexplained = httpx.post(url, json={"person": person}, headers=admin)
    assert unexplained.status_code == 422
    started = httpx.post(url, json={"person": person, "reason": "probation asked"}, headers=admin)
    assert started.status_code == 202, started.text
    run_id = started.json()["id"]
    assert started.json()["actor"] == "admin:ops"

    eventually(lambda: len(replayed(receiver, run_id)) == 1, "the person's replay delivered")
    eventually(lambda: status(hub, run_id) == "done", "the replay finished")
    shown = httpx.get(f"{api}/api/v1/admin/replays/{run_id}", headers=admin).json()
    assert (shown["status"], shown["sent"], shown["person"]) == ("done", 1, person)
    assert httpx.get(f"{api}/api/v1/admin/replays/nope", headers=admin).status_code == 404
    assert (
        httpx.post(
            f"{api}/api/v1/admin/interfaces/nope.outbound/replays",
            json={"person": person, "dryRun": True},
            headers=admin,
        ).status_code
        == 404
    )


def test_an_operator_replays_a_person_from_the_interface_page_in_a_browser(
    hub: Hub,
    api: str,
    delius: tuple[str, DeliusReceiver],
    browser_page: object,  # noqa: F811  (the fixture imported above)
) -> None:
    from playwright.sync_api import Page, expect

    page: Page = browser_page  # type: ignore[assignment]
    _, receiver = delius
    deliver(hub, receiver, 2)
    person = receiver.received[1].body.split(b"<NomsNumber>")[1].split(b"<")[0].decode()
    create_user(hub, "opal", "operator")

    page.goto(f"{api}/dashboard/interfaces/delius/outbound")
    page.get_by_label("User name").fill("opal")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    form = page.locator("#interface-replay")
    form.get_by_label("or person").fill(person)
    form.get_by_role("button", name="Count (dry run)").click()
    expect(page.locator("#replay-total")).to_have_attribute("data-documents", "1")
    expect(page.locator("#replay-by-person")).to_contain_text(person)
    assert runs(hub) == 0

    page.get_by_label("Why?").fill("probation lost the reception")
    page.get_by_role("button", name="Send these 1 again").click()
    expect(page.get_by_role("status")).to_contain_text("started: 1 documents")
    eventually(lambda: len(replayed_to(receiver)) == 1, "the replayed reception")
    [again] = replayed_to(receiver)
    assert person.encode() in again.body and again.headers["x-gatehouse-delivery"] == "replay"
    [run] = ReplayRuns(hub.engine).recent("delius")
    eventually(lambda: status(hub, run.id) == "done", "the replay finished")
    page.reload()
    expect(page.locator(f'[data-replay="{run.id}"]')).to_contain_text("1 of 1")
    expect(page.locator(f'[data-replay="{run.id}"]')).to_contain_text("opal")


def replayed_to(receiver: DeliusReceiver) -> list[ReceivedDocument]:
    return [d for d in receiver.received if "x-gatehouse-replay" in d.headers]
