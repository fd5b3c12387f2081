"""The dashboard over HTTP: sign-in and roles, CSRF, dead-letter actions audited, health,
the management-information report, and ``/metrics`` read by Prometheus's own parser."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator

import httpx
import pytest
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families
from typer.testing import CliRunner

from adapters.delius.simulator import DeliusReceiver
from core_records.bookkeeping.audit import audit_trail
from core_records.bookkeeping.monitoring_tables import dashboard_session, dashboard_user
from gatehouse.bootstrap import Hub
from gatehouse.cli import app as cli
from tests.e2e.dashboard_support import (
    PASSWORD,
    create_user,
    csrf_of,
    dead_letter_a_delivery,
    signed_in_client,
)
from tests.e2e.test_cli import environment_of
from tests.running_hub import eventually


@pytest.fixture
def sign_in() -> Iterator[Callable[[str, str], httpx.Client]]:
    """Signs in through the form; the clients are closed when the test ends."""
    clients: list[httpx.Client] = []

    def signed_in(api: str, username: str) -> httpx.Client:
        clients.append(signed_in_client(api, username))
        return clients[-1]

    yield signed_in
    for client in clients:
        client.close()


def test_every_page_sends_a_stranger_to_sign_in_and_back(hub: Hub, api: str) -> None:
    for path in (
        "/dashboard",
        "/dashboard/messages",
        "/dashboard/dead-letters",
        "/dashboard/reports",
    ):
        response = httpx.get(f"{api}{path}")
        assert response.status_code == 303
        assert response.headers["location"] == f"/dashboard/sign-in?next={path.replace('/', '%2F')}"
    assert httpx.get(f"{api}/").headers["location"] == "/dashboard"


def test_a_wrong_password_or_a_forged_sign_in_form_is_refused(hub: Hub, api: str) -> None:
    create_user(hub, "sam", "viewer")
    with httpx.Client(base_url=api) as client:
        page = client.get("/dashboard/sign-in")
        token = csrf_of(page.text)
        wrong = client.post(
            "/dashboard/sign-in", data={"username": "sam", "password": "guess", "csrf_token": token}
        )
        assert wrong.status_code == 401
        assert "do not match" in wrong.text
        nobody = client.post(
            "/dashboard/sign-in",
            data={"username": "kim", "password": PASSWORD, "csrf_token": token},
        )
        assert nobody.status_code == 401
    forged = httpx.post(
        f"{api}/dashboard/sign-in",
        data={"username": "sam", "password": PASSWORD, "csrf_token": "made-up"},
    )
    assert forged.status_code == 403


def test_passwords_are_stored_as_argon2_hashes(hub: Hub) -> None:
    create_user(hub, "sam", "viewer")
    with hub.engine.connect() as connection:
        stored = connection.execute(sa.select(dashboard_user.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_an_expired_session_signs_the_user_out(
    hub: Hub,
    api: str,
    sign_in: Callable[[str, str], httpx.Client],
) -> None:
    create_user(hub, "sam", "viewer")
    client = sign_in(api, "sam")
    assert client.get("/dashboard").status_code == 200
    with hub.engine.begin() as connection:
        connection.execute(
            sa.update(dashboard_session).values(
                expires_at=sa.func.current_timestamp() - sa.text("interval '1 minute'")
                if hub.engine.dialect.name == "postgresql"
                else sa.text("'2000-01-01 00:00:00'")
            )
        )
    assert client.get("/dashboard").status_code == 303


def test_signing_out_ends_the_session(
    hub: Hub,
    api: str,
    sign_in: Callable[[str, str], httpx.Client],
) -> None:
    create_user(hub, "sam", "viewer")
    client = sign_in(api, "sam")
    token = csrf_of(client.get("/dashboard").text)
    assert client.post("/dashboard/sign-out", data={"csrf_token": token}).status_code == 303
    assert client.get("/dashboard").status_code == 303


def _dead_letters_page(
    hub: Hub,
    api: str,
    sign_in: Callable[[str, str], httpx.Client],
    receiver: DeliusReceiver,
    username: str,
    role: str,
) -> tuple[httpx.Client, int, httpx.Response]:
    """A user with ``role`` signed in, looking at the dead letters page that lists one refused
    delivery: their client, the dead letter's id and the page."""
    create_user(hub, username, role)
    dead_letter_id = dead_letter_a_delivery(hub, api, receiver)
    client = sign_in(api, username)
    return client, dead_letter_id, client.get("/dashboard/dead-letters")


def test_an_operator_replays_a_dead_letter_and_the_action_is_audited(
    hub: Hub,
    api: str,
    sign_in: Callable[[str, str], httpx.Client],
    delius: tuple[str, DeliusReceiver],
) -> None:
    _, receiver = delius
    client, dead_letter_id, page = _dead_letters_page(
        hub, api, sign_in, receiver, "olu", "operator"
    )
    assert f'data-dead-letter="{dead_letter_id}"' in page.text
    assert "HTTP 400" in page.text or "400" in page.text

    without_token = client.post(f"/dashboard/dead-letters/{dead_letter_id}/replay")
    assert without_token.status_code == 403
    assert hub.dead_letters.count("waiting") == 1

    response = client.post(
        f"/dashboard/dead-letters/{dead_letter_id}/replay", data={"csrf_token": csrf_of(page.text)}
    )
    assert response.status_code == 303
    assert receiver.wait_for(1, timeout_s=30)
    [record] = hub.dead_letters.list(status="replayed")
    assert record.actioned_by == "olu"
    with hub.engine.connect() as connection:
        [event] = audit_trail(connection, f"dead_letter:{dead_letter_id}")
    assert (event.actor, event.action) == ("olu", "dead_letter.replayed")


def test_a_viewer_sees_dead_letters_but_may_not_replay_or_discard_them(
    hub: Hub,
    api: str,
    sign_in: Callable[[str, str], httpx.Client],
    delius: tuple[str, DeliusReceiver],
) -> None:
    _, receiver = delius
    client, dead_letter_id, page = _dead_letters_page(hub, api, sign_in, receiver, "vic", "viewer")
    assert "operators only" in page.text
    token = csrf_of(page.text)  # the sign-out form's
    for action in ("replay", "discard"):
        response = client.post(
            f"/dashboard/dead-letters/{dead_letter_id}/{action}", data={"csrf_token": token}
        )
        assert response.status_code == 403
        assert "operator role" in response.text
    assert hub.dead_letters.count("waiting") == 1


def test_metrics_follow_prometheus_naming_and_parse(
    hub: Hub, api: str, delius: tuple[str, DeliusReceiver]
) -> None:
    _, receiver = delius
    dead_letter_a_delivery(hub, api, receiver)
    scraped: list[str] = []

    def dead_letter_counted() -> bool:
        # Steps are counted once their journal rows have settled for a moment (two seconds).
        scraped.append(httpx.get(f"{api}/metrics").text)
        return 'hop="dead_lettered"' in scraped[-1]

    eventually(dead_letter_counted, "the dead-lettered step counted", every_s=0.5)
    text = scraped[-1]
    families = {family.name: family for family in text_string_to_metric_families(text)}
    assert set(families) >= {
        "gatehouse_interface_last_message_timestamp_seconds",
        "gatehouse_interface_health_status",
        "gatehouse_dead_letters_waiting",
        "gatehouse_interface_steps",
        "gatehouse_queue_messages",
    }
    assert families["gatehouse_interface_steps"].type == "counter"
    for name, family in families.items():
        assert name.startswith("gatehouse_")
        for sample in family.samples:
            assert set(sample.labels) <= {"adapter", "direction", "hop", "outcome", "queue"}

    def value(sample_name: str, **labels: str) -> float:
        return next(
            s.value
            for family in families.values()
            for s in family.samples
            if s.name == sample_name and all(s.labels.get(k) == v for k, v in labels.items())
        )

    assert value("gatehouse_dead_letters_waiting", adapter="delius", direction="outbound") == 1
    assert value("gatehouse_interface_health_status", adapter="delius", direction="outbound") == 2
    assert value("gatehouse_interface_steps_total", adapter="private_prisons", hop="stored") == 1
    assert (
        value(
            "gatehouse_interface_steps_total",
            adapter="delius",
            hop="dead_lettered",
            outcome="error",
        )
        == 1
    )
    assert (
        value("gatehouse_interface_last_message_timestamp_seconds", adapter="private_prisons")
        > 1.7e9
    )
    assert "gatehouse_queue_messages{queue=" in text
    if shutil.which("promtool"):
        check = subprocess.run(
            ["promtool", "check", "metrics"], input=text, capture_output=True, text=True
        )
        assert check.returncode == 0, check.stdout + check.stderr


def test_the_report_gives_daily_volumes_and_latency_as_csv(
    hub: Hub,
    api: str,
    sign_in: Callable[[str, str], httpx.Client],
    delius: tuple[str, DeliusReceiver],
) -> None:
    _, receiver = delius
    dead_letter_a_delivery(hub, api, receiver)
    create_user(hub, "vic", "viewer")
    client = sign_in(api, "vic")
    response = client.get("/dashboard/reports.csv?days=1")
    assert response.headers["content-type"].startswith("text/csv")
    header, *rows = response.text.splitlines()
    assert header.startswith("date,adapter,direction,messages,failed,latency_p50_seconds")
    by_interface = {tuple(r.split(",")[1:3]): r.split(",") for r in rows}
    stored = by_interface[("private_prisons", "inbound")]
    assert stored[3:5] == ["1", "0"] and float(stored[5]) >= 0
    assert by_interface[("delius", "outbound")][3:5] == ["1", "1"]


def test_users_create_makes_a_user_who_can_sign_in(
    hub: Hub,
    api: str,
    sign_in: Callable[[str, str], httpx.Client],
) -> None:
    result = CliRunner().invoke(
        cli,
        ["users", "create", "ana", "--role", "operator"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
        env=environment_of(hub),
    )
    assert result.exit_code == 0, result.output
    assert "created operator ana" in result.output
    client = sign_in(api, "ana")
    assert "ana (operator)" in client.get("/dashboard").text
    again = CliRunner().invoke(
        cli, ["users", "create", "ana", "--password", PASSWORD], env=environment_of(hub)
    )
    assert again.exit_code == 1 and "already" in again.output
    weak = CliRunner().invoke(
        cli, ["users", "create", "bo", "--password", "short"], env=environment_of(hub)
    )
    assert weak.exit_code == 2 and "12 characters" in weak.output


@pytest.mark.parametrize("backend", ["embedded"], indirect=True)
def test_a_search_with_a_bad_time_says_what_was_wrong(
    hub: Hub,
    api: str,
    sign_in: Callable[[str, str], httpx.Client],
) -> None:
    create_user(hub, "vic", "viewer")
    client = sign_in(api, "vic")
    page = client.get("/dashboard/messages", params={"since": "yesterday"})
    assert page.status_code == 200
    assert "since must be a date and time" in page.text


def test_every_page_renders_what_the_journal_holds(
    hub: Hub,
    api: str,
    sign_in: Callable[[str, str], httpx.Client],
    delius: tuple[str, DeliusReceiver],
) -> None:
    _, receiver = delius
    dead_letter_a_delivery(hub, api, receiver)
    [record] = hub.dead_letters.list()
    person = record.headers["gatehouse-person-key"]
    correlation = record.headers["gatehouse-correlation-id"]
    create_user(hub, "vic", "viewer")
    client = sign_in(api, "vic")

    overview = client.get("/dashboard").text
    assert 'data-interface="delius.outbound"' in overview
    assert "1 dead letter(s) waiting" in overview
    for period in ("hour", "day", "week"):
        page = client.get(f"/dashboard/interfaces/delius/outbound?period={period}")
        assert page.status_code == 200
        assert page.text.count("<svg") == 3
    assert client.get("/dashboard/interfaces/nobody/inbound").status_code == 404

    found = client.get("/dashboard/messages", params={"identifier": person}).text
    assert f"/dashboard/trace/{correlation}" in found
    with hub.engine.connect() as connection:
        [looked_up] = audit_trail(connection, f"person:{person}")
    assert (looked_up.actor, looked_up.action) == ("vic", "journal.searched")
    assert "dead_lettered" in found and "stored" in found
    trace = client.get(f"/dashboard/trace/{correlation}").text
    hops = [line.split('"')[1] for line in trace.splitlines() if "data-hop=" in line]
    # Other partners receive the same event, so their deliveries may come after Delius's
    # dead letter in the timeline: the order that matters is received, stored, dead-lettered.
    assert hops[0] == "received" and "dead_lettered" in hops
    assert hops.index("stored") < hops.index("dead_lettered")
    assert "1 day" in client.get("/dashboard/reports?days=1").text


@pytest.mark.parametrize("backend", ["embedded"], indirect=True)
def test_an_admin_adds_and_disables_users_and_no_one_else_may(
    hub: Hub,
    api: str,
    sign_in: Callable[[str, str], httpx.Client],
) -> None:
    create_user(hub, "ada", "admin")
    create_user(hub, "olu", "operator")
    operator = sign_in(api, "olu")
    assert operator.get("/dashboard/users").status_code == 403
    refused = operator.post(
        "/dashboard/users",
        data={"username": "eve", "password": PASSWORD, "role": "admin",
              "csrf_token": csrf_of(operator.get("/dashboard").text)},
    )  # fmt: skip
    assert refused.status_code == 403

    admin = sign_in(api, "ada")
    token = csrf_of(admin.get("/dashboard/users").text)
    added = admin.post(
        "/dashboard/users",
        data={"username": "vic", "password": PASSWORD, "role": "viewer", "csrf_token": token},
        follow_redirects=True,
    )
    assert "Created viewer vic." in added.text
    viewer = sign_in(api, "vic")
    assert viewer.get("/dashboard").status_code == 200

    disabled = admin.post(
        "/dashboard/users/vic/disable", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Disabled vic." in disabled.text
    assert viewer.get("/dashboard").status_code == 303
    with hub.engine.connect() as connection:
        actions = [e.action for e in audit_trail(connection, "user:vic")]
    assert actions == ["dashboard_user.created", "dashboard_user.disabled"]
