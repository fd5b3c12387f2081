"""Every error the API answers, over real HTTP, is one RFC 9457 problem document
(``application/problem+json`` with type, title, status, detail and instance), and every
``type`` it uses is described on the ``/problems`` page the API serves."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import httpx
import pytest

from adapters.transports.local_server import serving
from gatehouse.app import create_app
from gatehouse.bootstrap import Hub
from tests.e2e.dashboard_support import create_user, signed_in_client

pytestmark = pytest.mark.parametrize("backend", ["embedded"], indirect=True)

SAMPLES = Path(__file__).parents[2] / "adapters/private_prisons/samples"
SAMPLE = SAMPLES / "valid/reception-new-person.xml"
RECEPTION = "/api/v1/inbound/private_prisons/reception"


def post(api: str, token: str | None, body: bytes, path: str = RECEPTION) -> httpx.Response:
    headers = {"Content-Type": "application/xml"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.post(f"{api}{path}", content=body, headers=headers, timeout=30)


def assert_problem(response: httpx.Response, status: int, error: str, instance: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json", response.text
    body = response.json()
    assert body["status"] == status
    assert body["type"] == f"/problems/{error.replace('_', '-')}"
    assert body["title"] and body["detail"], body
    assert body["instance"] == instance
    # The members partners read before RFC 9457, kept as extensions.
    assert (body["error"], body["reason"]) == (error, body["detail"])
    return body  # type: ignore[no-any-return]


def test_every_error_status_is_a_problem_document_of_a_listed_type(hub: Hub, api: str) -> None:
    serco = hub.credentials.issue("serco")
    delius = hub.credentials.issue("delius")
    seen: list[dict] = []

    # 400: not XML at all.
    bad = assert_problem(post(api, serco, b"<Reception"), 400, "invalid_xml", RECEPTION)
    assert bad["line"] == 1 and bad["rule"]
    seen.append(bad)
    seen.append(assert_problem(post(api, None, b""), 401, "unauthorised", RECEPTION))
    seen.append(assert_problem(post(api, delius, b""), 403, "forbidden", RECEPTION))
    unknown = "/api/v1/inbound/private_prisons/escape"
    seen.append(
        assert_problem(post(api, serco, b"", unknown), 404, "unknown_message_type", unknown)
    )
    nowhere = "/api/v1/nowhere"
    seen.append(assert_problem(httpx.get(f"{api}{nowhere}"), 404, "no_route", nowhere))
    wrong_method = httpx.delete(f"{api}{RECEPTION}")
    seen.append(assert_problem(wrong_method, 405, "method_not_allowed", RECEPTION))
    assert "POST" in wrong_method.headers["allow"]

    # 422 from an XSD: where, on which line, by which rule.
    invalid = (SAMPLES / "invalid/reception-bad-date-of-birth.xml").read_bytes()
    schema = assert_problem(post(api, serco, invalid), 422, "invalid_message", RECEPTION)
    assert schema["element"] == "/Reception/Person/DateOfBirth"
    assert schema["line"] > 1 and schema["rule"].startswith("SCHEMAV_")
    seen.append(schema)
    # 422 from request validation, answered before the route (and its authentication) runs.
    people = "/api/v1/people"
    validation = assert_problem(httpx.get(f"{api}{people}"), 422, "invalid_request", people)
    assert validation["element"] == "query.surname" and validation["rule"] == "missing"
    assert "query.dateOfBirth" in validation["detail"]
    seen.append(validation)

    accepted = post(api, serco, SAMPLE.read_bytes())
    assert accepted.status_code == 202, accepted.text
    changed = SAMPLE.read_bytes().replace(b"KIERAN JAMES", b"KIERAN JOHN")
    reused = assert_problem(post(api, serco, changed), 409, "reference_reused", RECEPTION)
    assert reused["messageId"] == accepted.json()["messageId"]
    seen.append(reused)
    too_large = b"<Reception>" + b" " * hub.settings.max_body_bytes + b"</Reception>"
    seen.append(assert_problem(post(api, serco, too_large), 413, "too_large", RECEPTION))
    missing = f"/api/v1/messages/{accepted.json()['messageId']}0"
    answer = httpx.get(f"{api}{missing}", headers={"Authorization": f"Bearer {serco}"})
    seen.append(assert_problem(answer, 404, "not_found", missing))

    listed = httpx.get(f"{api}/problems").json()["problemTypes"]
    described = {kind["type"]: kind for kind in listed}
    for body in seen:
        assert described[body["type"]]["title"] == body["title"]
        one = httpx.get(f"{api}{body['type']}")
        assert one.status_code == 200 and one.json()["meaning"], body["type"]
    page = httpx.get(f"{api}/problems", headers={"Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html")
    assert all(f'id="{kind["type"].rsplit("/", 1)[1]}"' in page.text for kind in listed)


def test_a_partner_over_its_rate_gets_a_problem_with_retry_after(hub: Hub) -> None:
    settings = hub.settings.model_copy(
        update={"partner_rate_burst": 1, "partner_rate_overrides": {"serco": 0.001}}
    )
    serco = hub.credentials.issue("serco")
    path = "/api/v1/messages/any"
    with serving(create_app(dataclasses.replace(hub, settings=settings))) as api:
        headers = {"Authorization": f"Bearer {serco}"}
        first = httpx.get(f"{api}{path}", headers=headers)
        limited = httpx.get(f"{api}{path}", headers=headers)
        kinds = {kind["type"] for kind in httpx.get(f"{api}/problems").json()["problemTypes"]}

    assert_problem(first, 404, "not_found", path)
    body = assert_problem(limited, 429, "rate_limited", path)
    assert int(limited.headers["retry-after"]) > 0
    assert "serco" in body["detail"]
    assert body["type"] in kinds


def test_the_dashboards_errors_are_problems_and_its_redirects_stay_redirects(
    hub: Hub, api: str
) -> None:
    anonymous = httpx.get(f"{api}/dashboard")
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/dashboard/sign-in")

    create_user(hub, "ana", "viewer")
    client = signed_in_client(api, "ana")
    try:
        nobody = client.get("/dashboard/interfaces/nobody/inbound")
        period = client.get("/dashboard/interfaces/delius/outbound?period=fortnight")
        users = client.get("/dashboard/users")
    finally:
        client.close()

    body = assert_problem(nobody, 404, "not_found", "/dashboard/interfaces/nobody/inbound")
    assert body["detail"] == "no interface nobody.inbound"
    body = assert_problem(period, 422, "invalid_request", "/dashboard/interfaces/delius/outbound")
    assert "period must be one of" in body["detail"]
    body = assert_problem(users, 403, "forbidden", "/dashboard/users")
    assert "ana is a viewer" in body["detail"]
