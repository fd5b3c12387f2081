"""Message history through the whole hub: the document an operator posted and the document
Delius was sent are both kept, byte for byte, with the hops they belong to.

A real hub (worker loops in threads), its API under uvicorn, and a real HTTP receiver for
Delius; on the embedded default and on PostgreSQL with RabbitMQ.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import httpx

from adapters.delius.simulator import DeliusReceiver
from core_records.bookkeeping.message_history import MessageHistory, StoredDocument
from gatehouse.bootstrap import Hub
from tests.e2e.dashboard_support import dead_letter_a_delivery
from tests.running_hub import eventually

SAMPLES = Path(__file__).parents[2] / "adapters" / "private_prisons" / "samples"


def test_a_reception_and_the_custody_update_it_caused_are_kept_byte_for_byte(
    hub: Hub, api: str, delius: tuple[str, DeliusReceiver]
) -> None:
    _, receiver = delius
    token = hub.credentials.issue("serco")
    posted = (SAMPLES / "valid" / "reception-new-person.xml").read_bytes()

    response = httpx.post(
        f"{api}/api/v1/inbound/private_prisons/reception",
        content=posted,
        headers={"Content-Type": "application/xml", "Authorization": f"Bearer {token}"},
        timeout=30,
    )

    assert response.status_code == 202, response.text
    message_id = response.json()["messageId"]
    assert receiver.wait_for(1, timeout_s=30)
    [sent] = receiver.received
    history = MessageHistory(hub.engine)
    [inbound] = history.documents_for(message_id=message_id)
    assert (inbound.interface, inbound.direction, inbound.partner) == (
        "private_prisons.inbound",
        "inbound",
        "serco",
    )
    assert history.read_document(inbound.id) == posted
    assert inbound.sha256 == hashlib.sha256(posted).hexdigest()

    def to_delius() -> list[StoredDocument]:
        kept = history.documents_for(correlation_id=inbound.correlation_id or "")
        return [d for d in kept if d.interface == "delius.outbound"]

    eventually(to_delius, "the document delivered to Delius to be kept")
    [outbound] = to_delius()
    assert (outbound.interface, outbound.direction, outbound.partner) == (
        "delius.outbound",
        "outbound",
        "delius",
    )
    assert outbound.message_id == sent.headers["x-gatehouse-event-id"]
    assert history.read_document(outbound.id) == sent.body
    assert outbound.size == len(sent.body)
    hops = {(h.message_id, h.hop) for h in hub.journal.correlation(inbound.correlation_id or "")}
    assert (message_id, "stored") in hops and (outbound.message_id, "delivered") in hops


def test_a_document_refused_at_ingest_is_kept_with_its_rejected_hop(hub: Hub, api: str) -> None:
    token = hub.credentials.issue("serco")
    unknown_reason = (
        (SAMPLES / "valid" / "reception-new-person.xml")
        .read_bytes()
        .replace(b"<ReasonCode>N<", b"<ReasonCode>QQ9<")
    )
    response = httpx.post(
        f"{api}/api/v1/inbound/private_prisons/reception",
        content=unknown_reason,
        headers={"Content-Type": "application/xml", "Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert response.status_code == 202, response.text
    message_id = response.json()["messageId"]
    history = MessageHistory(hub.engine)

    eventually(lambda: history.documents_for(message_id=message_id), "the refused document")
    [kept] = history.documents_for(message_id=message_id)
    assert history.read_document(kept.id) == unknown_reason
    assert "rejected" in [h.hop for h in hub.journal.trace(message_id)]


def test_a_document_delius_refused_for_good_is_kept_for_the_service_manager(
    hub: Hub, api: str, delius: tuple[str, DeliusReceiver]
) -> None:
    _, receiver = delius
    dead_letter_id = dead_letter_a_delivery(hub, api, receiver)

    [record] = [r for r in hub.dead_letters.list() if r.id == dead_letter_id]
    event_id = json.loads(record.body)["eventId"]
    history = MessageHistory(hub.engine)
    [refused] = [
        d for d in history.documents_for(message_id=event_id) if d.interface == "delius.outbound"
    ]
    assert receiver.received == []
    body = history.read_document(refused.id)
    assert body.startswith(b"<?xml") and b"RECEIVED" in body
    assert refused.correlation_id == record.headers["gatehouse-correlation-id"]
