"""Message history: every partner document the hub received, and every document it rendered
and sent, kept compressed beside the journal with its SHA-256.

A document is written in the same transaction as the journal hop it belongs to (ingest's
``stored``, ``duplicate``, ``rejected`` or ``held``; delivery's ``delivered``, and the
outcome of a delivery that is dead-lettered), so the history never holds a document whose
hop was rolled back, nor misses one whose hop was kept. A batch's documents go in one
multi-row insert.

Bodies are zlib-compressed (partner XML and JSON shrink to a fifth or less); the hash is of
the bytes as they crossed the wire, and reading a document checks it, so what a service
manager is shown, or what is resent, is exactly what was received or sent.

    record_documents(connection, documents)   inside the caller's transaction
    MessageHistory(engine).documents_for(...)  metadata of a message's documents, no bodies
    MessageHistory(engine).read_document(id)   the bytes, decompressed and checked
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from core_records.bookkeeping.history_tables import message_document
from core_records.store.database import READ_ONLY, store_errors
from core_records.timestamps import utc_now

COMPRESSION_LEVEL = 6
"""zlib's default: near its best ratio on XML, at a few milliseconds per megabyte."""


class DocumentCorrupt(Exception):
    """A stored document's bytes no longer match the hash taken when it was stored."""


@dataclass(frozen=True)
class Document:
    """A partner document as received or as sent, to keep."""

    message_id: str
    """The journal's message id of its hop: the inbound message, or the event delivered."""
    interface: str
    """``<adapter>.<direction>``, as the dashboard names interfaces: ``delius.outbound``."""
    direction: str
    """``inbound`` or ``outbound``."""
    body: bytes
    content_type: str
    correlation_id: str | None = None
    partner: str | None = None
    stored_at: datetime = field(default_factory=utc_now)


@dataclass(frozen=True)
class StoredDocument:
    """What is known of a kept document without reading its body."""

    id: int
    message_id: str
    correlation_id: str | None
    interface: str
    direction: str
    partner: str | None
    content_type: str
    sha256: str
    size: int
    """Bytes as received or sent (before compression)."""
    stored_at: datetime


def pack(body: bytes) -> tuple[bytes, str]:
    """The compressed body and the SHA-256 (hex) of the body as given."""
    return zlib.compress(body, COMPRESSION_LEVEL), hashlib.sha256(body).hexdigest()


def unpack(compressed: bytes, sha256: str) -> bytes:
    """The body ``pack`` compressed, checked against its hash; ``DocumentCorrupt`` if not."""
    try:
        body = zlib.decompress(compressed)
    except zlib.error as error:
        raise DocumentCorrupt(f"the stored document does not decompress: {error}") from error
    if hashlib.sha256(body).hexdigest() != sha256:
        raise DocumentCorrupt("the stored document does not match the hash taken when stored")
    return body


def document_row(document: Document) -> dict[str, object]:
    """The ``message_document`` row of a document."""
    compressed, sha256 = pack(document.body)
    return {
        "message_id": document.message_id,
        "correlation_id": document.correlation_id,
        "interface": document.interface,
        "direction": document.direction,
        "partner": document.partner,
        "content_type": document.content_type,
        "sha256": sha256,
        "size": len(document.body),
        "body": compressed,
        "stored_at": document.stored_at,
    }


def record_documents(
    connection: sa.Connection,
    documents: Sequence[Document],
    *,
    unless_kept: Collection[str] = (),
) -> int:
    """Insert documents within the caller's transaction, in one statement; how many.

    A document whose message id is in ``unless_kept`` (a message seen again: a duplicate)
    is skipped when that very document (same message, interface and hash) is kept already.
    """
    rows = [document_row(document) for document in documents]
    again = {row["message_id"] for row in rows} & set(unless_kept)
    if again:
        query = sa.select(
            message_document.c.message_id, message_document.c.interface, message_document.c.sha256
        ).where(message_document.c.message_id.in_(again))
        kept = {tuple(row) for row in connection.execute(query)}
        rows = [r for r in rows if (r["message_id"], r["interface"], r["sha256"]) not in kept]
    if rows:
        connection.execute(sa.insert(message_document), rows)
    return len(rows)


def record_document(connection: sa.Connection, document: Document) -> None:
    """Insert one document within the caller's transaction."""
    record_documents(connection, [document])


_METADATA = [c for c in message_document.c if c.name != "body"]


class MessageHistory:
    """The kept documents on one engine: listing and reading them."""

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine

    def documents_for(
        self, *, message_id: str | None = None, correlation_id: str | None = None
    ) -> list[StoredDocument]:
        """The documents of a message, or of everything one partner message set in motion,
        oldest first, without their bodies."""
        if (message_id is None) == (correlation_id is None):
            raise ValueError("give a message id or a correlation id, one of the two")
        condition = (
            message_document.c.message_id == message_id
            if message_id is not None
            else message_document.c.correlation_id == correlation_id
        )
        query = sa.select(*_METADATA).where(condition).order_by(message_document.c.id)
        with store_errors(), self._engine.connect() as connection:
            connection = connection.execution_options(**READ_ONLY)
            return [StoredDocument(**row) for row in connection.execute(query).mappings()]

    def document(self, document_id: int) -> StoredDocument | None:
        """What is known of one document, without its body; None if there is none."""
        query = sa.select(*_METADATA).where(message_document.c.id == document_id)
        with store_errors(), self._engine.connect() as connection:
            connection = connection.execution_options(**READ_ONLY)
            row = connection.execute(query).mappings().first()
        return StoredDocument(**row) if row else None

    def read_document(self, document_id: int) -> bytes:
        """The document's bytes exactly as received or sent.

        Raises ``LookupError`` if there is no such document and ``DocumentCorrupt`` if its
        bytes do not match the hash taken when it was stored.
        """
        query = sa.select(message_document.c.body, message_document.c.sha256).where(
            message_document.c.id == document_id
        )
        with store_errors(), self._engine.connect() as connection:
            connection = connection.execution_options(**READ_ONLY)
            row = connection.execute(query).first()
        if row is None:
            raise LookupError(f"there is no stored document {document_id}")
        return unpack(row.body, row.sha256)
