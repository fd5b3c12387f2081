"""How fast the transports publish and consume, against the raw pika baseline in the same run.

    .venv/bin/python bench/transport_probe.py [--messages 20000] [--size 1024] [--batch 500]
        [--threads 1] [--transport all|rabbitmq|embedded|raw] [--url amqp://...]

Publishes ``--messages`` persistent messages of ``--size`` bytes in batches of ``--batch``
(the outbox relay publishes hundreds at a time; the HTTP edge one per request, from many
request threads: ``--batch 1 --threads 16``), each batch confirmed, to one quorum queue;
then consumes them all with acks, ``prefetch`` 200. Prints messages per second.
A measurement, not a test: nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pika
import raw_pika_baseline as raw

from routing.embedded.transport import EmbeddedTransport
from routing.messages import Message
from routing.rabbitmq.transport import RabbitTransport
from routing.topology import Topology, build_topology
from routing.transport import Consumer, Transport

DEFAULT_URL = os.environ.get("GATEHOUSE_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
PREFETCH = 200


def probe_transport(transport: Transport, topology: Topology, args: argparse.Namespace) -> None:
    transport.declare(topology)
    queue = topology.outbound_queue("probe")
    body = b"x" * args.size
    messages = [Message(routing_key="prisoner.received", body=body) for _ in range(args.messages)]
    batches = [messages[i : i + args.batch] for i in range(0, len(messages), args.batch)]

    def publish(batch: list[Message]) -> None:
        transport.publish(topology.events_exchange, batch)

    publish_s = timed(lambda: run_all(publish, batches, args.threads))
    consumer = transport.consumer(queue, prefetch=PREFETCH)
    try:
        consume_s = timed(lambda: drain(consumer, args.messages))
    finally:
        consumer.close()
    report("publish", args.messages, publish_s)
    report("consume", args.messages, consume_s)


def probe_topology(namespace: str) -> Topology:
    return build_topology({"probe": ["prisoner.received"]}, namespace=namespace)


def delete_from_broker(url: str, topology: Topology) -> None:
    connection = pika.BlockingConnection(pika.URLParameters(url))
    try:
        channel = connection.channel()
        for queue in topology.all_queue_names:
            channel.queue_delete(queue)
        for exchange in topology.exchanges:
            channel.exchange_delete(exchange.name)
    finally:
        connection.close()


def drain(consumer: Consumer, count: int) -> None:
    received = 0
    while received < count:
        batch = consumer.fetch(PREFETCH, 30)
        if not batch:
            raise TimeoutError(f"only {received} of {count} messages came")
        consumer.ack(batch)
        received += len(batch)


def probe_raw(url: str, args: argparse.Namespace) -> None:
    queue = f"bench-raw-{uuid.uuid4().hex[:8]}"
    raw.declare_quorum_queue(url, queue)
    try:
        bodies = [b"x" * args.size] * args.messages
        report("publish", args.messages, raw.publish_confirmed(url, queue, bodies))
        report("consume", args.messages, raw.consume_acked(url, queue, args.messages))
    finally:
        raw.delete_queue(url, queue)


def run_all(
    publish: Callable[[list[Message]], None], batches: list[list[Message]], threads: int
) -> None:
    if threads == 1:
        for batch in batches:
            publish(batch)
        return
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for _ in pool.map(publish, batches):
            pass


def timed(work: Callable[[], None]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def report(what: str, count: int, seconds: float) -> None:
    print(f"  {what:8} {count:>7} msgs in {seconds:7.2f} s = {count / seconds:>9,.0f} msgs/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--transport", default="all")
    parser.add_argument("--url", default=DEFAULT_URL)
    args = parser.parse_args()
    print(
        f"{args.messages} messages of {args.size} bytes, batches of {args.batch}, "
        f"{args.threads} publishing thread(s), prefetch {PREFETCH}"
    )
    if args.transport in ("all", "raw"):
        print("raw pika (blocking channel, one confirm round trip per message)")
        probe_raw(args.url, args)
    if args.transport in ("all", "rabbitmq"):
        print("RabbitTransport (quorum queue, pipelined confirms)")
        topology = probe_topology(f"bench{uuid.uuid4().hex[:8]}")
        transport = RabbitTransport(args.url, connection_name="gatehouse transport probe")
        try:
            probe_transport(transport, topology, args)
        finally:
            transport.close()
            delete_from_broker(args.url, topology)
    if args.transport in ("all", "embedded"):
        print("EmbeddedTransport (SQLite, WAL, synchronous=FULL)")
        with tempfile.TemporaryDirectory() as directory:
            embedded = EmbeddedTransport(Path(directory) / "probe.sqlite3")
            try:
                probe_transport(embedded, probe_topology("bench"), args)
            finally:
                embedded.close()


if __name__ == "__main__":
    main()
