"""The partner documents the workers keep in the message history
(``core_records.bookkeeping.message_history``): each inbound document as it reached ingest,
from whichever edge (HTTP, a partner's AMQP queue, a line of an SFTP file), and each rendered
outbound document that was delivered or failed for good, as the partner was (or would have
been) sent it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from typing import Protocol

from adapters.base import Adapter
from core_records.bookkeeping import journal
from core_records.bookkeeping.message_history import Document
from core_records.events import CanonicalEvent
from routing.messages import HEADER_ADAPTER, HEADER_PARTNER, Delivery

KEPT_RESULTS = ("delivered", "dead letter")
"""The ``routing.delivery.Result`` values whose documents are kept: settled for good."""


class SettledItem(Protocol):
    """One event of a delivery batch, as ``routing.delivery.Item`` holds it."""

    delivery: Delivery
    event: CanonicalEvent | None
    body: bytes | None
    recipients: tuple[str, ...]
    result: enum.Enum | None


def inbound_document(delivery: Delivery) -> Document:
    """The partner document a delivery on the ingest queue carries, as the partner sent it."""
    message = delivery.message
    adapter = message.headers.get(HEADER_ADAPTER) or "unknown"
    return Document(
        message_id=message.message_id,
        interface=f"{adapter}.{journal.INBOUND}",
        direction=journal.INBOUND,
        body=message.body,
        content_type=message.content_type,
        correlation_id=message.correlation_id,
        partner=message.headers.get(HEADER_PARTNER),
    )


def inbound_documents(deliveries: Iterable[Delivery]) -> dict[str, Document]:
    """Each delivery's document, by message id."""
    return {d.message.message_id: inbound_document(d) for d in deliveries}


def outbound_documents(adapter: Adapter, items: Sequence[SettledItem]) -> list[Document]:
    """The rendered documents of a delivery batch that were delivered, or that failed for
    good (so that a service manager sees what failed); a retried one is kept once it
    settles, not at every try."""
    return [
        Document(
            message_id=item.event.event_id,
            interface=f"{adapter.name}.{journal.OUTBOUND}",
            direction=journal.OUTBOUND,
            body=item.body,
            content_type=adapter.delivery_content_type,
            correlation_id=item.delivery.message.correlation_id,
            partner=",".join(item.recipients) or adapter.name,
        )
        for item in items
        if item.event is not None
        and item.body is not None
        and item.result is not None
        and item.result.value in KEPT_RESULTS
    ]
