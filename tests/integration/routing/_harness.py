"""What the transport tests share: the topology they declare, a hub with either transport,
consumers in processes of their own (to kill, or to compete), and waiting on conditions.

Every wait here is on a condition with a generous deadline, never a sleep: a slow machine
makes the tests slower, not flaky.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from routing.messages import Delivery, Message
from routing.topology import Topology, build_topology
from routing.transport import Consumer, Transport

REPO_ROOT = Path(__file__).resolve().parents[3]
DEADLINE_S = 30.0
DELAY_TIERS_MS = (200, 500)
DELIVERY_LIMIT = 2
SUBSCRIPTIONS = {
    "delius": ["prisoner.received", "prisoner.released"],
    "kiosks": ["prisoner.*"],
    "oasys": ["risk.assessed"],
}


def contract_topology(namespace: str) -> Topology:
    """Small delay tiers and delivery limit, so tests are quick; the kiosks queue is shared
    by its consumers (not single-active), the others keep their order."""
    topology = build_topology(
        SUBSCRIPTIONS,
        namespace=namespace,
        delay_tiers_ms=DELAY_TIERS_MS,
        delivery_limit=DELIVERY_LIMIT,
    )
    kiosks = topology.outbound_queue("kiosks")
    queues = tuple(
        replace(q, single_active_consumer=False) if q.name == kiosks else q
        for q in topology.work_queues
    )
    return replace(topology, work_queues=queues)


@dataclass
class Hub:
    """A declared transport of either kind, and how to start a consumer process on it."""

    kind: str
    transport: Transport
    topology: Topology
    location: str
    """The broker URL, or the embedded transport's file."""
    workdir: Path
    consumers: list[Consumer] = field(default_factory=list)

    def consumer(self, queue: str, *, prefetch: int = 200) -> Consumer:
        consumer = self.transport.consumer(queue, prefetch=prefetch)
        self.consumers.append(consumer)
        return consumer

    def crash_holding(self, queue: str, count: int) -> list[dict[str, Any]]:
        """Start a consumer process that takes ``count`` deliveries and is killed holding
        them; returns what it took (``message_id``, ``delivery_count``, ``redelivered``)."""
        output = self.workdir / f"held-{time.monotonic_ns()}.jsonl"
        process = self.spawn_consumer("hold", queue, output, count=count)
        try:
            lines = wait_for_lines(output, 1, process)
        finally:
            process.kill()
            process.wait()
        held: list[dict[str, Any]] = json.loads(lines[0])
        return held

    def spawn_consumer(
        self, mode: str, queue: str, output: Path, **options: Any
    ) -> subprocess.Popen[bytes]:
        spec = {
            "kind": self.kind,
            "location": self.location,
            "namespace": self.topology.namespace,
            "mode": mode,
            "queue": queue,
            "output": str(output),
            "stop_file": str(self.workdir / "stop"),
            **options,
        }
        return subprocess.Popen(
            [sys.executable, "-m", "tests.integration.routing._consumer_process", json.dumps(spec)],
            cwd=REPO_ROOT,
            env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        )

    def close(self) -> None:
        for consumer in self.consumers:
            consumer.close()
        self.transport.close()


def wait_for_lines(path: Path, count: int, process: subprocess.Popen[bytes]) -> list[str]:
    """The first ``count`` lines a consumer process writes to ``path``."""
    deadline = time.monotonic() + DEADLINE_S
    while True:
        # Only whole lines: the process may be halfway through writing the next one.
        lines = path.read_text().split("\n")[:-1] if path.exists() else []
        if len(lines) >= count:
            return lines
        if process.poll() is not None:
            pytest.fail(f"the consumer process exited ({process.returncode}) before writing")
        if time.monotonic() > deadline:
            pytest.fail(f"the consumer process wrote {len(lines)} of {count} lines in time")
        time.sleep(0.02)


def collect(
    consumer: Consumer, count: int, *, max_batch: int = 500, ack: bool = False
) -> list[Delivery]:
    """Fetch until ``count`` deliveries have come, or fail the test at the deadline.

    ``ack``: ack each batch as it comes, to collect more than the consumer's prefetch.
    """
    deliveries: list[Delivery] = []
    deadline = time.monotonic() + DEADLINE_S
    while len(deliveries) < count:
        if time.monotonic() > deadline:
            pytest.fail(f"{len(deliveries)} of {count} deliveries came within {DEADLINE_S} s")
        batch = consumer.fetch(min(max_batch, count - len(deliveries)), 0.2)
        if ack:
            consumer.ack(batch)
        deliveries += batch
    return deliveries


def collect_until(consumer: Consumer, message_id: str) -> list[Delivery]:
    """Fetch until the message ``message_id`` comes; everything fetched, it included."""
    deliveries: list[Delivery] = []
    deadline = time.monotonic() + DEADLINE_S
    while message_id not in {d.message.message_id for d in deliveries}:
        if time.monotonic() > deadline:
            pytest.fail(f"message {message_id} did not come within {DEADLINE_S} s")
        deliveries += consumer.fetch(500, 0.2)
    return deliveries


def assert_nothing_else_waiting(hub: Hub, consumer: Consumer, queue: str) -> None:
    """Send a sentinel to ``queue`` and see that ``consumer`` gets it alone: anything else
    waiting in the queue (or handed back to it) would come before it."""
    sentinel = Message(routing_key="sentinel", body=b"")
    hub.transport.send_to_queue(queue, [sentinel])
    seen = collect_until(consumer, sentinel.message_id)
    consumer.ack(seen)
    assert [d.message.message_id for d in seen] == [sentinel.message_id]


def eventually(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {DEADLINE_S} s")
        time.sleep(0.02)


def ids(deliveries: list[Delivery]) -> list[str]:
    return [d.message.message_id for d in deliveries]


def numbered(count: int, routing_key: str = "prisoner.received") -> list[Message]:
    return [
        Message(routing_key=routing_key, body=f"message {n}".encode(), message_id=f"m{n:05d}")
        for n in range(count)
    ]


def drained_ids(lines: list[str]) -> list[str]:
    """The message ids in a draining consumer process's output lines."""
    return [message_id for line in lines[1:] for message_id in json.loads(line)]
