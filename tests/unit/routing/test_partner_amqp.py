"""The AMQP partner transport's own logic, on a fake transport: what a delivery publishes,
what a broker failure becomes, and how a partner message is stamped for the inbound
exchange."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.registry import AdapterRegistry
from core_records.errors import PartnerUnavailable, TransportUnavailable
from routing.ingest_partitions import document_person_key, slot_of
from routing.messages import (
    AMQP_CORRELATION_ID,
    AMQP_REPLY_TO,
    AMQP_TYPE,
    HEADER_ADAPTER,
    HEADER_CORRELATION_ID,
    HEADER_MESSAGE_TYPE,
    HEADER_PARTNER,
    HEADER_SCHEMA_CHECKED,
    SCHEMA_CHECKED,
    Message,
)
from routing.partner_amqp import AmqpPartnerDelivery, AmqpPartnerListener
from routing.topology import build_topology

PNC_SAMPLES = Path(__file__).parents[3] / "adapters" / "pnc" / "samples"


class RecordingTransport:
    def __init__(self, fail: bool = False) -> None:
        self.published: list[tuple[str, list[Message]]] = []
        self.fail = fail

    def publish(self, exchange: str, messages: Sequence[Message]) -> None:
        if self.fail:
            raise TransportUnavailable("RabbitMQ did not confirm")
        self.published.append((exchange, list(messages)))


HEADERS = {
    "X-Gatehouse-Event-Id": "e-1",
    "X-Gatehouse-Event-Type": "prisoner.released",
    "X-Gatehouse-Correlation-Id": "c-1",
}


def test_a_delivery_goes_to_the_partners_exchange_with_its_amqp_properties() -> None:
    transport = RecordingTransport()
    AmqpPartnerDelivery(transport, "pnc", "gh", expects_replies=True).deliver(  # type: ignore[arg-type]
        b"<doc/>", content_type="application/xml", headers=HEADERS
    )
    [(exchange, [message])] = transport.published
    assert exchange == "gh.partner.pnc.out"
    assert (message.message_id, message.routing_key, message.body) == (
        "e-1",
        "prisoner.released",
        b"<doc/>",
    )
    assert message.headers == {
        AMQP_TYPE: "prisoner.released",
        AMQP_CORRELATION_ID: "c-1",
        AMQP_REPLY_TO: "gh.partner.pnc.in",
    }


def test_a_partner_that_never_answers_gets_no_reply_to() -> None:
    transport = RecordingTransport()
    AmqpPartnerDelivery(transport, "security", "gh").deliver(  # type: ignore[arg-type]
        b"<doc/>", content_type="application/xml", headers=HEADERS
    )
    assert AMQP_REPLY_TO not in transport.published[0][1][0].headers


def test_a_broker_that_does_not_confirm_is_a_partner_unavailable_to_retry() -> None:
    delivery = AmqpPartnerDelivery(RecordingTransport(fail=True), "pnc", "gh")  # type: ignore[arg-type]
    with pytest.raises(PartnerUnavailable, match="the pnc exchange did not take the document"):
        delivery.deliver(b"<doc/>", content_type="application/xml", headers=HEADERS)


def _listener() -> AmqpPartnerListener:
    return AmqpPartnerListener(
        consumer=None,  # type: ignore[arg-type]
        transport=None,  # type: ignore[arg-type]
        topology=build_topology({}, namespace="gh"),
        journal=None,  # type: ignore[arg-type]
        adapter="pnc",
        partner="pnc",
    )


def test_a_partner_message_is_stamped_by_its_queue_and_keeps_its_id_and_correlation() -> None:
    forged = Message(
        "x",
        b"<RecordsMerged/>",
        message_id="p-1",
        headers={AMQP_TYPE: "merge", AMQP_CORRELATION_ID: "r-9", HEADER_PARTNER: "delius"},
    )
    message = _listener().inbound(forged, datetime(2026, 1, 1, tzinfo=UTC))
    assert (message.message_id, message.routing_key) == ("p-1", "pnc.merge.s0")
    assert message.headers[HEADER_PARTNER] == "pnc"
    assert message.headers[HEADER_ADAPTER] == "pnc"
    assert message.headers[HEADER_MESSAGE_TYPE] == "merge"
    assert message.headers[HEADER_CORRELATION_ID] == "r-9"


def test_a_partner_message_without_a_type_is_marked_untyped() -> None:
    message = _listener().inbound(Message("x", b"<a/>", message_id="p-2"), datetime.now(UTC))
    assert message.headers[HEADER_MESSAGE_TYPE] == "untyped"
    assert message.headers[HEADER_CORRELATION_ID] == "p-2"


def test_a_delivery_says_whether_it_is_a_redelivery_under_the_same_message_id() -> None:
    transport = RecordingTransport()
    delivery = AmqpPartnerDelivery(transport, "security", "gh")  # type: ignore[arg-type]
    for kind in ("first", "redelivery"):
        delivery.deliver(
            b"<doc/>",
            content_type="application/xml",
            headers={**HEADERS, "X-Gatehouse-Delivery": kind},
        )
    first, again = (messages[0] for _, messages in transport.published)
    assert first.message_id == again.message_id == "e-1"
    assert first.headers["X-Gatehouse-Delivery"] == "first"
    assert again.headers["X-Gatehouse-Delivery"] == "redelivery"


def _reading_listener() -> AmqpPartnerListener:
    listener = _listener()
    listener.registry = AdapterRegistry.from_entry_points()
    return listener


def test_a_document_the_listener_validated_is_marked_so_ingest_does_not_validate_it_again() -> None:
    body = (PNC_SAMPLES / "valid" / "identifiers-pnc-only.xml").read_bytes()
    message = _reading_listener().inbound(
        Message("x", body, message_id="p-3", headers={AMQP_TYPE: "identifiers"}),
        datetime.now(UTC),
    )
    assert message.headers[HEADER_SCHEMA_CHECKED] == SCHEMA_CHECKED
    person_key = document_person_key(
        AdapterRegistry.from_entry_points(), "pnc", "identifiers", "pnc", body
    )
    assert person_key, "the sample names its person"
    assert message.routing_key == f"pnc.identifiers.s{slot_of(person_key)}"


@pytest.mark.parametrize(
    ("sample", "message_type"),
    [("invalid/identifiers-wrong-namespace.xml", "identifiers"), ("valid/reply-found.xml", "")],
    ids=["fails-its-schema", "untyped"],
)
def test_a_document_the_listener_could_not_validate_is_left_for_ingest_to_refuse(
    sample: str, message_type: str
) -> None:
    headers = {AMQP_TYPE: message_type} if message_type else {}
    message = _reading_listener().inbound(
        Message("x", (PNC_SAMPLES / sample).read_bytes(), message_id="p-4", headers=headers),
        datetime.now(UTC),
    )
    assert HEADER_SCHEMA_CHECKED not in message.headers
    assert message.routing_key.endswith(".s0"), "unkeyed: the first partition"
