"""A partner that sends a document again is answered as the first time, and the hub stores
it once: on the embedded default and on PostgreSQL with RabbitMQ.

The partner's own ``MessageReference`` is the key (``core_records.bookkeeping.submissions``). The
lost-confirm tests lose a broker confirm after the message reached the queue, as a broker
restart does: for real on RabbitMQ (a proxy holds the broker's replies, then cuts the
connection), and on both backends by a publish that stores the message and then reports
the confirm lost.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

import gatehouse.app
from adapters.delius.simulator import DeliusReceiver
from adapters.transports.local_server import serving
from core_records import tables
from core_records.bookkeeping import journal
from core_records.errors import ConfirmUncertain
from gatehouse.app import create_app
from gatehouse.bootstrap import Hub
from routing.inbound import Submission, publish_inbound
from routing.messages import Message
from routing.transport import Transport
from tests.integration.routing._tcp_proxy import TcpProxy
from tests.running_hub import eventually, hub_settings, running_hub

SAMPLE = (
    Path(__file__).parents[2] / "adapters/private_prisons/samples/valid/reception-new-person.xml"
)
REFERENCE = "SER-DNI-2024-0001873"


def post(api: str, token: str, body: bytes) -> httpx.Response:
    return httpx.post(
        f"{api}/api/v1/inbound/private_prisons/reception",
        content=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/xml"},
        timeout=60,
    )


def stored_once(hub: Hub, api: str, token: str, message_id: str) -> None:
    """The message is stored, every copy of it has been through ingest, one person was
    received, and nothing was refused or dead-lettered."""

    def trace() -> dict:  # type: ignore[type-arg]
        response = httpx.get(
            f"{api}/api/v1/messages/{message_id}", headers={"Authorization": f"Bearer {token}"}
        )
        return response.json() if response.status_code == 200 else {}  # type: ignore[no-any-return]

    eventually(lambda: trace().get("status") == "stored", f"{message_id} to be stored")
    eventually(
        lambda: hub.transport.queue_depth(hub.topology.ingest_queue) == 0, "ingest to be idle"
    )
    hops = [hop["hop"] for hop in trace()["hops"] if hop["messageId"] == message_id]
    assert "rejected" not in hops and "dead_lettered" not in hops, hops
    with hub.engine.connect() as connection:
        people = connection.execute(sa.select(sa.func.count()).select_from(tables.person))
        assert people.scalar_one() == 1
    assert hub.dead_letters.count("waiting") == 0


def test_a_resent_reception_is_answered_as_the_first_and_stored_once(hub: Hub, api: str) -> None:
    token = hub.credentials.issue("serco")
    body = SAMPLE.read_bytes()

    first = post(api, token, body)
    again = post(api, token, body)

    assert first.status_code == 202, first.text
    assert again.status_code == 202, again.text
    message_id = first.json()["messageId"]
    assert again.json()["messageId"] == message_id
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true"
    stored_once(hub, api, token, message_id)


def test_a_reference_reused_for_another_document_is_refused_naming_the_first(
    hub: Hub, api: str
) -> None:
    token = hub.credentials.issue("serco")
    first = post(api, token, SAMPLE.read_bytes())
    changed = SAMPLE.read_bytes().replace(b"KIERAN JAMES", b"KIERAN JOHN")

    refused = post(api, token, changed)

    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert problem["error"] == "reference_reused"
    assert problem["messageId"] == first.json()["messageId"]
    assert problem["reference"] == REFERENCE
    assert first.json()["messageId"] in problem["reason"] and REFERENCE in problem["reason"]


def test_identical_posts_at_once_make_one_message(hub: Hub, api: str) -> None:
    token = hub.credentials.issue("serco")
    body = SAMPLE.read_bytes()
    start = threading.Barrier(4)
    answers: list[httpx.Response] = []

    def send() -> None:
        start.wait()
        answers.append(post(api, token, body))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [a.status_code for a in answers] == [202] * 4, [a.text for a in answers]
    [message_id] = {a.json()["messageId"] for a in answers}
    stored_once(hub, api, token, message_id)


class LosesConfirms:
    """Publishes for real, then reports the confirm lost, ``times`` times (what a channel
    closing between the broker's store and its confirm does)."""

    def __init__(self, times: int) -> None:
        self.times = times
        self.sent: list[str] = []

    def __call__(self, transport: Transport, topology: object, submission: Submission) -> str:
        message_id = publish_inbound(transport, topology, submission)  # type: ignore[arg-type]
        self.sent.append(message_id)
        if len(self.sent) <= self.times:
            raise ConfirmUncertain("the RabbitMQ channel closed before confirming: (320, ...)")
        return message_id


@pytest.fixture
def losing_api(hub: Hub, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, LosesConfirms]]:
    loses = LosesConfirms(times=2)
    monkeypatch.setattr(gatehouse.app, "publish_inbound", loses)
    with serving(create_app(hub), name="gatehouse-api") as base_url:
        yield base_url, loses


def test_a_confirm_lost_twice_is_a_503_saying_it_may_be_stored_and_a_resend_is_the_first(
    hub: Hub, losing_api: tuple[str, LosesConfirms]
) -> None:
    api, loses = losing_api
    token = hub.credentials.issue("serco")
    body = SAMPLE.read_bytes()

    unconfirmed = post(api, token, body)

    assert unconfirmed.status_code == 503, unconfirmed.text
    assert unconfirmed.headers["retry-after"]
    problem = unconfirmed.json()
    assert problem["error"] == "unconfirmed"
    assert "may have been stored" in problem["reason"]
    assert REFERENCE in problem["reason"]
    assert "nothing" not in problem["reason"]
    original = problem["messageId"]
    assert loses.sent == [original, original]  # the edge's own resend, under the same id

    resent = post(api, token, body)

    assert resent.status_code == 202, resent.text
    assert resent.json()["messageId"] == original
    assert resent.headers["location"] == f"/api/v1/messages/{original}"
    assert loses.sent == [original] * 3
    stored_once(hub, api, token, original)


def test_a_confirm_lost_in_a_broker_connection_loss_is_sent_again_and_accepted(
    postgres_url: str,
    rabbitmq_url: str,
    namespace: str,
    tmp_path: Path,
    delius: tuple[str, DeliusReceiver],
    caplog: pytest.LogCaptureFixture,
) -> None:
    proxy = TcpProxy.in_front_of(rabbitmq_url)
    settings = hub_settings(
        database_url=postgres_url,
        broker_url=proxy.url_for(rabbitmq_url),
        namespace=namespace,
        data_dir=tmp_path,
        delius_url=delius[0],
    )
    try:
        with running_hub(settings) as hub, serving(create_app(hub)) as api:
            token = hub.credentials.issue("serco")
            # The publisher's connection open (a message routed nowhere is confirmed), so
            # that it is held below.
            hub.transport.publish(hub.topology.events_exchange, [Message("test.none", b"")])
            proxy.hold_replies()  # the broker takes the publish; its confirm goes nowhere
            answer: list[httpx.Response] = []
            body = SAMPLE.read_bytes()
            poster = threading.Thread(target=lambda: answer.append(post(api, token, body)))
            with caplog.at_level(logging.WARNING, logger="gatehouse.api.resends"):
                poster.start()
                eventually(
                    lambda: proxy.sent_while_held > len(body), "the publish to reach the broker"
                )
                time.sleep(0.5)  # for the broker to store it and confirm into the void
                proxy.cut()  # the channel closes before the confirm arrives
                poster.join(timeout=60)

            [accepted] = answer
            assert accepted.status_code == 202, accepted.text
            assert any("confirm of" in r.getMessage() for r in caplog.records)
            message_id = accepted.json()["messageId"]
            stored_once(hub, api, token, message_id)
            # Both copies reached ingest: the first, whose confirm was lost, was stored.
            eventually(
                lambda: journal.DUPLICATE in [h.hop for h in hub.journal.trace(message_id)],
                "the second copy to be found a duplicate",
            )
    finally:
        proxy.close()
