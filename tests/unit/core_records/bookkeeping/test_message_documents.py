"""Kept documents are compressed, hashed as they crossed the wire, and read back only when
they still match that hash."""

from __future__ import annotations

import hashlib
import zlib
from datetime import UTC, datetime

import pytest

from core_records.bookkeeping.message_history import (
    Document,
    DocumentCorrupt,
    document_row,
    pack,
    unpack,
)

RELEASE = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<CustodyStatus><PrisonNumber>A1234BC</PrisonNumber>'
    + b"<Status>RELEASED</Status>" * 40
    + b"</CustodyStatus>\n"
)


def test_a_packed_document_unpacks_to_the_same_bytes() -> None:
    compressed, sha256 = pack(RELEASE)
    assert unpack(compressed, sha256) == RELEASE


def test_the_hash_is_of_the_bytes_as_sent_not_as_compressed() -> None:
    compressed, sha256 = pack(RELEASE)
    assert sha256 == hashlib.sha256(RELEASE).hexdigest()
    assert sha256 != hashlib.sha256(compressed).hexdigest()


def test_a_repetitive_partner_document_is_stored_much_smaller() -> None:
    compressed, _ = pack(RELEASE)
    assert len(compressed) * 4 < len(RELEASE)


def test_an_empty_document_round_trips() -> None:
    assert unpack(*pack(b"")) == b""


def test_a_document_changed_after_it_was_stored_is_refused() -> None:
    _, sha256 = pack(RELEASE)
    altered = zlib.compress(RELEASE.replace(b"RELEASED", b"RECEIVED", 1))
    with pytest.raises(DocumentCorrupt, match="does not match the hash"):
        unpack(altered, sha256)


def test_bytes_that_are_not_compressed_are_refused() -> None:
    with pytest.raises(DocumentCorrupt, match="does not decompress"):
        unpack(b"not zlib at all", hashlib.sha256(b"x").hexdigest())


def test_a_documents_row_holds_its_size_hash_and_compressed_body() -> None:
    at = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
    row = document_row(
        Document(
            message_id="m-1",
            interface="delius.outbound",
            direction="outbound",
            body=RELEASE,
            content_type="application/xml",
            correlation_id="c-1",
            partner="delius",
            stored_at=at,
        )
    )
    assert row["size"] == len(RELEASE)
    assert row["sha256"] == hashlib.sha256(RELEASE).hexdigest()
    assert zlib.decompress(row["body"]) == RELEASE  # type: ignore[arg-type]
    assert (row["interface"], row["direction"], row["stored_at"]) == (
        "delius.outbound",
        "outbound",
        at,
    )
