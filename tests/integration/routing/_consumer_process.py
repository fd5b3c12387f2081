"""A consumer in a process of its own, for tests where a consumer dies or two compete.

    python -m tests.integration.routing._consumer_process '<spec as JSON>'

Modes:

- ``hold``: take ``count`` deliveries, write them as one JSON line to ``output``, and wait to
  be killed while holding them (a crash: no ack, no release, no close).
- ``drain``: write ``ready``, then take and ack deliveries, writing each batch's message ids
  as a JSON line (before acking, so a message handed to two consumers shows twice), until
  the file ``stop_file`` exists.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from routing.embedded.transport import EmbeddedTransport
from routing.messages import Delivery
from routing.rabbitmq.transport import RabbitTransport
from routing.transport import Transport
from tests.integration.routing._harness import contract_topology

HOLD_LEASE_S = 0.5
"""A killed embedded consumer's leases run out this soon, so the tests need not wait long."""


def main(spec: dict[str, Any]) -> None:
    transport = _transport(spec)
    try:
        # A RabbitMQ consumer learns its queue's shape from the topology declared in-process.
        transport.declare(contract_topology(spec["namespace"]))
        if spec["mode"] == "hold":
            _hold(transport, spec)
        else:
            _drain(transport, spec)
    finally:
        transport.close()


def _transport(spec: dict[str, Any]) -> Transport:
    if spec["kind"] == "embedded":
        lease_s = HOLD_LEASE_S if spec["mode"] == "hold" else 30.0
        return EmbeddedTransport(spec["location"], lease_timeout_s=lease_s)
    return RabbitTransport(spec["location"], connection_name="gatehouse test consumer")


def _hold(transport: Transport, spec: dict[str, Any]) -> None:
    count = spec["count"]
    # Prefetch no more than it will hold: on RabbitMQ, a killed consumer's prefetched
    # messages count a delivery too.
    consumer = transport.consumer(spec["queue"], prefetch=count)
    held: list[Delivery] = []
    deadline = time.monotonic() + 60
    while len(held) < count and time.monotonic() < deadline:
        held += consumer.fetch(count - len(held), 0.2)
    summary = [
        {
            "message_id": d.message.message_id,
            "delivery_count": d.delivery_count,
            "redelivered": d.redelivered,
        }
        for d in held
    ]
    _write_line(spec["output"], json.dumps(summary))
    while True:
        time.sleep(1)  # until killed


def _drain(transport: Transport, spec: dict[str, Any]) -> None:
    consumer = transport.consumer(spec["queue"], prefetch=spec.get("prefetch", 10))
    _write_line(spec["output"], '"ready"')
    stop = Path(spec["stop_file"])
    while not stop.exists():
        batch = consumer.fetch(spec.get("prefetch", 10), 0.1)
        if batch:
            _write_line(spec["output"], json.dumps([d.message.message_id for d in batch]))
            consumer.ack(batch)
    consumer.close()


def _write_line(path: str, line: str) -> None:
    with open(path, "a") as output:
        output.write(line + "\n")


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
