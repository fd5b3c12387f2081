"""Partners that speak AMQP (PNC, the security application): both directions, on the hub's
own transport.

    delivery worker ──AmqpPartnerDelivery──► <ns>.partner.<adapter>.out ──► partner
    partner ──► <ns>.partner.<adapter>.in ──AmqpPartnerListener──► <ns>.inbound ──► ingest

Outbound, a rendered document is published, with publisher confirms, to the partner's
exchange; the delivery returns only once the broker holds it durably. It carries the AMQP
``message_id`` (the event id, the same on every delivery of the event, for the partner to
drop a repeat by), ``type`` (the event type), ``correlation_id`` (Gatehouse's correlation
id, which a partner answering a request echoes), the ``X-Gatehouse-Delivery`` header
(``first``, ``redelivery`` or ``replay``: ``adapters.transports.partner_headers``) and, for
a partner that answers, ``reply_to`` (the partner's inbound queue).

Inbound, the listener is the AMQP twin of the HTTP edge. The partner is known by the queue
it could write to (its broker user may publish to its own exchange only), so the listener
stamps the partner and adapter itself, whatever the message claims, and takes the message
type from the AMQP ``type``. Every message goes on to the inbound exchange, keeping the
partner's message id (a message the partner sends twice changes nothing twice) and taking
the AMQP ``correlation_id`` as its correlation id, so that a reply joins the journal chain
of its request. It reads each message for whom it is about, whose key chooses its ingest
partition (``routing.ingest_partitions``), validating it on the way, which it marks so that
ingest does not validate it again. Then it is acked. Ingest translates it exactly as an
HTTP message (and validates one the listener could not); what it cannot accept goes to the
dead-letter queue with its reason and a ``rejected`` hop, since there is no one waiting on
the wire to hear a 4xx.

On the embedded default the partner's exchanges and queues are the embedded transport's own:
a partner in the same process or on the same machine (the simulators of ``gatehouse demo``)
uses them through the same ``Transport``; a partner on another machine needs RabbitMQ.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from adapters.registry import AdapterRegistry
from adapters.transports import partner_headers
from core_records.bookkeeping import journal
from core_records.bookkeeping.journal import Hop, Journal
from core_records.errors import GatehouseError, PartnerUnavailable, TransientError
from routing.inbound import Submission, inbound_message
from routing.ingest_partitions import PartnerDocument, read_partner_document
from routing.messages import (
    AMQP_CORRELATION_ID,
    AMQP_REPLY_TO,
    AMQP_TYPE,
    HEADER_MESSAGE_TYPE,
    Message,
    new_message_id,
)
from routing.topology import Topology, partner_exchange_name, partner_inbound_queue_name
from routing.transport import Consumer, Transport

log = logging.getLogger(__name__)

EVENT_TYPE_HEADER = partner_headers.EVENT_TYPE
EVENT_ID_HEADER = partner_headers.EVENT_ID
CORRELATION_HEADER = partner_headers.CORRELATION_ID
NO_TYPE = "untyped"
"""The message type of a partner message that came without an AMQP ``type``."""


@dataclass
class AmqpPartnerDelivery:
    """Delivers documents to an AMQP partner's exchange (a ``routing.delivery.PartnerDelivery``).

    ``expects_replies``: requests carry ``reply_to`` naming the partner's inbound queue.
    """

    transport: Transport
    adapter: str
    namespace: str
    expects_replies: bool = False

    def deliver(self, body: bytes, *, content_type: str, headers: Mapping[str, str]) -> None:
        event_type = headers.get(EVENT_TYPE_HEADER, "document")
        properties = {AMQP_TYPE: event_type}
        if headers.get(CORRELATION_HEADER):
            properties[AMQP_CORRELATION_ID] = headers[CORRELATION_HEADER]
        if headers.get(partner_headers.DELIVERY):
            properties[partner_headers.DELIVERY] = headers[partner_headers.DELIVERY]
        if headers.get(partner_headers.REPLAY_ID):
            properties[partner_headers.REPLAY_ID] = headers[partner_headers.REPLAY_ID]
        if self.expects_replies:
            properties[AMQP_REPLY_TO] = partner_inbound_queue_name(self.adapter, self.namespace)
        message = Message(
            routing_key=event_type,
            body=body,
            # The event id: a redelivered event is the same message to the partner.
            message_id=headers.get(EVENT_ID_HEADER) or new_message_id(),
            headers=properties,
            content_type=content_type,
        )
        try:
            self.transport.publish(partner_exchange_name(self.adapter, self.namespace), [message])
        except TransientError as error:
            raise PartnerUnavailable(
                f"the {self.adapter} exchange did not take the document: {error.reason}"
            ) from error

    def close(self) -> None:
        """The transport belongs to the hub, which closes it."""


@dataclass
class AmqpPartnerListener:
    """Moves an AMQP partner's messages from its inbound queue to the hub's inbound exchange
    (a worker ``Loop``)."""

    consumer: Consumer
    transport: Transport
    topology: Topology
    journal: Journal
    adapter: str
    partner: str
    batch_size: int = 200
    fetch_timeout_s: float = 0.5
    name: str = ""
    registry: AdapterRegistry | None = None
    """To read who each message is about, which chooses its ingest partition; without it
    every message goes to the first partition."""

    def __post_init__(self) -> None:
        self.name = self.name or f"amqp-inbound:{self.adapter}"

    def run_once(self) -> int:
        deliveries = self.consumer.fetch(self.batch_size, self.fetch_timeout_s)
        if not deliveries:
            return 0
        now = datetime.now(UTC)
        messages = [self.inbound(d.message, now) for d in deliveries]
        try:
            self.transport.publish(self.topology.inbound_exchange, messages)
        except BaseException:
            # Not on the inbound exchange for sure: hand them back, to be moved again.
            self.consumer.release(deliveries)
            raise
        self.consumer.ack(deliveries)
        self._journal(messages, now)
        return len(deliveries)

    def inbound(self, message: Message, received_at: datetime) -> Message:
        """The inbound-exchange message for one partner message."""
        # Without a type, ingest refuses it naming the types the adapter does accept.
        message_type = message.headers.get(AMQP_TYPE) or NO_TYPE
        read = PartnerDocument(None, schema_checked=False)
        if self.registry is not None and message_type != NO_TYPE:
            read = read_partner_document(
                self.registry, self.adapter, message_type, self.partner, message.body
            )
        submission = Submission(
            adapter=self.adapter,
            message_type=message_type,
            partner=self.partner,
            body=message.body,
            received_at=received_at,
            correlation_id=message.headers.get(AMQP_CORRELATION_ID) or message.message_id,
            person_key=read.person_key,
            schema_checked=read.schema_checked,
        )
        return replace(inbound_message(submission), message_id=message.message_id)

    def _journal(self, messages: list[Message], at: datetime) -> None:
        hops = [
            Hop(
                message_id=message.message_id,
                hop=journal.RECEIVED,
                at=at,
                correlation_id=message.correlation_id,
                adapter=self.adapter,
                partner=self.partner,
                direction=journal.INBOUND,
                message_type=message.headers.get(HEADER_MESSAGE_TYPE) or None,
                detail="over AMQP",
            )
            for message in messages
        ]
        try:
            self.journal.record(hops)
        except GatehouseError as error:  # the messages are durable; only the hops are lost
            log.warning("journal unavailable for %d AMQP messages: %s", len(hops), error)

    def close(self) -> None:
        self.consumer.close()
