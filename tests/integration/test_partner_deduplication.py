"""Partners can drop what they have seen: on PostgreSQL and RabbitMQ, with a real Delius.

- a delivery Delius took but the worker never recorded (it died in between) goes out again
  under the same event id, marked a redelivery, and Delius drops it;
- a dead letter replayed reaches Delius marked a replay;
- an AMQP partner's delivery carries the event id as its ``message_id``, and the simulated
  partner drops a second copy.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from adapters.delius.simulator import DeliusReceiver
from adapters.private_prisons.simulator import OperatorSimulator
from adapters.transports.http import HttpDelivery
from core_records.bookkeeping import journal
from core_records.bookkeeping.delivery_holds import DeliveryHolds
from core_records.bookkeeping.journal import Hop
from gatehouse.bootstrap import Hub
from gatehouse.settings import Settings
from routing.dead_letters import replay
from routing.delivery import DeliveryWorker
from routing.inbound import Submission, publish_inbound
from routing.partner_amqp import AmqpPartnerDelivery
from routing.simulated_partner import SimulatedAmqpPartner, running_partner
from tests.hub_fixtures import partners_connection
from tests.running_hub import eventually, running_hub

EVENT_ID = "x-gatehouse-event-id"
DELIVERY = "x-gatehouse-delivery"


class DiesBeforeRecordingOnce:
    """The store's delivery holds, but the first time a delivery is to be recorded the
    worker "dies": nothing is recorded and the batch goes back to the broker, as after a
    SIGKILL between delivering and recording."""

    def __init__(self, holds: DeliveryHolds) -> None:
        self._holds = holds
        self.died = False

    def settle(self, partner: str, *, hops: Sequence[Hop], **others: Any) -> None:
        if not self.died and any(hop.hop == journal.DELIVERED for hop in hops):
            self.died = True
            raise RuntimeError("the worker was killed before recording the delivery")
        self._holds.settle(partner, hops=hops, **others)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._holds, name)


def delius_worker(hub: Hub, url: str, holds: object) -> DeliveryWorker:
    """Delius's delivery worker, as ``gatehouse worker`` builds it, run by the test."""
    return DeliveryWorker(
        consumer=hub.transport.consumer(hub.topology.outbound_queue("delius"), prefetch=10),
        adapter=hub.registry.adapters["delius"],
        delivery=HttpDelivery(url),
        holds=holds,  # type: ignore[arg-type]
        retry_policy=hub.settings.retry_policy,
        fetch_timeout_s=0.2,
    )


def run_until(worker: DeliveryWorker, condition: Any, what: str) -> None:
    def step() -> bool:
        # RuntimeError: the worker "died"; the broker hands its batch out again.
        with contextlib.suppress(RuntimeError):
            worker.run_once()
        return bool(condition())

    eventually(step, what, timeout_s=60, every_s=0)


def receive_someone(hub: Hub, seed: int) -> str:
    operator = OperatorSimulator("serco", ["DNI"], seed=seed)
    body = operator.reception(operator.person(sex="M", known_to_prisons=False), "DNI", "N")
    submission = Submission("private_prisons", "reception", "serco", body, datetime.now(UTC), None)
    return publish_inbound(hub.transport, hub.topology, submission)


def delivered_hops(hub: Hub, event_id: str, adapter: str) -> list[Hop]:
    return [
        hop
        for hop in hub.journal.trace(event_id)
        if hop.hop == journal.DELIVERED and hop.adapter == adapter
    ]


def test_a_delivery_the_worker_died_before_recording_goes_again_and_delius_drops_it(
    settings: Settings, delius: tuple[str, DeliusReceiver]
) -> None:
    url, receiver = delius
    with running_hub(settings, roles=("ingest", "relay")) as hub:
        holds = DiesBeforeRecordingOnce(hub.holds)
        worker = delius_worker(hub, url, holds)
        try:
            receive_someone(hub, seed=21)
            run_until(worker, lambda: receiver.duplicates_dropped == 1, "the second delivery")
            [first] = receiver.received
            [again] = receiver.duplicates
            event_id = first.headers[EVENT_ID]
            eventually(lambda: delivered_hops(hub, event_id, "delius"), "the delivery recorded")
            delivered = delivered_hops(hub, event_id, "delius")
        finally:
            worker.close()

    assert holds.died
    assert again.headers[EVENT_ID] == event_id
    assert again.body == first.body
    assert (first.headers[DELIVERY], again.headers[DELIVERY]) == ("first", "redelivery")
    assert len(delivered) == 1


def test_a_replayed_dead_letter_reaches_delius_marked_a_replay(
    settings: Settings, delius: tuple[str, DeliusReceiver]
) -> None:
    url, receiver = delius
    with running_hub(settings, roles=("ingest", "relay", "dead-letters")) as hub:
        worker = delius_worker(hub, url, hub.holds)
        try:
            receiver.fail_until_recovered(422)  # refused for good: dead-lettered at once
            receive_someone(hub, seed=22)
            run_until(worker, lambda: hub.dead_letters.count("waiting") == 1, "a dead letter")
            receiver.recover()
            [dead] = hub.dead_letters.list()
            replay(hub.dead_letters, hub.transport, dead.id, "olu")
            run_until(worker, lambda: receiver.received, "the replayed delivery")
        finally:
            worker.close()

    [document] = receiver.received
    assert document.headers[DELIVERY] == "replay"
    assert document.headers[EVENT_ID] == dead.message_id
    assert receiver.duplicates == []


def test_an_amqp_partner_gets_the_event_id_as_message_id_and_drops_a_second_copy(
    settings: Settings,
) -> None:
    with (
        running_hub(settings) as hub,
        partners_connection(hub) as transport,
        running_partner(
            SimulatedAmqpPartner(transport, "security", settings.namespace, lambda *_: [])
        ) as security,
    ):
        receive_someone(hub, seed=23)
        eventually(lambda: security.received, "the security application's movement")
        [message] = security.received
        eventually(
            lambda: delivered_hops(hub, message.message_id, "security"),
            "the delivery recorded under the event id",
        )
        assert message.headers["X-Gatehouse-Delivery"] == "first"

        # The same event delivered again, as after a worker died before recording it.
        AmqpPartnerDelivery(hub.transport, "security", settings.namespace).deliver(
            message.body,
            content_type="application/xml",
            headers={
                "X-Gatehouse-Event-Id": message.message_id,
                "X-Gatehouse-Event-Type": "prisoner.received",
                "X-Gatehouse-Delivery": "redelivery",
            },
        )
        eventually(lambda: security.duplicates_dropped == 1, "the second copy dropped")

    [again] = security.duplicates
    assert again.message_id == message.message_id
    assert again.headers["X-Gatehouse-Delivery"] == "redelivery"
    assert len(security.received) == 1
    assert f"<EventId>{message.message_id}</EventId>".encode() in message.body
