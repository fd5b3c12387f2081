"""Purposes on a token's grant, over real HTTP on PostgreSQL: issued from the command line
(only purposes the partner's policy names), the purpose of a read that names none, and the
only purposes a read may give; kept across a rotation."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from adapters.transports.local_server import serving
from core_records.bookkeeping.credentials import ADMIN, DATA_SHARE
from gatehouse.app import create_app
from gatehouse.bootstrap import Hub, build_hub
from gatehouse.cli import app
from gatehouse.settings import Settings
from tests.integration.core_records.examples import message, particulars, pnc, reception

CASE_MANAGEMENT = "probation case management"


@pytest.fixture
def hub(postgres_url: str, tmp_path: Path) -> Iterator[Hub]:
    hub = build_hub(Settings(database_url=postgres_url, data_dir=tmp_path, namespace="dsp"))
    try:
        yield hub
    finally:
        hub.close()


@pytest.fixture
def api(hub: Hub) -> Iterator[str]:
    with serving(create_app(hub), name="gatehouse-api") as base_url:
        yield base_url


@pytest.fixture
def at_leeds(hub: Hub) -> str:
    [outcome] = hub.store.apply([message(reception(particulars(pnc(7)), "LEI"))])
    assert outcome.person_key is not None, outcome.error
    return outcome.person_key


def _cli(hub: Hub, *args: str) -> tuple[int, str, str]:
    env = {
        "GATEHOUSE_DATABASE_URL": hub.settings.store_url,
        "GATEHOUSE_NAMESPACE": hub.settings.namespace,
        "GATEHOUSE_DATA_DIR": str(hub.settings.data_dir),
    }
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout.strip(), result.stderr


def _read(api: str, path: str, token: str, **params: str) -> httpx.Response:
    return httpx.get(
        f"{api}{path}", headers={"Authorization": f"Bearer {token}"}, params=params, timeout=10
    )


def _purposes_audited(hub: Hub, api: str) -> list[str]:
    admin = hub.credentials.issue("admin:auditor", scopes=(ADMIN,))
    events = _read(api, "/api/v1/admin/audit", admin, action="data_share.read").json()["events"]
    return [json.loads(event["detail"])["purpose"] for event in events]


def test_a_token_issued_for_a_purpose_reads_for_it_unasked_and_for_no_other(
    hub: Hub, api: str, at_leeds: str
) -> None:
    code, token, _ = _cli(hub, "tokens", "issue", "delius", "--purpose", CASE_MANAGEMENT)
    assert code == 0 and token.startswith("gh_")
    assert hub.credentials.grant(token).purposes == {CASE_MANAGEMENT}  # type: ignore[union-attr]
    path = f"/api/v1/people/{at_leeds}"

    unasked = _read(api, path, token)
    assert unasked.status_code == 200, unasked.text
    assert _read(api, path, token, purpose=CASE_MANAGEMENT).status_code == 200
    other = _read(api, path, token, purpose="curiosity")
    assert other.status_code == 403
    assert other.headers["content-type"].startswith("application/problem+json")
    assert other.json()["error"] == "purpose_not_granted"
    assert other.json()["purposes"] == [CASE_MANAGEMENT]
    # The refused read reads nothing: two reads audited, both for the granted purpose.
    assert _purposes_audited(hub, api) == [CASE_MANAGEMENT, CASE_MANAGEMENT]


def test_only_purposes_the_partners_policy_names_can_be_granted(hub: Hub) -> None:
    code, out, err = _cli(hub, "tokens", "issue", "delius", "--purpose", "marketing")
    assert code == 1 and not out
    assert "delius's policy allows reading for probation case management" in err
    assert "not marketing" in err
    # An operator's policy names no purposes: none can be granted.
    code, out, err = _cli(hub, "credentials", "issue", "--partner", "g4s", "--scope",
                          DATA_SHARE, "--purpose", "reception")  # fmt: skip
    assert code == 1 and not out
    assert "g4s's policy names no purposes" in err
    assert hub.credentials.list() == []


def test_a_grant_of_several_purposes_lists_its_own_when_a_read_names_none(
    hub: Hub, api: str, at_leeds: str
) -> None:
    token = hub.credentials.issue(
        "delius", scopes=(DATA_SHARE,), purposes=frozenset({"recall", "sentence planning"})
    )
    response = _read(api, f"/api/v1/people/{at_leeds}", token)
    assert response.status_code == 400
    assert response.json()["error"] == "purpose_required"
    assert response.json()["purposes"] == ["recall", "sentence planning"]
    assert _read(api, f"/api/v1/people/{at_leeds}", token, purpose="recall").status_code == 200
    # Rotation hands the successor the same grant, purposes and all.
    successor = hub.credentials.rotate("delius", overlap=timedelta(hours=1))
    assert hub.credentials.grant(successor).purposes == {"recall", "sentence planning"}  # type: ignore[union-attr]
