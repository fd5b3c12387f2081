"""Between Message and AMQP: what goes out, and what comes back whatever route it took."""

from __future__ import annotations

import datetime as dt

import pika

from routing.messages import HEADER_DEAD_LETTER_REASON, HEADER_ORIGIN_QUEUE, Message
from routing.rabbitmq.codec import (
    ROUTING_KEY_HEADER,
    delivery_count,
    message_from,
    properties_for,
)

MESSAGE = Message(
    routing_key="prisoner.received",
    body=b"<reception/>",
    message_id="m-1",
    headers={"gatehouse-correlation-id": "c-1"},
    content_type="application/xml",
    timestamp=dt.datetime(2026, 3, 1, 9, 30, 15, 500_000, tzinfo=dt.UTC),
)


def test_a_message_goes_out_persistent_with_its_id_type_timestamp_and_headers() -> None:
    properties = properties_for(MESSAGE)

    assert properties.delivery_mode == 2
    assert properties.message_id == "m-1"
    assert properties.content_type == "application/xml"
    assert properties.timestamp == int(MESSAGE.timestamp.timestamp())
    assert properties.headers == {"gatehouse-correlation-id": "c-1"}


def test_a_message_comes_back_as_it_went_out_to_the_second() -> None:
    back = message_from("prisoner.received", properties_for(MESSAGE), MESSAGE.body)

    assert back == Message(
        routing_key="prisoner.received",
        body=b"<reception/>",
        message_id="m-1",
        headers={"gatehouse-correlation-id": "c-1"},
        content_type="application/xml",
        timestamp=MESSAGE.timestamp.replace(microsecond=0),
    )


def test_a_rerouted_message_gets_its_own_routing_key_back() -> None:
    properties = properties_for(MESSAGE, rerouted=True)

    back = message_from("gh.ingest.wait.1000ms", properties, MESSAGE.body)

    assert back.routing_key == "prisoner.received"
    assert ROUTING_KEY_HEADER not in back.headers


def test_a_dead_letter_made_by_the_broker_says_why_and_where_from_in_gatehouse_headers() -> None:
    properties = properties_for(MESSAGE)
    properties.headers = {
        **properties.headers,
        "x-delivery-count": 0,
        "x-first-death-reason": "delivery_limit",
        "x-death": [
            {
                "count": 1,
                "reason": "delivery_limit",
                "queue": "gh.outbound.delius",
                "exchange": "gh.events",
                "routing-keys": ["prisoner.received"],
            }
        ],
    }

    back = message_from("gh.outbound.delius", properties, MESSAGE.body)

    assert back.routing_key == "prisoner.received"
    assert back.headers == {
        "gatehouse-correlation-id": "c-1",
        HEADER_DEAD_LETTER_REASON: "delivery limit exceeded",
        HEADER_ORIGIN_QUEUE: "gh.outbound.delius",
    }


def test_a_message_back_from_its_wait_queue_is_not_a_dead_letter() -> None:
    properties = properties_for(MESSAGE, rerouted=True)
    properties.headers = {
        **properties.headers,
        "x-death": [{"count": 1, "reason": "expired", "queue": "gh.ingest.wait.1000ms"}],
    }

    back = message_from("gh.ingest", properties, MESSAGE.body)

    assert HEADER_DEAD_LETTER_REASON not in back.headers
    assert back.routing_key == "prisoner.received"


def test_headers_from_a_partners_own_client_are_read_as_text_or_left_out() -> None:
    properties = pika.BasicProperties(
        message_id="p-1", headers={"n": 3, "flag": True, "raw": b"abc", "table": {"a": 1}}
    )

    assert message_from("pnc.arrest", properties, b"").headers == {
        "n": "3",
        "flag": "True",
        "raw": "abc",
    }


def test_a_message_published_without_an_id_gets_the_same_id_on_every_delivery() -> None:
    properties = pika.BasicProperties(timestamp=1_700_000_000)

    first = message_from("pnc.arrest", properties, b"<arrest/>")
    again = message_from("pnc.arrest", properties, b"<arrest/>")

    assert first.message_id == again.message_id


def test_the_delivery_count_includes_this_delivery() -> None:
    assert delivery_count(pika.BasicProperties(headers={})) == 1
    assert delivery_count(pika.BasicProperties(headers={"x-delivery-count": 2})) == 3


def test_partner_facing_properties_travel_as_real_amqp_properties_and_come_back() -> None:
    message = MESSAGE.with_headers(
        amqp_reply_to="gatehouse.partner.pnc.in", amqp_correlation_id="c-9", amqp_type="reply"
    )
    properties = properties_for(message)

    assert (properties.reply_to, properties.correlation_id, properties.type) == (
        "gatehouse.partner.pnc.in",
        "c-9",
        "reply",
    )
    assert properties.headers == {"gatehouse-correlation-id": "c-1"}
    assert message_from("prisoner.received", properties, message.body).headers == message.headers


def test_a_partner_clients_own_properties_are_read_into_the_headers() -> None:
    properties = pika.BasicProperties(type="merge", correlation_id="req-1", message_id="p-1")
    headers = message_from("anything", properties, b"<RecordsMerged/>").headers
    assert headers == {"amqp-type": "merge", "amqp-correlation-id": "req-1"}
