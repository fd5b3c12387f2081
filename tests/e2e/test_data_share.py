"""The data share and hardened credentials over real HTTP, on PostgreSQL: what each partner
may read, what it may not, and that every read is audited and exportable by an admin."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from adapters.transports.local_server import serving
from core_records.bookkeeping.credentials import ADMIN, DATA_SHARE, INBOUND
from core_records.timestamps import utc_now
from gatehouse.app import create_app
from gatehouse.bootstrap import Hub, build_hub
from gatehouse.settings import Settings
from tests.integration.core_records.examples import message, particulars, pnc, reception

DELIUS_FIELDS = {
    "prisonNumber",
    "identifiers",
    "names",
    "dateOfBirth",
    "sex",
    "custodyStatus",
    "careStatus",
    "establishment",
    "legalStatus",
    "bookings",
    "movements",
    "sentenceKeyDates",
    "alerts",
    "offenderManager",
    "roshSummary",
    "incentiveLevel",
}
OPERATOR_FIELDS = {"prisonNumber", "names", "dateOfBirth", "sex", "custodyStatus", "establishment"}


@pytest.fixture
def hub(postgres_url: str, tmp_path: Path) -> Iterator[Hub]:
    hub = build_hub(Settings(database_url=postgres_url, data_dir=tmp_path, namespace="ds"))
    try:
        yield hub
    finally:
        hub.close()


@pytest.fixture
def api(hub: Hub) -> Iterator[str]:
    with serving(create_app(hub), name="gatehouse-api") as base_url:
        yield base_url


@pytest.fixture
def people(hub: Hub) -> dict[str, str]:
    """A person at Leeds (public) and one at Altcourse (run by g4s), by prison number."""
    numbers = {}
    for name, prison, identifier in (("leeds", "LEI", pnc(1)), ("altcourse", "ACI", pnc(2))):
        [outcome] = hub.store.apply([message(reception(particulars(identifier), prison))])
        assert outcome.person_key is not None, outcome.error
        numbers[name] = outcome.person_key
    return numbers


def _get(api: str, path: str, token: str | None, **params: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.get(f"{api}{path}", headers=headers, params=params, timeout=10)


def _audit(hub: Hub, admin: str, api: str, **params: str) -> list[dict]:  # type: ignore[type-arg]
    response = _get(api, "/api/v1/admin/audit", admin, **params)
    assert response.status_code == 200, response.text
    return response.json()["events"]


def test_probation_reads_a_person_with_exactly_its_fields_and_the_read_is_audited(
    hub: Hub, api: str, people: dict[str, str]
) -> None:
    token = hub.credentials.issue("delius", scopes=(DATA_SHARE,))
    admin = hub.credentials.issue("admin:auditor", scopes=(ADMIN,))
    response = _get(api, f"/api/v1/people/{pnc(1).value}", token, purpose="sentence planning")
    assert response.status_code == 200, response.text
    assert set(response.json()) == DELIUS_FIELDS
    assert response.json()["prisonNumber"] == people["leeds"]

    [event] = _audit(hub, admin, api, action="data_share.")
    assert (event["actor"], event["action"]) == ("delius", "data_share.read")
    assert event["subject"] == f"person:{people['leeds']}"
    detail = json.loads(event["detail"])
    assert detail["purpose"] == "sentence planning"
    assert set(detail["fields"]) == DELIUS_FIELDS


def test_an_operator_sees_only_people_in_its_prisons_and_others_are_not_found(
    hub: Hub, api: str, people: dict[str, str]
) -> None:
    token = hub.credentials.issue("g4s", scopes=(INBOUND, DATA_SHARE))
    admin = hub.credentials.issue("admin:auditor", scopes=(ADMIN,))
    own = _get(api, f"/api/v1/people/{people['altcourse']}", token, purpose="reception")
    assert own.status_code == 200 and set(own.json()) == OPERATOR_FIELDS
    elsewhere = _get(api, f"/api/v1/people/{people['leeds']}", token, purpose="curious")
    nobody = _get(api, "/api/v1/people/Z9999ZZ", token, purpose="curious")
    assert elsewhere.status_code == nobody.status_code == 404
    assert elsewhere.json()["error"] == nobody.json()["error"] == "not_found"
    # Refused reads are audited too.
    assert len(_audit(hub, admin, api, actor="g4s")) == 3


def test_search_by_name_and_date_of_birth_finds_the_person_and_is_audited(
    hub: Hub, api: str, people: dict[str, str]
) -> None:
    token = hub.credentials.issue("delius", scopes=(DATA_SHARE,))
    admin = hub.credentials.issue("admin:auditor", scopes=(ADMIN,))
    known = particulars(pnc(1))
    response = _get(
        api,
        "/api/v1/people",
        token,
        surname=known.name.surname.lower(),
        forenames=known.name.forenames.split()[0],
        dateOfBirth=known.date_of_birth.isoformat(),
        purpose="pre-sentence report",
    )
    assert response.status_code == 200, response.text
    [found] = response.json()["people"]
    assert found["prisonNumber"] == people["leeds"]
    [event] = _audit(hub, admin, api, action="data_share.search")
    assert json.loads(event["detail"])["found"] == [people["leeds"]]


def test_reads_without_a_purpose_scope_or_valid_token_are_refused(
    hub: Hub, api: str, people: dict[str, str]
) -> None:
    path = f"/api/v1/people/{people['leeds']}"
    share = hub.credentials.issue("delius", scopes=(DATA_SHARE,))
    # An operator's grant names no purpose to read for: it must give one.
    operator = hub.credentials.issue("g4s", scopes=(DATA_SHARE,))
    assert _get(api, f"/api/v1/people/{people['altcourse']}", operator).status_code == 400
    assert _get(api, path, None, purpose="x").status_code == 401
    inbound_only = hub.credentials.issue("g4s", scopes=(INBOUND,))
    assert _get(api, path, inbound_only, purpose="x").status_code == 403
    expired = hub.credentials.issue(
        "delius", scopes=(DATA_SHARE,), expires_at=utc_now() - timedelta(seconds=1)
    )
    assert _get(api, path, expired, purpose="x").status_code == 401
    assert _get(api, path, share, purpose="x").status_code == 200
    hub.credentials.revoke("delius")
    assert _get(api, path, share, purpose="x").status_code == 401


def test_partner_tokens_cannot_reach_admin_endpoints_or_post_other_types(
    hub: Hub, api: str, people: dict[str, str]
) -> None:
    delius = hub.credentials.issue("delius", scopes=(INBOUND, DATA_SHARE))
    for path in ("/api/v1/admin/audit", "/api/v1/admin/audit.csv", "/api/v1/admin/identity/cases"):
        assert _get(api, path, delius).status_code == 403
        assert _get(api, path, None).status_code == 401
    sample = Path("adapters/private_prisons/samples/valid/reception-new-person.xml").read_bytes()

    def post(token: str, message_type: str) -> int:
        return httpx.post(
            f"{api}/api/v1/inbound/private_prisons/{message_type}",
            content=sample,
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        ).status_code

    assert post(delius, "reception") == 403
    releases_only = hub.credentials.issue(
        "g4s", scopes=(INBOUND,), message_types=frozenset({"release"})
    )
    assert post(releases_only, "reception") == 403
    admin = hub.credentials.issue("admin:ops", scopes=(ADMIN,))
    assert post(admin, "reception") == 403


def test_an_admin_exports_the_audit_trail_as_csv(
    hub: Hub, api: str, people: dict[str, str]
) -> None:
    token = hub.credentials.issue("delius", scopes=(DATA_SHARE,))
    admin = hub.credentials.issue("admin:auditor", scopes=(ADMIN,))
    for purpose in ("one", "two, with a comma"):
        assert _get(api, f"/api/v1/people/{people['leeds']}", token, purpose=purpose).is_success
    response = _get(api, "/api/v1/admin/audit.csv", admin, action="data_share.")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [json.loads(r["detail"])["purpose"] for r in rows] == ["two, with a comma", "one"]
    assert {r["actor"] for r in rows} == {"delius"}


def test_a_rotated_token_and_its_successor_both_work_until_the_overlap_ends(
    hub: Hub, api: str, people: dict[str, str]
) -> None:
    path = f"/api/v1/people/{people['leeds']}"
    old = hub.credentials.issue("delius", scopes=(DATA_SHARE,))
    new = hub.credentials.rotate("delius", overlap=timedelta(hours=1))
    assert _get(api, path, old, purpose="x").status_code == 200
    assert _get(api, path, new, purpose="x").status_code == 200
    newest = hub.credentials.rotate("delius", overlap=timedelta(0))
    assert _get(api, path, old, purpose="x").status_code == 401
    assert _get(api, path, new, purpose="x").status_code == 401
    assert _get(api, path, newest, purpose="x").status_code == 200


def test_a_partner_over_its_rate_gets_429_with_retry_after(
    postgres_url: str, tmp_path: Path
) -> None:
    settings = Settings(
        database_url=postgres_url,
        data_dir=tmp_path,
        namespace="rl",
        partner_rate_per_s=0.2,
        partner_rate_burst=2,
    )
    hub = build_hub(settings)
    try:
        token = hub.credentials.issue("delius", scopes=(DATA_SHARE,))
        other = hub.credentials.issue("g4s", scopes=(DATA_SHARE,))
        with serving(create_app(hub), name="gatehouse-api") as api:
            codes = [_get(api, "/api/v1/people/Z9999ZZ", token, purpose="x") for _ in range(3)]
            assert [r.status_code for r in codes] == [404, 404, 429]
            assert 1 <= int(codes[2].headers["retry-after"]) <= 5
            # Another partner has a bucket of its own.
            assert _get(api, "/api/v1/people/Z9999ZZ", other, purpose="x").status_code == 404
    finally:
        hub.close()
