"""The admin API for interfaces and dead letters, over HTTP against a running hub: only an
admin-scoped token may use it (others get RFC 9457 problems); pause and resume, retry
schedules, listing, retrying all and purging dead letters work and are audited; the OpenAPI
document declares each route with the bearer scheme."""

from __future__ import annotations

import httpx
import pytest
import sqlalchemy as sa

from adapters.delius.simulator import DeliusReceiver
from core_records import tables
from core_records.bookkeeping.credentials import ADMIN, DATA_SHARE
from core_records.bookkeeping.interface_control import InterfaceControl
from gatehouse.bootstrap import Hub
from tests.e2e.dashboard_support import dead_letter_a_delivery
from tests.running_hub import eventually

pytestmark = pytest.mark.parametrize("backend", ["embedded"], indirect=True)

PROBLEM = "application/problem+json"


def call(api: str, method: str, path: str, token: str | None, **kwargs: object) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.request(method, f"{api}{path}", headers=headers, timeout=30, **kwargs)  # type: ignore[arg-type]


def test_only_an_admin_token_may_pause_an_interface_or_touch_dead_letters(
    hub: Hub, api: str
) -> None:
    partner = hub.credentials.issue("serco")
    reader = hub.credentials.issue("delius", scopes=(DATA_SHARE,))
    for token in (partner, reader):
        answer = call(api, "POST", "/api/v1/admin/interfaces/delius.outbound/pause", token,
                      json={"reason": "not mine to pause"})  # fmt: skip
        assert answer.status_code == 403
        assert answer.headers["content-type"].startswith(PROBLEM)
        assert answer.json()["error"] == "forbidden"
    answer = call(api, "POST", "/api/v1/admin/dead-letters/purge", None, json={"reason": "x"})
    assert answer.status_code == 401
    assert answer.json()["error"] == "unauthorised"
    assert InterfaceControl(hub.engine).pauses() == {}


def test_an_admin_pauses_resumes_and_schedules_an_interface(hub: Hub, api: str) -> None:
    admin = hub.credentials.issue("admin:ops", scopes=(ADMIN,))
    base = "/api/v1/admin/interfaces"

    paused = call(api, "POST", f"{base}/delius.outbound/pause", admin,
                  json={"reason": "Delius upgrade"})  # fmt: skip
    assert paused.status_code == 200, paused.text
    assert paused.json()["pausedBy"] == "admin:ops"
    assert paused.json()["reason"] == "Delius upgrade"
    listed = {i["interface"]: i for i in call(api, "GET", base, admin).json()["interfaces"]}
    assert listed["delius.outbound"]["pause"]["reason"] == "Delius upgrade"
    assert listed["delius.outbound"]["deadLetterRetry"] == {"intervalSeconds": 600,
                                                             "maxRetries": 6}  # fmt: skip

    no_reason = call(api, "POST", f"{base}/oasys.outbound/pause", admin, json={"reason": ""})
    assert no_reason.status_code == 422
    assert no_reason.headers["content-type"].startswith(PROBLEM)
    inbound = call(api, "POST", f"{base}/private_prisons.inbound/pause", admin,
                   json={"reason": "cannot"})  # fmt: skip
    assert inbound.status_code == 404
    assert "only an outbound interface" in inbound.json()["detail"]

    assert call(api, "POST", f"{base}/delius.outbound/resume", admin).status_code == 200
    again = call(api, "POST", f"{base}/delius.outbound/resume", admin)
    assert again.status_code == 409
    assert again.json()["error"] == "conflict"

    schedule = call(api, "PUT", f"{base}/delius.outbound/dead-letter-retry", admin,
                    json={"intervalSeconds": 300, "maxRetries": 12})  # fmt: skip
    assert schedule.status_code == 200, schedule.text
    listed = {i["interface"]: i for i in call(api, "GET", base, admin).json()["interfaces"]}
    assert listed["delius.outbound"]["deadLetterRetry"] == {"intervalSeconds": 300,
                                                             "maxRetries": 12}  # fmt: skip
    assert listed["delius.outbound"]["pause"] is None

    with hub.engine.connect() as connection:
        actions = connection.execute(
            sa.select(tables.audit_event.c.action, tables.audit_event.c.actor)
            .where(tables.audit_event.c.subject == "interface:delius.outbound")
            .order_by(tables.audit_event.c.id)
        ).all()
    assert [tuple(a) for a in actions] == [
        ("interface.paused", "admin:ops"),
        ("interface.resumed", "admin:ops"),
        ("interface.retry_schedule_set", "admin:ops"),
    ]


def test_an_admin_lists_retries_all_and_purges_dead_letters_with_a_reason(
    hub: Hub, api: str, delius: tuple[str, DeliusReceiver]
) -> None:
    _, receiver = delius
    admin = hub.credentials.issue("admin:ops", scopes=(ADMIN,))
    first = dead_letter_a_delivery(hub, api, receiver)

    listed = call(api, "GET", "/api/v1/admin/dead-letters?interface=delius.outbound", admin)
    assert listed.status_code == 200, listed.text
    [view] = listed.json()["deadLetters"]
    assert view["id"] == first and view["interface"] == "delius.outbound"

    receiver.fail_next(1, status=400)  # and refuses it again when it comes back
    retried = call(api, "POST", "/api/v1/admin/dead-letters/retry-all", admin,
                   json={"interface": "delius.outbound"})  # fmt: skip
    assert retried.json() == {"ids": [first]}
    eventually(lambda: hub.dead_letters.count("waiting") == 1, "the retry dead-lettered again")
    [again] = hub.dead_letters.list("waiting")
    assert again.id != first and again.message_id == view["messageId"]
    stale = call(api, "POST", f"/api/v1/admin/dead-letters/{first}/retry", admin)
    assert stale.status_code == 409

    unexplained = call(api, "POST", "/api/v1/admin/dead-letters/purge", admin, json={})
    assert unexplained.status_code == 422
    purged = call(api, "POST", "/api/v1/admin/dead-letters/purge", admin,
                  json={"reason": "a test load, not real people"})  # fmt: skip
    assert purged.json() == {"ids": [again.id]}
    assert hub.dead_letters.count("waiting") == 0
    [record] = hub.dead_letters.list("discarded")
    assert record.actioned_by == "admin:ops"
    with hub.engine.connect() as connection:
        detail = connection.execute(
            sa.select(tables.audit_event.c.detail).where(
                tables.audit_event.c.subject == f"dead_letter:{again.id}"
            )
        ).scalar_one()
    assert detail.endswith("a test load, not real people")


def test_the_openapi_declares_the_admin_routes_with_the_bearer_scheme(api: str) -> None:
    document = httpx.get(f"{api}/openapi.json", timeout=30).json()
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    routes = {
        ("post", "/api/v1/admin/interfaces/{interface}/pause"),
        ("post", "/api/v1/admin/interfaces/{interface}/resume"),
        ("put", "/api/v1/admin/interfaces/{interface}/dead-letter-retry"),
        ("get", "/api/v1/admin/interfaces"),
        ("get", "/api/v1/admin/dead-letters"),
        ("post", "/api/v1/admin/dead-letters/{dead_letter_id}/retry"),
        ("post", "/api/v1/admin/dead-letters/retry-all"),
        ("post", "/api/v1/admin/dead-letters/purge"),
    }
    for method, path in routes:
        operation = document["paths"][path][method]
        assert {"bearer": []} in operation["security"], path
        assert "admin" in operation["tags"]
        assert "403" in operation["responses"], path
