"""The message history in the store: documents kept with their hops, in the same
transaction, listed without bodies, and read back exactly as they were."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from core_records.bookkeeping import journal
from core_records.bookkeeping.delivery_holds import DeliveryHolds
from core_records.bookkeeping.journal import Hop, Journal
from core_records.bookkeeping.message_history import (
    Document,
    DocumentCorrupt,
    MessageHistory,
    record_documents,
)
from core_records.errors import BusinessRuleViolation
from core_records.store.record_store import RecordStore
from core_records.tables import message_document
from core_records.timestamps import utc_now
from tests.integration.core_records.examples import message, particulars, pnc, reception

BODY = b'<Movement xmlns="urn:example"><PrisonNumber>A1234BC</PrisonNumber></Movement>'


def _inbound(message_id: str, correlation_id: str, body: bytes = BODY) -> Document:
    return Document(
        message_id=message_id,
        interface="private_prisons.inbound",
        direction=journal.INBOUND,
        body=body,
        content_type="application/xml",
        correlation_id=correlation_id,
        partner="g4s",
    )


def test_a_stored_message_keeps_its_document_with_its_hop(
    store: RecordStore, engine: sa.Engine
) -> None:
    received = message(reception(particulars(pnc(31001))))
    document = _inbound(received.message_id, received.correlation_id)

    [outcome] = store.apply([received], documents={received.message_id: document})

    assert outcome.status == "applied"
    history = MessageHistory(engine)
    [kept] = history.documents_for(message_id=received.message_id)
    assert (kept.interface, kept.direction, kept.partner) == (
        "private_prisons.inbound",
        "inbound",
        "g4s",
    )
    assert kept.size == len(BODY) and kept.correlation_id == received.correlation_id
    assert history.read_document(kept.id) == BODY
    assert [d.id for d in history.documents_for(correlation_id=received.correlation_id)] == [
        kept.id
    ]


def test_a_duplicate_of_the_same_document_is_kept_once_but_a_changed_one_is_kept_too(
    store: RecordStore, engine: sa.Engine
) -> None:
    received = message(reception(particulars(pnc(31002))))
    same = {received.message_id: _inbound(received.message_id, received.correlation_id)}
    store.apply([received], documents=same)
    store.apply([received], documents=same)
    assert len(MessageHistory(engine).documents_for(message_id=received.message_id)) == 1

    changed = _inbound(received.message_id, received.correlation_id, BODY + b"\n")
    [again] = store.apply([received], documents={received.message_id: changed})

    assert again.status == "duplicate"
    kept = MessageHistory(engine).documents_for(message_id=received.message_id)
    assert [d.size for d in kept] == [len(BODY), len(BODY) + 1]


def test_a_rejected_message_keeps_its_document_too(store: RecordStore, engine: sa.Engine) -> None:
    refused = message(reception(particulars(pnc(31003)), establishment="XXX"))
    [outcome] = store.apply(
        [refused], documents={refused.message_id: _inbound(refused.message_id, "c")}
    )
    assert outcome.status == "rejected"
    assert len(MessageHistory(engine).documents_for(message_id=refused.message_id)) == 1


def test_documents_share_the_fate_of_the_transaction_they_are_written_in(
    engine: sa.Engine,
) -> None:
    with pytest.raises(BusinessRuleViolation), engine.begin() as connection:
        record_documents(connection, [_inbound("m-rolled-back", "c")])
        raise BusinessRuleViolation("the work the hop recorded failed")
    assert MessageHistory(engine).documents_for(message_id="m-rolled-back") == []


def test_a_delivered_document_is_kept_with_the_delivery_hop(engine: sa.Engine) -> None:
    hop = Hop(
        message_id="event-1",
        hop=journal.DELIVERED,
        at=utc_now(),
        correlation_id="c-9",
        adapter="delius",
        direction=journal.OUTBOUND,
    )
    sent = Document(
        message_id="event-1",
        interface="delius.outbound",
        direction=journal.OUTBOUND,
        body=b"<CustodyStatus/>",
        content_type="application/xml",
        correlation_id="c-9",
        partner="delius",
    )
    DeliveryHolds(engine).settle("delius", hold=[], lift=[], hops=[hop], documents=[sent])

    [kept] = MessageHistory(engine).documents_for(correlation_id="c-9")
    assert [h.hop for h in Journal(engine).trace("event-1")] == [journal.DELIVERED]
    assert MessageHistory(engine).read_document(kept.id) == b"<CustodyStatus/>"


def test_a_document_altered_in_the_store_is_not_read_back(engine: sa.Engine) -> None:
    Journal(engine).record(
        [Hop(message_id="m-2", hop=journal.REJECTED, at=utc_now())],
        documents=[_inbound("m-2", "c-2")],
    )
    history = MessageHistory(engine)
    [kept] = history.documents_for(message_id="m-2")
    with engine.begin() as connection:
        connection.execute(
            sa.update(message_document)
            .values(sha256="0" * 64)
            .where(message_document.c.id == kept.id)
        )
    with pytest.raises(DocumentCorrupt):
        history.read_document(kept.id)
    with pytest.raises(LookupError):
        history.read_document(kept.id + 1000)
