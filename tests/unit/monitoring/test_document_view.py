"""How the dashboard shows a kept document: beside the hop it was kept with, and indented
for a person to read, parsed as safely as any inbound document."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core_records.bookkeeping.journal import Hop
from core_records.bookkeeping.message_history import StoredDocument
from monitoring.dashboard.documents import beside_hops, readable

AT = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def _hop(message_id: str, hop: str, adapter: str | None, direction: str | None, n: int) -> Hop:
    return Hop(
        message_id=message_id,
        hop=hop,
        at=AT + timedelta(seconds=n),
        adapter=adapter,
        direction=direction,
    )


def _document(document_id: int, message_id: str, interface: str) -> StoredDocument:
    return StoredDocument(
        id=document_id,
        message_id=message_id,
        correlation_id="c",
        interface=interface,
        direction=interface.rsplit(".", 1)[1],
        partner=None,
        content_type="application/xml",
        sha256="0" * 64,
        size=10,
        stored_at=AT,
    )


HOPS = [
    _hop("m", "received", "private_prisons", "inbound", 0),
    _hop("m", "stored", "private_prisons", "inbound", 1),
    _hop("e", "event_published", None, None, 2),
    _hop("e", "delivered", "pnc", "outbound", 3),
    _hop("e", "delivered", "delius", "outbound", 4),
]


def test_each_document_sits_beside_the_hop_it_was_kept_with() -> None:
    placed = beside_hops(
        HOPS,
        [
            _document(1, "m", "private_prisons.inbound"),
            _document(2, "e", "delius.outbound"),
            _document(3, "e", "pnc.outbound"),
        ],
    )
    assert {i: [d.id for d in ds] for i, ds in placed.items()} == {1: [1], 4: [2], 3: [3]}


def test_a_document_whose_hop_is_not_in_the_trace_sits_beside_its_messages_last_hop() -> None:
    placed = beside_hops(HOPS, [_document(4, "e", "oasys.outbound")])
    assert [d.id for d in placed[4]] == [4]


def test_xml_and_json_are_indented_and_anything_else_is_shown_as_it_is() -> None:
    xml = readable(b"<a><b>1</b><c/></a>", "application/xml")
    assert xml == "<a>\n  <b>1</b>\n  <c/>\n</a>"
    assert readable(b'{"a":[1,2]}', "application/json") == '{\n  "a": [\n    1,\n    2\n  ]\n}'
    assert readable(b"NOMS,A1234BC\n", "text/csv") == "NOMS,A1234BC\n"


def test_a_document_with_a_dtd_is_shown_as_text_never_expanded() -> None:
    hostile = b'<!DOCTYPE a [<!ENTITY x "boom">]><a>&x;</a>'
    shown = readable(hostile, "application/xml")
    assert shown == hostile.decode() and "boom</a>" not in shown
