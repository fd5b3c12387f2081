"""The topology: every name from one module, every work queue with its tiers."""

from __future__ import annotations

import pytest

from routing.topology import build_topology


def test_each_subscribing_adapter_gets_an_outbound_queue_bound_to_exactly_its_event_types() -> None:
    topology = build_topology(
        {"delius": ["prisoner.released", "prisoner.received"], "kiosks": []}, namespace="gh"
    )
    delius = topology.queue("gh.outbound.delius")
    assert [(b.exchange, b.routing_key) for b in delius.bindings] == [
        ("gh.events", "prisoner.received"),
        ("gh.events", "prisoner.released"),
    ]
    with pytest.raises(KeyError, match=r"gh\.outbound\.kiosks"):
        topology.queue("gh.outbound.kiosks")


def test_every_work_queue_has_a_wait_queue_per_tier_returning_to_it() -> None:
    topology = build_topology({"delius": ["prisoner.received"]}, delay_tiers_ms=(100, 2_000))
    ingest = topology.queue(topology.ingest_queue)
    assert [(w.name, w.delay_ms, w.returns_to) for w in ingest.wait_queues] == [
        ("gatehouse.ingest.wait.100ms", 100, "gatehouse.ingest"),
        ("gatehouse.ingest.wait.2000ms", 2_000, "gatehouse.ingest"),
    ]
    assert ingest.dead_letter_exchange == "gatehouse.dead-letter"
    with pytest.raises(ValueError, match="no 5 ms wait queue"):
        ingest.wait_queue_for(5)


def test_the_dead_letter_queue_takes_everything_and_has_no_dead_letter_exchange_of_its_own() -> (
    None
):
    topology = build_topology({})
    dead_letters = topology.queue(topology.dead_letter_queue)
    assert [(b.exchange, b.routing_key) for b in dead_letters.bindings] == [
        ("gatehouse.dead-letter", "#")
    ]
    assert dead_letters.dead_letter_exchange is None
    assert dead_letters.wait_queues == ()


def test_ingest_is_bound_to_every_inbound_routing_key() -> None:
    topology = build_topology({})
    ingest = topology.queue("gatehouse.ingest")
    assert [(b.exchange, b.routing_key) for b in ingest.bindings] == [("gatehouse.inbound", "#")]
