"""Pausing Delius during traffic, on real PostgreSQL and RabbitMQ with a real Delius receiver:
the pause is made by ``gatehouse interfaces pause`` in a process of its own and picked up by
the running worker; while paused nothing is tried (so nothing fails or is dead-lettered,
even with Delius down), everything waits in the queue, the monitor says paused; on resume
every person's events arrive in order."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pika
import sqlalchemy as sa
from lxml import etree

from adapters.delius.simulator import DeliusReceiver
from adapters.private_prisons.simulator import OperatorSimulator
from core_records import tables
from core_records.bookkeeping import journal
from gatehouse.bootstrap import Hub
from gatehouse.service_monitoring import build_monitor
from gatehouse.settings import Settings
from tests.integration.test_pipeline_faults import SERCO_PRISONS, publish_inbound
from tests.running_hub import eventually, running_hub, unpublished_events

PEOPLE = 25
EVENTS_PER_PERSON = 4
"""A reception, a transfer's release and reception, and a release: each bound to Delius."""
SAM = f"sam@{socket.gethostname()}"


def gatehouse_cli(settings: Settings, *arguments: str) -> str:
    """Run ``gatehouse ...`` in a process of its own, against the test's store and broker."""
    environment = {
        **os.environ,
        "GATEHOUSE_DATABASE_URL": settings.store_url,
        "GATEHOUSE_BROKER_URL": settings.broker_url or "",
        "GATEHOUSE_NAMESPACE": settings.namespace,
        "GATEHOUSE_DATA_DIR": str(settings.data_dir),
        "GATEHOUSE_DELAY_TIERS_MS": "[200, 500, 1000]",
        "USER": "sam",
        "LOGNAME": "sam",
    }
    done = subprocess.run(
        [sys.executable, "-m", "gatehouse", *arguments],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def consumers_of(settings: Settings, queue: str) -> int:
    connection = pika.BlockingConnection(pika.URLParameters(settings.broker_url or ""))
    try:
        return int(connection.channel().queue_declare(queue, passive=True).method.consumer_count)
    finally:
        connection.close()


def delius_hops(hub: Hub, hop: str) -> int:
    j = tables.journal
    query = sa.select(sa.func.count()).where(
        j.c.adapter == "delius", j.c.direction == journal.OUTBOUND, j.c.hop == hop
    )
    with hub.engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def actions_by_person(receiver: DeliusReceiver) -> dict[str, list[str]]:
    actions: dict[str, list[str]] = {}
    for document in receiver.received:
        root = etree.fromstring(document.body)
        person = root.findtext("{*}Offender/{*}NomsNumber") or ""
        actions.setdefault(person, []).append(root.findtext("{*}Action") or "")
    return actions


def test_a_paused_delius_keeps_its_deliveries_waiting_then_gets_them_in_order_on_resume(
    settings: Settings, delius: tuple[str, DeliusReceiver]
) -> None:
    _, receiver = delius
    operator = OperatorSimulator("serco", SERCO_PRISONS, seed=14)
    people = [operator.person(sex="M", known_to_prisons=False) for _ in range(PEOPLE)]
    before = [("reception", operator.reception(p, "DNI", "N")) for p in people] + [
        ("transfer", operator.transfer(p, "TSI")) for p in people
    ]
    during = [("release", operator.release(p, "CR")) for p in people]
    # Small batches: a worker finishes the batch in hand before it notices a pause. A long
    # delivery timeout: Delius (in this process, beside the workers' threads) answers slowly on
    # purpose, and on a loaded machine a post that timed out before the pause would be retried
    # although Delius had taken it, which is not what this test is about.
    quick = settings.model_copy(
        update={"interface_pause_check_s": 0.2, "batch_size": 4, "delivery_timeout_s": 30.0}
    )

    with running_hub(quick) as hub:
        queue = hub.topology.outbound_queue("delius")
        # Delius answers slowly, so that the pause (a process of its own, which takes a few
        # seconds to start) lands while the first updates are still going out.
        receiver.delay_next(10_000, 0.5)
        publish_inbound(hub, before)
        eventually(lambda: len(receiver.received) >= 5, "the first deliveries to Delius")

        gatehouse_cli(quick, "interfaces", "pause", "delius.outbound", "--reason", "planned outage")
        eventually(lambda: consumers_of(quick, queue) == 0, "the worker to stop consuming")
        delivered_when_paused = len(receiver.received)
        requests_when_paused = receiver.requests
        assert delivered_when_paused < 2 * PEOPLE, "the pause came after the traffic"

        # Delius goes down too, and more traffic arrives: none of it is tried.
        receiver.fail_until_recovered(503)
        publish_inbound(hub, during)
        # Every event Delius's queue was given and the worker has not settled (delivered, or
        # filtered: a transfer's release is not a document of its own) waits there, once,
        # when the relay has published them all.
        settled = delius_hops(hub, journal.DELIVERED) + delius_hops(hub, journal.FILTERED)
        eventually(
            lambda: (
                unpublished_events(hub) == 0
                and hub.transport.queue_depth(queue) == EVENTS_PER_PERSON * PEOPLE - settled
            ),
            "every unsettled event waiting in Delius's queue, once",
            timeout_s=60,
        )
        assert receiver.requests == requests_when_paused
        assert hub.dead_letters.count("waiting") == 0
        [health] = [h for h in build_monitor(hub).current_health()
                    if h.interface.key == "delius.outbound"]  # fmt: skip
        assert health.status == "paused"
        assert f"paused by {SAM}" in health.reason and "planned outage" in health.reason
        listed = gatehouse_cli(quick, "interfaces", "list")
        assert f"PAUSED by {SAM}" in listed

        receiver.recover()
        receiver.delay_next(0, 0)
        gatehouse_cli(quick, "interfaces", "resume", "delius.outbound")
        eventually(
            lambda: len(receiver.received) == 3 * PEOPLE, "every event delivered", timeout_s=120
        )

        actions = actions_by_person(receiver)
        assert len(actions) == PEOPLE
        assert all(a == ["RECEPTION", "TRANSFER", "RELEASE"] for a in actions.values()), actions
        assert hub.dead_letters.count("waiting") == 0
        assert delius_hops(hub, journal.RETRY_SCHEDULED) == 0, "a delivery failed while paused"
        assert delius_hops(hub, journal.DEAD_LETTERED) == 0
        with hub.engine.connect() as connection:
            audited = connection.execute(
                sa.select(tables.audit_event.c.action, tables.audit_event.c.actor)
                .where(tables.audit_event.c.subject == "interface:delius.outbound")
                .order_by(tables.audit_event.c.id)
            ).all()
        assert [tuple(row) for row in audited] == [
            ("interface.paused", SAM),
            ("interface.resumed", SAM),
        ]
