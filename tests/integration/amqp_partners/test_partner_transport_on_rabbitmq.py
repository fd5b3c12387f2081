"""The AMQP partner transport as a partner's own AMQP client sees it, on a real RabbitMQ:
real AMQP properties out, and the partner known by its queue, whatever its message claims."""

from __future__ import annotations

from collections.abc import Iterator

import pika
import pytest
import sqlalchemy as sa

from core_records.bookkeeping.journal import Journal
from routing.messages import (
    HEADER_ADAPTER,
    HEADER_CORRELATION_ID,
    HEADER_MESSAGE_TYPE,
    HEADER_PARTNER,
)
from routing.partner_amqp import AmqpPartnerDelivery, AmqpPartnerListener
from routing.rabbitmq.transport import RabbitTransport
from routing.topology import (
    build_topology,
    partner_inbound_exchange_name,
    partner_inbound_queue_name,
    partner_outbound_queue_name,
    partner_topology,
)
from tests.support import remember_topology


@pytest.fixture
def transport(rabbitmq_url: str, namespace: str) -> Iterator[RabbitTransport]:
    transport = RabbitTransport(rabbitmq_url)
    for topology in (
        build_topology({}, namespace=namespace),
        partner_topology(["pnc"], namespace=namespace),
    ):
        remember_topology(topology)
        transport.declare(topology)
    yield transport
    transport.close()


@pytest.fixture
def channel(rabbitmq_url: str) -> Iterator[pika.adapters.blocking_connection.BlockingChannel]:
    connection = pika.BlockingConnection(pika.URLParameters(rabbitmq_url))
    yield connection.channel()
    connection.close()


def test_a_document_reaches_the_partner_with_real_amqp_properties(
    transport: RabbitTransport, channel, namespace: str
) -> None:
    delivery = AmqpPartnerDelivery(transport, "pnc", namespace, expects_replies=True)
    delivery.deliver(
        b"<LookupRequest/>",
        content_type="application/xml",
        headers={
            "X-Gatehouse-Event-Id": "event-1",
            "X-Gatehouse-Event-Type": "prisoner.received",
            "X-Gatehouse-Correlation-Id": "chain-7",
        },
    )
    # As a partner's client reads a quorum queue with a single active consumer: consume.
    queue = partner_outbound_queue_name("pnc", namespace)
    method, properties, body = next(channel.consume(queue, inactivity_timeout=10))
    assert method is not None, "nothing reached the partner's queue"
    assert body == b"<LookupRequest/>"
    assert properties.reply_to == partner_inbound_queue_name("pnc", namespace)
    assert (properties.correlation_id, properties.type) == ("chain-7", "prisoner.received")
    assert (properties.message_id, properties.delivery_mode) == ("event-1", 2)
    assert "amqp-reply-to" not in (properties.headers or {})
    channel.basic_ack(method.delivery_tag)
    channel.cancel()


def test_a_partner_message_is_stamped_with_the_partner_its_queue_belongs_to(
    transport: RabbitTransport, channel, namespace: str, sqlite_url: str
) -> None:
    channel.confirm_delivery()
    channel.basic_publish(
        partner_inbound_exchange_name("pnc", namespace),
        "anything",
        b"<RecordsMerged/>",
        pika.BasicProperties(
            delivery_mode=2,
            type="merge",
            correlation_id="request-42",
            message_id="pnc-msg-1",
            # A forged identity: the listener must not believe it.
            headers={HEADER_PARTNER: "delius", HEADER_ADAPTER: "delius"},
        ),
    )
    topology = build_topology({}, namespace=namespace)
    listener = AmqpPartnerListener(
        consumer=transport.consumer(partner_inbound_queue_name("pnc", namespace)),
        transport=transport,
        topology=topology,
        journal=Journal(sa.create_engine(sqlite_url)),
        adapter="pnc",
        partner="pnc",
    )
    try:
        for _ in range(50):
            if listener.run_once():
                break
        ingest = transport.consumer(topology.ingest_queue)
        try:
            [delivery] = ingest.fetch(10, 5.0)
            message = delivery.message
            ingest.ack([delivery])
        finally:
            ingest.close()
    finally:
        listener.close()

    assert message.body == b"<RecordsMerged/>"
    assert message.message_id == "pnc-msg-1"
    assert message.headers[HEADER_PARTNER] == "pnc"
    assert message.headers[HEADER_ADAPTER] == "pnc"
    assert message.headers[HEADER_MESSAGE_TYPE] == "merge"
    assert message.headers[HEADER_CORRELATION_ID] == "request-42"
    # Ends in the ingest slot of the person it is about; the listener cannot key it: slot 0.
    assert message.routing_key == "pnc.merge.s0"
    hops = Journal(sa.create_engine(sqlite_url)).trace("pnc-msg-1")
    assert [(h.hop, h.partner, h.message_type) for h in hops] == [("received", "pnc", "merge")]
