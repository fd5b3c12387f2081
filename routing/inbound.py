"""Putting an accepted partner document on the inbound exchange."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from routing.ingest_partitions import slot_of
from routing.messages import (
    HEADER_ADAPTER,
    HEADER_CORRELATION_ID,
    HEADER_MESSAGE_TYPE,
    HEADER_PARTNER,
    HEADER_RECEIVED_AT,
    HEADER_SCHEMA_CHECKED,
    SCHEMA_CHECKED,
    Message,
    new_message_id,
)
from routing.topology import Topology, inbound_routing_key
from routing.transport import Transport


@dataclass(frozen=True)
class Submission:
    """A partner document an edge (HTTP, AMQP, a file) accepted, to be published to the
    inbound exchange."""

    adapter: str
    message_type: str
    partner: str
    body: bytes
    received_at: datetime
    correlation_id: str | None
    content_type: str = "application/xml"
    message_id: str | None = None
    """Set by the HTTP edge (so that it can publish again under the same id) and by an
    edge whose messages have natural ids (an order file's lines); else new."""
    person_key: str | None = None
    """Who the document is about, as the edge could tell (``person_key_of``): it chooses the
    ingest partition. None sends it to the first partition, in order with every other."""
    schema_checked: bool = False
    """The edge validated the document against its schema, so ingest need not
    (``HEADER_SCHEMA_CHECKED``)."""


Publish = Callable[[Submission], str]
"""Publishes a submission and returns its message id once the broker holds it durably;
raises ``TransientError`` when it cannot (``ConfirmUncertain`` when it may have)."""


def inbound_message(submission: Submission) -> Message:
    message_id = submission.message_id or new_message_id()
    return Message(
        routing_key=inbound_routing_key(
            submission.adapter, submission.message_type, slot_of(submission.person_key)
        ),
        body=submission.body,
        message_id=message_id,
        headers={
            HEADER_ADAPTER: submission.adapter,
            HEADER_MESSAGE_TYPE: submission.message_type,
            HEADER_PARTNER: submission.partner,
            HEADER_RECEIVED_AT: submission.received_at.isoformat(),
            HEADER_CORRELATION_ID: submission.correlation_id or message_id,
            **({HEADER_SCHEMA_CHECKED: SCHEMA_CHECKED} if submission.schema_checked else {}),
        },
        content_type=submission.content_type,
        timestamp=submission.received_at,
    )


def publish_inbound(transport: Transport, topology: Topology, submission: Submission) -> str:
    """Publish to the inbound exchange; the message id, once the broker holds it durably."""
    message = inbound_message(submission)
    transport.publish(topology.inbound_exchange, [message])
    return message.message_id


def publish_inbound_batch(
    transport: Transport, topology: Topology, submissions: Sequence[Submission]
) -> list[str]:
    """Publish many submissions with pipelined confirms; their message ids, once all are
    durable (a file edge publishes a file's lines this way)."""
    messages = [inbound_message(submission) for submission in submissions]
    if messages:
        transport.publish(topology.inbound_exchange, messages)
    return [message.message_id for message in messages]
