"""An event subscriber follows an envelope's ``detailUrl`` as given, on PostgreSQL and
RabbitMQ: the envelope arrives signed, and the URL, called with the subscriber's own token
(``gatehouse subscribers token``) and nothing added, answers the person with only the fields
the subscriber's policy names, for the purpose its policy names; audited like any data-share
read. No token is 401; a subscriber whose rows leave the person out is refused."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from typer.testing import CliRunner

from adapters.transports.local_server import serving
from core_records.bookkeeping.credentials import ADMIN
from core_records.events import publish_detail_urls_under
from gatehouse.app import create_app
from gatehouse.cli import app
from gatehouse.settings import Settings
from tests.integration.test_event_subscribers import (
    ROLES,
    add,
    cli,
    receive_and_release,
    receiver,
    subscriber_settings,
    verified_by,
)
from tests.running_hub import eventually, running_hub

PURPOSE = "management information"
FIELDS = {"prisonNumber", "names", "establishment"}


def _get(url: str, token: str | None = None, **params: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.get(url, headers=headers, params=params, timeout=10)


def test_a_subscriber_follows_an_events_detail_url_as_given_with_its_own_token(
    settings: Settings, tmp_path: Path
) -> None:
    settings = subscriber_settings(settings)
    # A subscriber that may read only the people in its own prisons, and runs none.
    own_prisons = tmp_path / "policy.toml"
    own_prisons.write_text(
        'version = 1\nevent_types = ["prisoner.received"]\nidentifier_types = ["NOMS"]\n'
        'information_keys = ["nomsNumber"]\nperson_fields = ["prisonNumber"]\n'
        'purposes = ["regional reporting"]\nrows = "own_prisons"\n'
    )
    with (
        receiver() as (url, received),
        receiver() as (regional_url, _),
        running_hub(settings, roles=ROLES) as hub,
        serving(create_app(hub), name="gatehouse-api") as api,
    ):
        try:
            fields = ",".join(sorted(FIELDS))
            secret = add(settings, "cjs-mi", url, ["prisoner.*"],
                         "--person-fields", fields, "--purpose", PURPOSE)  # fmt: skip
            add(settings, "regional", regional_url, ["prisoner.received"],
                "--policy", str(own_prisons))  # fmt: skip
            token = cli(settings, "subscribers", "token", "cjs-mi")
            regional = cli(settings, "subscribers", "token", "regional")
            # The hub's public address is where it serves. (Set after the commands: each
            # builds a hub of its own in this process, which sets it to its settings'.)
            publish_detail_urls_under(api)
            receive_and_release(hub, seed=21)
            eventually(lambda: len(received.requests) == 2, "the reception and the release")
        finally:
            publish_detail_urls_under(settings.detail_url_base)

        headers, body = received.requests[0]
        assert verified_by(secret, headers, body)
        envelope = json.loads(body)
        number = envelope["additionalInformation"]["nomsNumber"]
        detail_url = envelope["detailUrl"]
        assert detail_url == f"{api}/api/v1/people/{number}"

        answer = _get(detail_url, token)
        assert answer.status_code == 200, answer.text
        assert set(answer.json()) == FIELDS
        assert answer.json()["prisonNumber"] == number

        assert _get(detail_url).status_code == 401
        refused = _get(detail_url, regional)
        assert refused.status_code == 404
        assert refused.headers["content-type"].startswith("application/problem+json")
        # A subscriber whose policy shares no person fields has no data-share token at all.
        add(settings, "no-reads", url, ["prisoner.released"])
        env = {
            "GATEHOUSE_DATABASE_URL": settings.store_url,
            "GATEHOUSE_NAMESPACE": settings.namespace,
            "GATEHOUSE_DATA_DIR": str(settings.data_dir),
        }
        refusal = CliRunner().invoke(app, ["subscribers", "token", "no-reads"], env=env)
        assert refusal.exit_code == 1
        assert "policy shares no person fields" in refusal.stderr

        admin = hub.credentials.issue("admin:auditor", scopes=(ADMIN,))
        audit = _get(f"{api}/api/v1/admin/audit", admin, action="data_share.").json()["events"]
        reads = [(e["actor"], json.loads(e["detail"])["purpose"]) for e in audit]
        assert ("subscribers.cjs-mi", PURPOSE) in reads
        assert ("subscribers.regional", "regional reporting") in reads
