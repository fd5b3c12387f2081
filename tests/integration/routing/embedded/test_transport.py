"""Embedded transport only: several processes on one file, and leases that run out."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from routing.embedded.transport import EmbeddedTransport
from tests.integration.routing._harness import (
    Hub,
    assert_nothing_else_waiting,
    collect,
    contract_topology,
    drained_ids,
    eventually,
    ids,
    numbered,
    wait_for_lines,
)


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    path = tmp_path / "transport.sqlite3"
    topology = contract_topology("gh")
    transport = EmbeddedTransport(path, lease_timeout_s=0.3)
    hub = Hub("embedded", transport, topology, str(path), tmp_path)
    try:
        transport.declare(topology)
        yield hub
    finally:
        hub.close()


def test_two_processes_consuming_one_shared_queue_never_both_get_the_same_message(
    hub: Hub, tmp_path: Path
) -> None:
    queue = hub.topology.outbound_queue("kiosks")  # shared: not single-active
    outputs = [tmp_path / f"consumer-{n}.jsonl" for n in (1, 2)]
    processes = [hub.spawn_consumer("drain", queue, output, prefetch=10) for output in outputs]
    messages = numbered(2_000)
    try:
        for process, output in zip(processes, outputs, strict=True):
            wait_for_lines(output, 1, process)  # both consuming before anything is published
        for start in range(0, len(messages), 100):
            hub.transport.publish(hub.topology.events_exchange, messages[start : start + 100])

        eventually(lambda: len(taken(outputs)) >= len(messages), "draining the queue")
    finally:
        (tmp_path / "stop").touch()
        stop(processes)

    per_process = [drained_ids(output.read_text().split("\n")[:-1]) for output in outputs]
    assert all(per_process), "one process took every message: they did not compete"
    assert sorted(per_process[0] + per_process[1]) == [m.message_id for m in messages]


def test_a_lease_that_expires_is_handed_out_again_and_a_late_ack_changes_nothing(
    hub: Hub,
) -> None:
    queue = hub.topology.outbound_queue("kiosks")
    hub.transport.publish(hub.topology.events_exchange, numbered(1))
    stalled = hub.consumer(queue)
    [first] = collect(stalled, 1)

    # The stalled consumer neither fetches nor settles for longer than its 0.3 s lease.
    successor = hub.consumer(queue)
    [again] = collect(successor, 1)

    stalled.ack([first])
    successor.release([again])
    [still_there] = collect(successor, 1)
    successor.ack([still_there])
    assert ids([first]) == ids([again]) == ids([still_there])
    assert (again.redelivered, again.delivery_count) == (True, 2)
    assert_nothing_else_waiting(hub, successor, queue)


def taken(outputs: list[Path]) -> list[str]:
    return [
        message_id
        for output in outputs
        if output.exists()
        for message_id in drained_ids(output.read_text().split("\n")[:-1])
    ]


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
