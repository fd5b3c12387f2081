"""Event subscribers on PostgreSQL and RabbitMQ: added from the CLI while a worker runs, they
receive the canonical envelope over HTTP, signed per Standard Webhooks, and nothing their
patterns or policy leave out. Signatures are checked here with hmac and hashlib alone.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from cryptography.fernet import Fernet
from typer.testing import CliRunner

from adapters.private_prisons.simulator import OperatorSimulator
from gatehouse.bootstrap import Hub
from gatehouse.cli import app
from gatehouse.settings import Settings
from routing.inbound import Submission, publish_inbound
from routing.subscriber_deliveries import subscriber_topology
from tests.running_hub import eventually, running_hub
from tests.support import remember_topology

ROLES = ("ingest", "relay", "delivery")


class Receiver:
    """A subscriber's HTTP endpoint: keeps every request's headers and body."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.lock = threading.Lock()

    def envelopes(self) -> list[dict[str, Any]]:
        with self.lock:
            return [json.loads(body) for _, body in self.requests]

    def types(self) -> list[str]:
        return [e["eventType"] for e in self.envelopes()]


@contextmanager
def receiver() -> Iterator[tuple[str, Receiver]]:
    received = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with received.lock:
                received.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/events", received
    finally:
        server.shutdown()
        server.server_close()


def verified_by(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """Standard Webhooks verification, written from the specification."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    given = [s.removeprefix("v1,") for s in headers["webhook-signature"].split(" ")]
    return any(hmac.compare_digest(expected, g) for g in given)


def subscriber_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"subscriber_secret_key": Fernet.generate_key().decode(), "subscriber_poll_s": 0.2}
    )


def cli(settings: Settings, *args: str) -> str:
    env = {
        "GATEHOUSE_DATABASE_URL": settings.store_url,
        "GATEHOUSE_BROKER_URL": settings.broker_url or "",
        "GATEHOUSE_NAMESPACE": settings.namespace,
        "GATEHOUSE_DATA_DIR": str(settings.data_dir),
        "GATEHOUSE_DELAY_TIERS_MS": json.dumps(list(settings.delay_tiers_ms)),
        "GATEHOUSE_SUBSCRIBER_SECRET_KEY": settings.subscriber_secret_key or "",
    }
    result = CliRunner().invoke(app, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def add(settings: Settings, name: str, url: str, patterns: list[str], *extra: str) -> str:
    remember_topology(
        subscriber_topology(
            name,
            tuple(patterns),
            namespace=settings.namespace,
            delay_tiers_ms=settings.delay_tiers_ms,
        )
    )
    flags = [part for p in patterns for part in ("--events", p)]
    return cli(settings, "subscribers", "add", name, "--url", url, *flags, *extra)


def receive_and_release(hub: Hub, seed: int) -> None:
    operator = OperatorSimulator("serco", ["DNI"], seed=seed)
    person = operator.person(sex="M", known_to_prisons=False)
    for body in (operator.reception(person, "DNI", "N"), operator.release(person)):
        at = datetime.now(UTC)
        submission = Submission("private_prisons", body_type(body), "serco", body, at, None)
        publish_inbound(hub.transport, hub.topology, submission)


def body_type(body: bytes) -> str:
    return "release" if b"<Release" in body[:400] else "reception"


def test_subscribers_added_while_the_worker_runs_receive_signed_envelopes_they_may_see(
    settings: Settings, tmp_path: Path
) -> None:
    settings = subscriber_settings(settings)
    policy = tmp_path / "policy.toml"
    policy.write_text(
        'version = 1\nevent_types = ["prisoner.received"]\nidentifier_types = ["NOMS"]\n'
        'information_keys = ["prisonId"]\n'
    )
    with (
        receiver() as (all_url, everything),
        receiver() as (released_url, releases),
        receiver() as (narrow_url, narrow),
        running_hub(settings, roles=ROLES) as hub,
    ):
        secret = add(settings, "cjs-dashboard", all_url, ["prisoner.*"])
        add(settings, "releases-only", released_url, ["prisoner.released"])
        add(settings, "narrow", narrow_url, ["prisoner.*"], "--policy", str(policy))
        receive_and_release(hub, seed=13)

        eventually(lambda: len(everything.types()) == 2, "the subscriber to receive both events")
        eventually(lambda: releases.types() == ["prisoner.released"], "the release alone")
        eventually(lambda: narrow.types() == ["prisoner.received"], "the reception alone")

        assert everything.types() == ["prisoner.received", "prisoner.released"]
        for headers, body in everything.requests:
            assert verified_by(secret, headers, body)
            assert headers["webhook-id"] == json.loads(body)["eventId"]
            assert headers["content-type"].startswith("application/json")
            assert not verified_by("whsec_" + base64.b64encode(b"x" * 24).decode(), headers, body)
        received = everything.envelopes()[0]
        # The default policy: the envelope as it is, less the reception's particulars and
        # the booking ids.
        assert received["personReference"]["identifiers"][0]["type"] == "NOMS"
        assert {i["type"] for i in received["personReference"]["identifiers"]} <= {
            "NOMS", "PNC", "CRO", "CRN",
        }  # fmt: skip
        assert received["additionalInformation"]["prisonId"] == "DNI"
        assert "person" not in received["additionalInformation"]
        assert received["detailUrl"].endswith(received["additionalInformation"]["nomsNumber"])
        # Its own policy: only what it names.
        assert narrow.envelopes()[0]["additionalInformation"] == {"prisonId": "DNI"}
        assert [i["type"] for i in narrow.envelopes()[0]["personReference"]["identifiers"]] == [
            "NOMS"
        ]
        # A delivery's hop is journalled once the partner has answered: just after it arrived.
        eventually(
            lambda: (
                {"subscribers.cjs-dashboard", "subscribers.narrow"}
                <= {h.adapter for h in hub.journal.trace(received["eventId"]) if h.adapter}
            ),
            "both subscribers' deliveries of the reception journalled",
        )

        listed = json.loads(cli(settings, "subscribers", "list", "--json"))
        assert [s["name"] for s in listed] == ["cjs-dashboard", "narrow", "releases-only"]
        assert secret not in json.dumps(listed)


def test_during_a_rotation_both_secrets_sign_and_the_store_never_holds_them_plain(
    settings: Settings,
) -> None:
    settings = subscriber_settings(settings)
    with receiver() as (url, received):
        old = add(settings, "probation-mi", url, ["prisoner.received"])
        new = cli(settings, "subscribers", "rotate", "probation-mi", "--grace-hours", "1")
        assert new != old and new.startswith("whsec_")
        with running_hub(settings, roles=ROLES) as hub:
            receive_and_release(hub, seed=14)
            eventually(lambda: len(received.requests) == 1, "the signed reception")
            headers, body = received.requests[0]
            assert len(headers["webhook-signature"].split(" ")) == 2
            assert verified_by(old, headers, body) and verified_by(new, headers, body)

            with hub.engine.connect() as connection:
                rows = connection.execute(sa.text("SELECT * FROM event_subscriber")).mappings()
                stored = json.dumps([dict(r) for r in rows], default=str)
            for secret in (old, new):
                assert secret not in stored
                assert secret.removeprefix("whsec_") not in stored

            cli(settings, "subscribers", "remove", "probation-mi")
            assert json.loads(cli(settings, "subscribers", "list", "--json")) == []
