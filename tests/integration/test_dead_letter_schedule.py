"""Scheduled dead-letter retry, on real PostgreSQL and RabbitMQ with a real Delius receiver:
Delius is down long enough for a release to be dead-lettered; the ``dead-letters`` worker
role sends it back on its interface's schedule, audited as the scheduler, and once Delius is
back a retry delivers it. Retries stop at the interface's cap, and not while it is paused."""

from __future__ import annotations

import sqlalchemy as sa

from adapters.delius.simulator import DeliusReceiver
from adapters.private_prisons.simulator import OperatorSimulator
from core_records import tables
from core_records.bookkeeping.interface_control import InterfaceControl, RetrySchedule
from gatehouse.bootstrap import Hub
from gatehouse.settings import Settings
from routing.dead_letter_schedule import SCHEDULER, DeadLetterRetryScheduler, scheduled_retries
from tests.integration.test_pipeline_faults import SERCO_PRISONS, publish_inbound
from tests.running_hub import eventually, running_hub


def impatient(settings: Settings) -> Settings:
    """Dead-letter after two attempts; retry dead letters a second after they are filed."""
    return settings.model_copy(
        update={
            "max_attempts": 2,
            "dead_letter_retry_interval_s": 1,
            "dead_letter_retry_max": 6,
            "dead_letter_retry_check_s": 0.2,
        }
    )


def one_reception(seed: int) -> list[tuple[str, bytes]]:
    operator = OperatorSimulator("serco", SERCO_PRISONS, seed=seed)
    return [("reception", operator.reception(operator.person(sex="M", known_to_prisons=False)))]


def scheduler_audits(hub: Hub) -> list[str]:
    audit = tables.audit_event
    query = sa.select(audit.c.action).where(audit.c.actor == SCHEDULER).order_by(audit.c.id)
    with hub.engine.connect() as connection:
        return list(connection.execute(query).scalars())


def by_status(hub: Hub, status: str) -> int:
    return hub.dead_letters.count(status)


def test_a_scheduled_retry_delivers_a_dead_letter_once_delius_is_back(
    settings: Settings, delius: tuple[str, DeliusReceiver]
) -> None:
    _, receiver = delius
    receiver.fail_until_recovered(503)
    with running_hub(impatient(settings)) as hub:
        publish_inbound(hub, one_reception(seed=21))
        eventually(lambda: by_status(hub, "replayed") >= 1, "the scheduler retrying it")
        eventually(lambda: by_status(hub, "waiting") == 1, "the retry dead-lettered again")
        assert receiver.received == []

        receiver.recover()
        eventually(lambda: len(receiver.received) == 1, "a scheduled retry delivering it")
        eventually(lambda: by_status(hub, "waiting") == 0, "no dead letter left waiting")
        audits = scheduler_audits(hub)
        assert audits and set(audits) == {"dead_letter.replayed"}
        hops = hub.journal.trace(receiver.received[0].headers["x-gatehouse-event-id"])
        replays = [h for h in hops if h.hop == "replayed"]
        assert replays and all("by scheduler" in (h.detail or "") for h in replays)
        assert hops[-1].hop == "delivered"


def test_scheduled_retries_stop_at_the_interfaces_cap_and_while_it_is_paused(
    settings: Settings, delius: tuple[str, DeliusReceiver]
) -> None:
    _, receiver = delius
    receiver.fail_until_recovered(503)
    with running_hub(impatient(settings)) as hub:
        control = InterfaceControl(hub.engine)
        control.set_schedule("delius.outbound", RetrySchedule(1, 2), actor="test")
        publish_inbound(hub, one_reception(seed=22))

        def capped() -> bool:
            waiting = hub.dead_letters.list("waiting")
            return len(waiting) == 1 and scheduled_retries(waiting[0]) == 2

        eventually(capped, "the message retried twice, then left waiting", timeout_s=60)
        assert by_status(hub, "replayed") == 2
        # The cap holds: a scheduler looking now, with the interval long past, sends nothing.
        scheduler = DeadLetterRetryScheduler(
            dead_letters=hub.dead_letters,
            control=control,
            transport=hub.transport,
            default=RetrySchedule(1, 6),
            claim_lease=lambda: True,
            release_lease=lambda: None,
        )
        assert scheduler.run_once() == 0
        assert by_status(hub, "waiting") == 1

        # Paused, then the cap raised: still nothing; resumed, with Delius back: delivered.
        control.pause("delius.outbound", actor="test", reason="planned outage")
        control.set_schedule("delius.outbound", RetrySchedule(1, 3), actor="test")
        assert scheduler.run_once() == 0
        assert by_status(hub, "waiting") == 1
        receiver.recover()
        control.resume("delius.outbound", actor="test")
        eventually(lambda: len(receiver.received) == 1, "the next scheduled retry delivering it")
        assert by_status(hub, "replayed") == 3
        assert receiver.received[0].headers["x-gatehouse-delivery"] == "replay"
