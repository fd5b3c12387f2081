"""Partitioned ingest on real RabbitMQ and PostgreSQL.

- two workers share two partitions, each reading one, and every person's messages are
  applied in the order they were sent (a release before its reception, or a second
  reception before the release, would be refused and dead-lettered);
- repartitioning from one partition to two while messages wait in both layouts loses
  nothing, applies each message once and keeps each person's order.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from adapters.private_prisons.simulator import OperatorSimulator
from core_records.custody.tables import person
from core_records.store.tables import inbox
from gatehouse.bootstrap import Hub, build_hub
from gatehouse.cli import app
from gatehouse.settings import Settings
from gatehouse.worker_loops import ingest_loops
from routing.inbound import Submission, inbound_message
from routing.ingest import IngestWorker
from routing.ingest_partitions import PartitionedConsumer, document_person_key
from routing.messages import Delivery
from routing.rabbitmq.repartition import Repartition, RepartitionRefused
from routing.rabbitmq.transport import RabbitTransport
from routing.topology import build_topology
from routing.transport import Consumer
from routing.worker import WorkerRunner
from tests.running_hub import eventually
from tests.support import remember_topology

PRISONS = ["DNI", "TSI", "LGI", "ASI", "DGI"]


def life_stories(people: int, seed: int) -> list[list[tuple[str, bytes]]]:
    """For each of ``people`` new people: received, released, received again, released."""
    operator = OperatorSimulator("serco", PRISONS, seed=seed)
    stories = []
    for _ in range(people):
        someone = operator.person(sex="M", known_to_prisons=False)
        story = [("reception", operator.reception(someone))]
        story.append(("release", operator.release(someone, "SC")))
        story.append(("reception", operator.reception(someone)))
        story.append(("release", operator.release(someone, "SC")))
        stories.append(story)
    return stories


def publish(hub: Hub, documents: Sequence[tuple[str, bytes]]) -> list[str]:
    """Publish as the edge does, each keyed by the person it is about."""
    now = datetime.now(UTC)
    messages = []
    for message_type, body in documents:
        key = document_person_key(hub.registry, "private_prisons", message_type, "serco", body)
        assert key is not None
        submission = Submission(
            "private_prisons", message_type, "serco", body, now, None, person_key=key
        )
        messages.append(inbound_message(submission))
    hub.transport.publish(hub.topology.inbound_exchange, messages)
    return [m.message_id for m in messages]


def step(stories: list[list[tuple[str, bytes]]], index: int) -> list[tuple[str, bytes]]:
    return [story[index] for story in stories]


def applied(hub: Hub) -> int:
    with hub.engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(inbox)).scalar_one()


def people(hub: Hub) -> int:
    with hub.engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(person)).scalar_one()


class CountingConsumer(Consumer):
    """Passes everything through, counting the deliveries acked."""

    def __init__(self, inner: Consumer) -> None:
        self.inner = inner
        self.acked = 0

    def fetch(self, max_messages: int, timeout_s: float) -> list[Delivery]:
        return self.inner.fetch(max_messages, timeout_s)

    def ack(self, deliveries: Sequence[Delivery]) -> None:
        self.acked += len(deliveries)
        self.inner.ack(deliveries)

    def retry_later(
        self, delivery: Delivery, delay_ms: int, reason: str, *, kind: str = "failure"
    ) -> None:
        self.inner.retry_later(delivery, delay_ms, reason, kind=kind)

    def dead_letter(self, delivery: Delivery, reason: str) -> None:
        self.inner.dead_letter(delivery, reason)

    def release(self, deliveries: Sequence[Delivery]) -> None:
        self.inner.release(deliveries)

    def close(self) -> None:
        self.inner.close()


@contextmanager
def ingest_worker(settings: Settings) -> Iterator[tuple[Hub, IngestWorker, CountingConsumer]]:
    """A hub running only its ingest worker, in a thread; stopped on exit."""
    hub = build_hub(settings)
    remember_topology(hub.topology)
    worker, *listeners = ingest_loops(hub)
    for listener in listeners:  # AMQP partners' listeners: not what this test is about
        listener.close()
    assert isinstance(worker, IngestWorker)
    counting = CountingConsumer(worker.consumer)
    worker.consumer = counting
    stop = threading.Event()
    runner = threading.Thread(target=WorkerRunner([worker], idle_sleep_s=0.02).run, args=(stop,))
    runner.start()
    try:
        yield hub, worker, counting
    finally:
        stop.set()
        runner.join(timeout=60)
        hub.close()
        assert not runner.is_alive(), "the ingest worker did not stop within 60 s"


def held(counting: CountingConsumer) -> list[str]:
    inner = counting.inner
    assert isinstance(inner, PartitionedConsumer)
    return inner.held


def test_two_workers_read_a_partition_each_and_keep_every_persons_order(
    settings: Settings,
) -> None:
    settings = settings.model_copy(update={"ingest_partitions": 2})
    stories = life_stories(40, seed=5)
    with ingest_worker(settings) as (hub, _, first), ingest_worker(settings) as (_, _, second):
        eventually(
            lambda: len(held(first)) == 1 and len(held(second)) == 1,
            "each worker to hold one partition",
        )
        assert sorted(held(first) + held(second)) == list(hub.topology.ingest_queues)
        for index in range(4):
            publish(hub, step(stories, index))
        eventually(lambda: applied(hub) == 160, "every message to be applied", timeout_s=120)
        assert hub.transport.queue_depth(hub.topology.dead_letter_queue) == 0
        assert people(hub) == 40
        # Both did their share: people spread over both partitions.
        assert first.acked > 0 and second.acked > 0
        assert first.acked + second.acked == 160


def test_repartitioning_from_one_to_two_loses_nothing_and_keeps_order(settings: Settings) -> None:
    one = settings.model_copy(update={"ingest_partitions": 1})
    two = settings.model_copy(update={"ingest_partitions": 2})
    stories = life_stories(20, seed=9)
    old_hub = build_hub(one)
    remember_topology(old_hub.topology)
    new = build_topology(
        old_hub.registry.subscriptions(),
        namespace=two.namespace,
        delay_tiers_ms=two.delay_tiers_ms,
        ingest_partitions=2,
    )
    remember_topology(new)
    try:
        transport = old_hub.transport
        assert isinstance(transport, RabbitTransport)
        change = Repartition(transport, old_hub.topology, new)
        # Waiting in the old layout: everyone received and released once.
        publish(old_hub, step(stories, 0) + step(stories, 1))
        assert change.switch() == [old_hub.topology.ingest_queue]
        # From now on the edge's messages wait in the new layout: received and released again.
        publish(old_hub, step(stories, 2) + step(stories, 3))
        assert change.waiting()[old_hub.topology.ingest_queue] == 40
        assert [transport.queue_depth(q) for q in new.ingest_queues] != [0, 0]
        assert sum(transport.queue_depth(q) for q in new.ingest_queues) == 40
        with pytest.raises(RepartitionRefused, match="holds 40 messages"):
            change.finish()

        # The workers still on one partition drain the old queue, then stop.
        with ingest_worker(one):
            eventually(lambda: sum(change.waiting().values()) == 0, "the old queue to drain")
            eventually(lambda: applied(old_hub) == 40, "the old layout's messages applied")
        assert change.finish()[0] == old_hub.topology.ingest_queue
        with pytest.raises(KeyError):
            transport.queue_depth(old_hub.topology.ingest_queue)

        # Restarted with two partitions, they take the rest.
        with ingest_worker(two):
            eventually(lambda: applied(old_hub) == 80, "every message applied", timeout_s=120)
        assert transport.queue_depth(new.dead_letter_queue) == 0
        assert people(old_hub) == 20
    finally:
        old_hub.close()


def cli(settings: Settings, *arguments: str) -> tuple[int, str]:
    environment = {
        "GATEHOUSE_DATABASE_URL": settings.store_url,
        "GATEHOUSE_BROKER_URL": settings.broker_url or "",
        "GATEHOUSE_NAMESPACE": settings.namespace,
        "GATEHOUSE_DATA_DIR": str(settings.data_dir),
        "GATEHOUSE_PARTNER_URLS": json.dumps(settings.partner_urls),
        "GATEHOUSE_INGEST_PARTITIONS": str(settings.ingest_partitions),
        "GATEHOUSE_DELAY_TIERS_MS": json.dumps(list(settings.delay_tiers_ms)),
    }
    result = CliRunner().invoke(app, list(arguments), env=environment)
    return result.exit_code, result.output


def test_the_command_switches_refuses_to_finish_while_messages_wait_then_finishes(
    settings: Settings,
) -> None:
    hub = build_hub(settings)
    remember_topology(hub.topology)
    three = build_topology(
        {},
        namespace=settings.namespace,
        delay_tiers_ms=settings.delay_tiers_ms,
        ingest_partitions=3,
    )
    remember_topology(three)
    try:
        publish(hub, step(life_stories(3, seed=2), 0))
        code, said = cli(settings, "ingest", "repartition", "--to", "3")
        assert code == 0, said
        assert f"draining {hub.topology.ingest_queue}" in said
        assert "waiting in the old layout: 3 messages" in said
        code, said = cli(settings, "ingest", "repartition", "--to", "3", "--finish")
        assert code == 1 and "holds 3 messages" in said, said
        with ingest_worker(settings):
            eventually(lambda: applied(hub) == 3, "the old layout's messages applied")
        moved = settings.model_copy(update={"ingest_partitions": 3})
        code, said = cli(moved, "ingest", "repartition", "--from", "1", "--to", "3", "--finish")
        assert code == 0 and "deleted 4 queues of the 1-partition layout" in said, said
        code, said = cli(moved, "ingest", "partitions", "--json")
        assert code == 0, said
        assert [row["queue"] for row in json.loads(said)] == [
            f"{settings.namespace}.ingest.{n}-of-3" for n in range(3)
        ]
    finally:
        hub.close()
