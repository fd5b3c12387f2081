"""The PNC lookup benchmark: Gatehouse's request/reply with PNC against raw AMQP RPC, in one run.

    .venv/bin/python bench/pnc_lookup.py [--people 300] [--rabbitmq-url ...] [--postgres-url ...]

(a) Baseline: plain pika request/reply on the same broker, with the same durability: N
    persistent requests published with confirms to a quorum queue, a server that answers
    each on its ``reply_to`` (a quorum queue) with the ``correlation_id`` and acks, and a
    client that consumes the N replies. Seconds from the first request to the last reply.
(b) Gatehouse: N private-prison receptions of people without a PNC id put on the inbound
    exchange, with every worker loop running in this process on PostgreSQL and RabbitMQ,
    and a simulated PNC on a connection of its own: each reception is stored, its events
    relayed and delivered (to Delius over HTTP, and to PNC as a LookupRequest with reply_to
    and correlation_id), PNC answers, and the answer is taken in over AMQP, validated,
    translated and stored with the person's new ids. Seconds from the first reception
    published to the last answer stored; and per reception, the latency from its publish to
    its answer stored (the journal's ``stored`` hop of the reply, which shares the
    reception's correlation id).

A measurement, not a test: it prints figures, and exits non-zero only if an answer is lost.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import pika
import sqlalchemy as sa
from bench_database import fresh_database

from adapters.delius.simulator import DeliusReceiver, running_receiver
from adapters.pnc.simulator import PncSimulator
from adapters.private_prisons.simulator import OperatorSimulator
from core_records.bookkeeping import journal
from core_records.partner_records.intelligence_tables import police_lookup
from gatehouse.bootstrap import amqp_partners, build_hub
from gatehouse.settings import Settings
from gatehouse.worker_loops import build_loops
from routing.inbound import Submission, inbound_message
from routing.rabbitmq.transport import RabbitTransport
from routing.simulated_partner import SimulatedAmqpPartner
from routing.topology import partner_topology
from routing.worker import WorkerRunner

RABBITMQ_URL = os.environ.get(
    "GATEHOUSE_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/%2F"
)
POSTGRES_URL = os.environ.get(
    "GATEHOUSE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
QUORUM = {"x-queue-type": "quorum"}
_PNC_ELEMENT = re.compile(rb"\s*<PncId>[^<]*</PncId>")


# --- (a) raw AMQP request/reply -------------------------------------------------------------


def raw_request_reply(url: str, count: int) -> float:
    suffix = uuid.uuid4().hex[:8]
    requests, replies = f"bench.rpc.requests.{suffix}", f"bench.rpc.replies.{suffix}"
    setup = pika.BlockingConnection(pika.URLParameters(url))
    channel = setup.channel()
    for queue in (requests, replies):
        channel.queue_declare(queue, durable=True, arguments=QUORUM)
    served = threading.Event()

    def serve() -> None:
        connection = pika.BlockingConnection(pika.URLParameters(url))
        server = connection.channel()
        server.confirm_delivery()
        server.basic_qos(prefetch_count=200)
        for answered, (method, properties, body) in enumerate(server.consume(requests), 1):
            server.basic_publish(
                "",
                properties.reply_to,
                b"<answer>" + body + b"</answer>",
                pika.BasicProperties(delivery_mode=2, correlation_id=properties.correlation_id),
            )
            server.basic_ack(method.delivery_tag)
            if answered == count:
                break
        server.cancel()
        connection.close()
        served.set()

    server_thread = threading.Thread(target=serve, daemon=True)
    server_thread.start()
    client = pika.BlockingConnection(pika.URLParameters(url))
    publisher = client.channel()
    publisher.confirm_delivery()
    start = time.perf_counter()
    for number in range(count):
        publisher.basic_publish(
            "",
            requests,
            f"<request>{number}</request>".encode(),
            pika.BasicProperties(delivery_mode=2, reply_to=replies, correlation_id=str(number)),
        )
    for received, (method, _properties, _body) in enumerate(publisher.consume(replies), 1):
        publisher.basic_ack(method.delivery_tag)
        if received == count:
            break
    elapsed = time.perf_counter() - start
    publisher.cancel()
    client.close()
    served.wait(30)
    for queue in (requests, replies):
        channel.queue_delete(queue)
    setup.close()
    return elapsed


# --- (b) Gatehouse --------------------------------------------------------------------------


def receptions(count: int) -> list[bytes]:
    """Receptions at Doncaster of people new to the prisons, without a PNC id."""
    operator = OperatorSimulator("serco", ["DNI"], seed=11)
    made = []
    for _ in range(count):
        person = operator.person(known_to_prisons=False)
        made.append(_PNC_ELEMENT.sub(b"", operator.reception(person, "DNI", "N")))
    return made


def answered(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(sa.select(sa.func.count()).select_from(police_lookup)).scalar_one()
        )


def answer_times(engine: sa.Engine) -> dict[str, datetime]:
    """Correlation id (the reception's message id) to when PNC's answer was stored."""
    table = journal.journal_table
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(table.c.correlation_id, table.c.at).where(
                table.c.adapter == "pnc", table.c.hop == journal.STORED
            )
        )
        return {row.correlation_id: row.at for row in rows}


def gatehouse_lookups(rabbitmq_url: str, postgres_url: str, count: int) -> dict[str, Any]:
    namespace = f"bench{uuid.uuid4().hex[:8]}"
    documents = receptions(count)
    with (
        fresh_database(postgres_url) as database_url,
        running_receiver(DeliusReceiver(validate=False)) as (
            delius_url,
            _,
        ),
    ):
        settings = Settings(
            database_url=database_url,
            broker_url=rabbitmq_url,
            namespace=namespace,
            partner_urls={"delius": delius_url},
        )
        hub = build_hub(settings)
        pnc_transport = RabbitTransport(rabbitmq_url, connection_name="simulated pnc")
        pnc = SimulatedAmqpPartner(
            pnc_transport, "pnc", namespace, PncSimulator(assign_unknown=True).respond
        )
        stop = threading.Event()
        runner = threading.Thread(
            target=WorkerRunner([*build_loops(hub), pnc], idle_sleep_s=0.01).run, args=(stop,)
        )
        runner.start()
        try:
            published: dict[str, float] = {}
            start = time.perf_counter()
            for offset in range(0, count, 100):
                now = datetime.now(UTC)
                batch = [
                    inbound_message(
                        Submission("private_prisons", "reception", "serco", d, now, None)
                    )
                    for d in documents[offset : offset + 100]
                ]
                hub.transport.publish(hub.topology.inbound_exchange, batch)
                published.update({m.message_id: time.time() for m in batch})
            deadline = time.monotonic() + max(120.0, count * 0.5)
            while answered(hub.engine) < count and time.monotonic() < deadline:
                time.sleep(0.05)
            elapsed = time.perf_counter() - start
            done = answered(hub.engine)
            stored = answer_times(hub.engine)
        finally:
            stop.set()
            runner.join(timeout=60)
            hub.close()
            pnc_transport.close()
            delete_namespace(rabbitmq_url, hub)
    latencies = sorted(
        stored[message_id].timestamp() - at
        for message_id, at in published.items()
        if message_id in stored
    )
    return {"elapsed": elapsed, "answered": done, "latencies": latencies}


def delete_namespace(url: str, hub: Any) -> None:
    partners = partner_topology(amqp_partners(hub.registry), namespace=hub.topology.namespace)
    connection = pika.BlockingConnection(pika.URLParameters(url))
    channel = connection.channel()
    for topology in (hub.topology, partners):
        for queue in topology.all_queue_names:
            channel.queue_delete(queue)
        for exchange in topology.exchanges:
            channel.exchange_delete(exchange.name)
    connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--rabbitmq-url", default=RABBITMQ_URL)
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    arguments = parser.parse_args()
    count = arguments.people

    baseline = raw_request_reply(arguments.rabbitmq_url, count)
    result = gatehouse_lookups(arguments.rabbitmq_url, arguments.postgres_url, count)
    raw_rate = count / baseline
    hub_rate = result["answered"] / result["elapsed"]
    latencies = result["latencies"]
    print(f"PNC lookups, N = {count}")
    print(f"(a) raw AMQP request/reply (pika, confirms, quorum queues): {raw_rate:,.0f} lookups/s")
    print(
        f"(b) Gatehouse, reception to PNC's answer stored: {hub_rate:,.0f} lookups/s,"
        f" ratio {hub_rate / raw_rate:.2f}"
    )
    if latencies:
        p50 = statistics.median(latencies)
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        print(
            f"    latency, publish to answer stored (a backlog of N):"
            f" p50 {p50:.2f} s, p99 {p99:.2f} s"
            f" (min {latencies[0]:.2f} s, max {latencies[-1]:.2f} s)"
        )
    print(f"    answers stored: {result['answered']} of {count}")
    return 0 if result["answered"] == count else 1


if __name__ == "__main__":
    sys.exit(main())
