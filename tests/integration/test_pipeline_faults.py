"""Faults the hub must survive, on real PostgreSQL and RabbitMQ, with a real Delius receiver.

- a worker killed with SIGKILL mid-batch and restarted: every message applied exactly once,
  every event delivered at least once, none lost;
- a worker stopped with SIGTERM: it finishes or hands back what it holds, and exits cleanly;
- the broker connection drops: the edge, the relay and the workers reconnect and carry on;
- a poison message is dead-lettered after its attempts, with its history, and the messages
  behind it keep flowing;
- Delius is down for a while: messages wait, then arrive in order per person;
- readiness answers 503 while the store or the broker is unreachable.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import httpx
import sqlalchemy as sa
from lxml import etree

from adapters.delius.simulator import DeliusReceiver
from adapters.private_prisons.simulator import OperatorSimulator
from adapters.transports.local_server import serving
from core_records import tables
from gatehouse.app import create_app
from gatehouse.bootstrap import Hub, build_hub
from gatehouse.settings import Settings
from routing.inbound import Submission, inbound_message
from tests.integration.routing._tcp_proxy import TcpProxy
from tests.running_hub import eventually, running_hub
from tests.support import remember_topology

SERCO_PRISONS = ["DNI", "TSI", "LGI", "ASI", "DGI"]


def receptions(count: int, seed: int = 1) -> list[bytes]:
    operator = OperatorSimulator("serco", SERCO_PRISONS, seed=seed)
    return [
        operator.reception(operator.person(sex="M", known_to_prisons=False)) for _ in range(count)
    ]


def publish_inbound(hub: Hub, documents: list[tuple[str, bytes]]) -> list[str]:
    """Publish operator documents straight to the inbound exchange, as the edge would."""
    now = datetime.now(UTC)
    messages = [
        inbound_message(Submission("private_prisons", message_type, "serco", body, now, None))
        for message_type, body in documents
    ]
    for start in range(0, len(messages), 500):
        hub.transport.publish(hub.topology.inbound_exchange, messages[start : start + 500])
    return [m.message_id for m in messages]


def count(hub: Hub, table: sa.Table, *where: sa.ColumnElement[bool]) -> int:
    with hub.engine.connect() as connection:
        return int(
            connection.execute(
                sa.select(sa.func.count()).select_from(table).where(*where)
            ).scalar_one()
        )


def delivered_event_ids(receiver: DeliusReceiver) -> list[str]:
    return [document.headers["x-gatehouse-event-id"] for document in receiver.received]


def outbox_event_ids(hub: Hub) -> set[str]:
    with hub.engine.connect() as connection:
        return set(connection.execute(sa.select(tables.outbox.c.event_id)).scalars())


def worker_process(settings: Settings, log: Path) -> subprocess.Popen[bytes]:
    environment = {
        **os.environ,
        "GATEHOUSE_DATABASE_URL": settings.store_url,
        "GATEHOUSE_BROKER_URL": settings.broker_url or "",
        "GATEHOUSE_NAMESPACE": settings.namespace,
        "GATEHOUSE_DATA_DIR": str(settings.data_dir),
        "GATEHOUSE_PARTNER_URLS__DELIUS": settings.partner_urls["delius"],
        "GATEHOUSE_DELAY_TIERS_MS": "[200, 500, 1000]",
    }
    with log.open("ab") as output:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "gatehouse", "worker"],
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def stop(process: subprocess.Popen[bytes], how: signal.Signals) -> int:
    process.send_signal(how)
    return process.wait(timeout=60)


def test_a_worker_killed_mid_batch_loses_nothing_and_applies_nothing_twice(
    settings: Settings, delius: tuple[str, DeliusReceiver], tmp_path: Path
) -> None:
    _, receiver = delius
    total = 3_000
    hub = build_hub(settings)
    remember_topology(hub.topology)
    try:
        publish_inbound(hub, [("reception", body) for body in receptions(total)])
        log = tmp_path / "worker.log"

        first = worker_process(settings, log)
        eventually(
            lambda: count(hub, tables.inbox) >= 250,
            "the first worker to apply a few batches",
            timeout_s=120,
        )
        stop(first, signal.SIGKILL)
        applied_when_killed = count(hub, tables.inbox)
        assert 0 < applied_when_killed < total, "the kill should land mid-stream"

        second = worker_process(settings, log)
        try:
            eventually(
                lambda: count(hub, tables.inbox) == total, "every message applied", timeout_s=180
            )
            eventually(
                lambda: outbox_event_ids(hub) <= set(delivered_event_ids(receiver)),
                "every event delivered",
                timeout_s=180,
            )
        finally:
            exit_code = stop(second, signal.SIGTERM)

        assert exit_code == 0, log.read_text()[-3000:]
        assert count(hub, tables.person) == total
        assert count(hub, tables.movement) == total
        assert count(hub, tables.outbox) == total
        assert count(hub, tables.outbox, tables.outbox.c.published_at.is_(None)) == 0
        delivered = delivered_event_ids(receiver)
        assert set(delivered) == outbox_event_ids(hub)
        assert hub.dead_letters.count("waiting") == 0
    finally:
        hub.close()


def test_a_worker_stopped_with_sigterm_finishes_or_hands_back_its_work(
    settings: Settings, delius: tuple[str, DeliusReceiver], tmp_path: Path
) -> None:
    total = 3_000
    hub = build_hub(settings)
    remember_topology(hub.topology)
    try:
        publish_inbound(hub, [("reception", body) for body in receptions(total, seed=2)])
        log = tmp_path / "worker.log"
        worker = worker_process(settings, log)
        eventually(
            lambda: count(hub, tables.inbox) >= 250, "the worker to get going", timeout_s=120
        )

        assert stop(worker, signal.SIGTERM) == 0, log.read_text()[-3000:]

        applied = count(hub, tables.inbox)
        waiting = hub.transport.queue_depth(hub.topology.ingest_queue)
        assert applied + waiting == total, "every message is either applied or back in the queue"
        assert count(hub, tables.movement) == applied
    finally:
        hub.close()


def test_the_edge_and_the_workers_carry_on_when_the_broker_connection_drops(
    settings: Settings, rabbitmq_url: str, delius: tuple[str, DeliusReceiver]
) -> None:
    _, receiver = delius
    proxy = TcpProxy.in_front_of(rabbitmq_url)
    documents = receptions(60, seed=3)
    token_holder: dict[str, str] = {}

    def post_until_accepted(api: str, body: bytes) -> None:
        # A partner resends on 503, as the edge tells it to.
        def accepted() -> bool:
            response = httpx.post(
                f"{api}/api/v1/inbound/private_prisons/reception",
                content=body,
                headers={"Authorization": f"Bearer {token_holder['serco']}"},
                timeout=30,
            )
            assert response.status_code in (202, 503), response.text
            return response.status_code == 202

        eventually(accepted, "the edge to accept again after the drop", timeout_s=60, every_s=0.2)

    try:
        with running_hub(
            settings.model_copy(update={"broker_url": proxy.url_for(rabbitmq_url)})
        ) as hub:
            token_holder["serco"] = hub.credentials.issue("serco")
            with serving(create_app(hub)) as api:
                for body in documents[:20]:
                    post_until_accepted(api, body)
                proxy.cut()
                for body in documents[20:40]:
                    post_until_accepted(api, body)
                eventually(
                    lambda: len(receiver.received) >= 20,
                    "deliveries after the first drop",
                    timeout_s=60,
                )
                proxy.cut()
                for body in documents[40:]:
                    post_until_accepted(api, body)
                eventually(
                    lambda: len(set(delivered_event_ids(receiver))) == len(documents),
                    "every reception delivered to Delius",
                    timeout_s=120,
                )
            assert count(hub, tables.person) == len(documents)
            assert count(hub, tables.inbox) == len(documents)
            assert proxy.connections_accepted > 3, "the clients should have reconnected"
    finally:
        proxy.close()


def test_a_poison_message_is_dead_lettered_with_its_history_and_the_rest_keep_flowing(
    settings: Settings, delius: tuple[str, DeliusReceiver]
) -> None:
    _, receiver = delius
    operator = OperatorSimulator("serco", SERCO_PRISONS, seed=4)
    people = [operator.person(sex="M", known_to_prisons=False) for _ in range(30)]
    # Someone arriving with a prison number: Delius chokes on their record, every time.
    poison = operator.person(sex="M", known_to_prisons=True)
    assert poison.prison_number
    receiver.refuse_documents_containing(poison.prison_number, status=500)
    people.insert(10, poison)
    documents = [("reception", operator.reception(p)) for p in people]

    with running_hub(settings) as hub:
        message_ids = publish_inbound(hub, documents)
        poison_id = message_ids[10]

        eventually(
            lambda: hub.dead_letters.count("waiting") == 1, "the poison message dead-lettered"
        )
        eventually(
            lambda: len(receiver.received) == len(people) - 1, "every other reception delivered"
        )
        noms = poison.prison_number

        [dead] = hub.dead_letters.list()
        assert dead.origin_queue == hub.topology.outbound_queue("delius")
        assert dead.reason.startswith(f"gave up after {settings.max_attempts} attempts: ")
        assert "500" in dead.reason
        failures = [a for a in dead.attempts if a.get("kind", "failure") == "failure"]
        assert len(failures) == settings.max_attempts - 1
        assert [a["delay_ms"] for a in failures] == list(settings.delay_tiers_ms[: len(failures)])
        # Delius's own hops: other partners receive the same event on their own queues.
        hops = [h.hop for h in hub.journal.trace(poison_id) if h.adapter in (None, "delius")]
        assert hops.count("retry_scheduled") == settings.max_attempts - 1
        assert hops[-1] == "dead_lettered"
        delivered_people = {
            etree.fromstring(d.body).findtext("{*}Offender/{*}NomsNumber")
            for d in receiver.received
        }
        assert noms not in delivered_people


def test_while_delius_is_down_messages_wait_and_then_arrive_in_order_per_person(
    settings: Settings, delius: tuple[str, DeliusReceiver]
) -> None:
    _, receiver = delius
    operator = OperatorSimulator("serco", SERCO_PRISONS, seed=5)
    people = [operator.person(sex="M", known_to_prisons=False) for _ in range(8)]
    documents = (
        [("reception", operator.reception(p, "DNI", "N")) for p in people]
        + [("transfer", operator.transfer(p, "TSI")) for p in people]
        + [("release", operator.release(p, "CR")) for p in people]
    )
    patient = settings.model_copy(update={"max_attempts": 12})

    with running_hub(patient) as hub:
        receiver.fail_until_recovered(503)
        publish_inbound(hub, documents)
        eventually(
            lambda: receiver.requests >= 5, "deliveries to be attempted while Delius is down"
        )
        eventually(lambda: count(hub, tables.delivery_hold) > 0, "events held while Delius is down")
        eventually(lambda: receiver.requests >= 10, "more attempts during the outage")
        receiver.recover()

        eventually(
            lambda: len(receiver.received) == 3 * len(people),
            "every update delivered",
            timeout_s=90,
        )
        actions: dict[str, list[str]] = {}
        for document in receiver.received:
            root = etree.fromstring(document.body)
            actions.setdefault(root.findtext("{*}Offender/{*}NomsNumber") or "", []).append(
                root.findtext("{*}Action") or ""
            )
        assert len(actions) == len(people)
        assert all(a == ["RECEPTION", "TRANSFER", "RELEASE"] for a in actions.values()), actions
        assert hub.dead_letters.count("waiting") == 0
        eventually(lambda: count(hub, tables.delivery_hold) == 0, "every hold lifted")


def test_readiness_is_503_naming_the_store_or_broker_that_is_unreachable(
    settings: Settings, postgres_url: str, rabbitmq_url: str
) -> None:
    store_proxy = TcpProxy.in_front_of(postgres_url.replace("postgresql+psycopg", "postgresql"))
    broker_proxy = TcpProxy.in_front_of(rabbitmq_url)
    proxied = settings.model_copy(
        update={
            "database_url": store_proxy.url_for(
                postgres_url.replace("postgresql+psycopg", "postgresql")
            ),
            "broker_url": broker_proxy.url_for(rabbitmq_url),
        }
    )
    hub = build_hub(proxied)
    remember_topology(hub.topology)
    try:
        with serving(create_app(hub)) as api:
            assert httpx.get(f"{api}/health/ready").status_code == 200

            broker_proxy.refuse()
            response = httpx.get(f"{api}/health/ready", timeout=30)
            assert response.status_code == 503
            checks = response.json()["checks"]
            assert checks["store"] == "ok" and checks["broker"] != "ok"
            broker_proxy.restore()
            eventually(
                lambda: httpx.get(f"{api}/health/ready").status_code == 200, "the broker back"
            )

            store_proxy.refuse()
            response = httpx.get(f"{api}/health/ready", timeout=30)
            assert response.status_code == 503
            checks = response.json()["checks"]
            assert checks["broker"] == "ok" and checks["store"] != "ok"
            assert httpx.get(f"{api}/health/live").status_code == 200
            store_proxy.restore()
            eventually(
                lambda: httpx.get(f"{api}/health/ready").status_code == 200, "the store back"
            )
    finally:
        hub.close()
        store_proxy.close()
        broker_proxy.close()


def test_after_a_broker_restart_mid_batch_every_persons_events_reach_delius_and_no_hold_stays(
    settings: Settings, rabbitmq_url: str, delius: tuple[str, DeliusReceiver], tmp_path: Path
) -> None:
    """Two workers deliver to Delius through a proxy that drops every connection, as a broker
    restart does, while a batch is being delivered: the worker that delivered it loses its
    acks, the other is handed the same batch, and Delius answers 503 for a moment. Every
    person's events still arrive, first in their order, and no hold outlives its event."""
    _, receiver = delius
    operator = OperatorSimulator("serco", SERCO_PRISONS, seed=6)
    people = [operator.person(sex="M", known_to_prisons=False) for _ in range(40)]
    documents = (
        [("reception", operator.reception(p, "DNI", "N")) for p in people]
        + [("transfer", operator.transfer(p, "TSI")) for p in people]
        + [("release", operator.release(p, "CR")) for p in people]
    )
    proxy = TcpProxy.in_front_of(rabbitmq_url)
    patient = settings.model_copy(
        update={"max_attempts": 30, "broker_url": proxy.url_for(rabbitmq_url)}
    )
    hub = build_hub(settings)
    remember_topology(hub.topology)
    log = tmp_path / "workers.log"
    workers = [worker_process(patient, log), worker_process(patient, log)]
    try:
        receiver.delay_next(60, 0.05)  # so that the drop lands while a batch is delivered
        publish_inbound(hub, documents)
        for delivered_before_cut in (10, 60):
            eventually(
                lambda n=delivered_before_cut: len(receiver.received) >= n,
                f"{delivered_before_cut} deliveries before the drop",
                timeout_s=120,
            )
            connections = proxy.connections_accepted
            proxy.cut()
            receiver.fail_until_recovered(503)
            eventually(
                lambda c=connections: proxy.connections_accepted > c, "a reconnection", timeout_s=30
            )
            receiver.recover()

        eventually(
            lambda: len(set(delivered_event_ids(receiver))) == len(documents),
            "every event delivered to Delius",
            timeout_s=180,
        )
        eventually(lambda: count(hub, tables.delivery_hold) == 0, "every hold lifted")
        first_arrivals: dict[str, list[str]] = {}
        seen: set[str] = set()
        for document in receiver.received:
            event_id = document.headers["x-gatehouse-event-id"]
            if event_id in seen:
                continue
            seen.add(event_id)
            root = etree.fromstring(document.body)
            first_arrivals.setdefault(root.findtext("{*}Offender/{*}NomsNumber") or "", []).append(
                root.findtext("{*}Action") or ""
            )
        assert len(first_arrivals) == len(people)
        assert all(a == ["RECEPTION", "TRANSFER", "RELEASE"] for a in first_arrivals.values()), (
            first_arrivals
        )
        assert hub.dead_letters.count("waiting") == 0
        assert count(hub, tables.person) == len(people)
    finally:
        for worker in workers:
            assert stop(worker, signal.SIGTERM) == 0, log.read_text()[-3000:]
        proxy.close()
        hub.close()


def test_a_worker_started_while_the_broker_is_away_waits_for_it_and_then_works(
    settings: Settings, rabbitmq_url: str, delius: tuple[str, DeliusReceiver], tmp_path: Path
) -> None:
    _, receiver = delius
    proxy = TcpProxy.in_front_of(rabbitmq_url)
    hub = build_hub(settings)
    remember_topology(hub.topology)
    log = tmp_path / "worker.log"
    proxy.refuse()
    worker = worker_process(
        settings.model_copy(update={"broker_url": proxy.url_for(rabbitmq_url)}), log
    )
    try:
        eventually(
            lambda: "waiting for it" in log.read_text(), "the worker to say it waits", timeout_s=60
        )
        assert worker.poll() is None, "the worker should wait for the broker, not exit"
        proxy.restore()
        message_ids = publish_inbound(hub, [("reception", body) for body in receptions(3, 7)])
        eventually(
            lambda: count(hub, tables.inbox) == len(message_ids),
            "the receptions applied once the broker is back",
            timeout_s=90,
        )
        eventually(lambda: len(receiver.received) == len(message_ids), "Delius told of each")
    finally:
        assert stop(worker, signal.SIGTERM) == 0, log.read_text()[-3000:]
        proxy.close()
        hub.close()
