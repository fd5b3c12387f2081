"""The arguments RabbitMQ gets for each kind of Gatehouse queue."""

from __future__ import annotations

from routing.rabbitmq.queue_arguments import wait_queue_arguments, work_queue_arguments
from routing.topology import build_topology

TOPOLOGY = build_topology(
    {"delius": ["prisoner.received"]}, namespace="gh", delay_tiers_ms=(1_000,), delivery_limit=7
)


def test_a_work_queue_is_a_quorum_queue_dead_lettering_at_least_once_under_its_own_name() -> None:
    table = work_queue_arguments(TOPOLOGY.queue("gh.outbound.delius")).as_table()

    assert table == {
        "x-queue-type": "quorum",
        "x-dead-letter-exchange": "gh.dead-letter",
        "x-dead-letter-routing-key": "gh.outbound.delius",
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",
        "x-delivery-limit": 7,
        "x-single-active-consumer": True,
    }


def test_the_dead_letter_queue_has_no_dead_letter_exchange_and_no_delivery_limit() -> None:
    table = work_queue_arguments(TOPOLOGY.queue("gh.dead-letters")).as_table()

    assert table == {"x-queue-type": "quorum", "x-single-active-consumer": True}


def test_a_wait_queue_expires_messages_back_to_its_work_queue_by_the_default_exchange() -> None:
    wait = TOPOLOGY.queue("gh.ingest").wait_queue_for(1_000)

    assert wait_queue_arguments(wait).as_table() == {
        "x-queue-type": "quorum",
        "x-message-ttl": 1_000,
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": "gh.ingest",
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",
    }


def test_a_queue_that_shares_its_consumers_says_nothing_about_single_active_consumer() -> None:
    from dataclasses import replace

    shared = replace(TOPOLOGY.queue("gh.ingest"), single_active_consumer=False)

    assert "x-single-active-consumer" not in work_queue_arguments(shared).as_table()


def test_a_replication_size_is_asked_for_only_when_one_is_set() -> None:
    from dataclasses import replace

    arguments = work_queue_arguments(TOPOLOGY.queue("gh.ingest"))

    assert "x-quorum-initial-group-size" not in arguments.as_table()
    replicated = replace(arguments, initial_group_size=3).as_table()
    assert replicated["x-quorum-initial-group-size"] == 3
