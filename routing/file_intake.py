"""A partner's batch file, on the normal pipeline: one message per record, the file as the
unit of receipt.

``publish`` reads the file line by line through its format and publishes each record to the
inbound exchange in batches; after each batch is durable on the broker it moves the file's
progress mark (with the refused lines and the records' ``received`` hops) in one store
transaction. After a crash, ``publish`` resumes after the mark. A record published again
because the crash fell between the broker's confirm and the mark has the same message id
(``record_message_id``), so the store's inbox applies it once.

``receipt`` answers once ingest has settled every record: counts, and every refused line
with its reason, whether the format could not read it or the hub refused it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from adapters.transports.file_formats import (
    FileFormat,
    FileReceipt,
    FileRecord,
    LineError,
    UnreadableFile,
)
from core_records import journal
from core_records.file_transfers import (
    PUBLISHED,
    RECEIVING,
    UNREADABLE,
    FileTransfer,
    FileTransfers,
    record_message_id,
)
from core_records.journal import Hop
from routing.messages import (
    HEADER_ADAPTER,
    HEADER_CORRELATION_ID,
    HEADER_MESSAGE_TYPE,
    HEADER_PARTNER,
    HEADER_RECEIVED_AT,
    Message,
)
from routing.topology import inbound_routing_key
from routing.transport import Transport

log = logging.getLogger(__name__)


class _CountedLines:
    """The lines of a binary file, counting them as they pass."""

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle
        self.count = 0

    def __iter__(self) -> Iterator[bytes]:
        for line in self._handle:
            self.count += 1
            yield line


@dataclass
class FileIntake:
    """The records of one interface's files, sent as one adapter's partner."""

    interface: str
    adapter: str
    partner: str
    file_format: FileFormat
    transfers: FileTransfers
    transport: Transport
    inbound_exchange: str
    batch_size: int = 1000

    def publish(self, transfer: FileTransfer, path: Path) -> FileTransfer:
        """Publish the records of the local copy ``path`` not yet published; the transfer,
        now ``published`` or ``unreadable``."""
        if transfer.status != RECEIVING:
            return transfer
        mark = transfer.lines_read
        published = transfer.records_published
        received_at = datetime.now(UTC)
        batch: list[Message] = []
        hops: list[Hop] = []
        errors: list[tuple[int, str]] = []
        last_line = mark

        def flush() -> None:
            nonlocal published
            if batch:
                self.transport.publish(self.inbound_exchange, batch)
            published += len(batch)
            self.transfers.record_progress(
                transfer.id,
                lines_read=last_line,
                records_published=published,
                line_errors=errors,
                hops=hops,
            )
            batch.clear()
            hops.clear()
            errors.clear()

        with path.open("rb") as handle:
            lines = _CountedLines(handle)
            try:
                for item in self.file_format.split(lines):
                    if item.line <= mark:
                        continue  # published before a restart
                    last_line = item.line
                    if isinstance(item, LineError):
                        errors.append((item.line, item.reason))
                    else:
                        batch.append(self._message(transfer, item, received_at))
                        hops.append(self._received_hop(transfer, item, received_at))
                    if len(batch) >= self.batch_size:
                        flush()
            except UnreadableFile as error:
                flush()
                reason = f"line {error.line}: {error.reason}" if error.line else error.reason
                log.warning("%s: %s is unreadable: %s", self.interface, transfer.file_name, reason)
                self.transfers.mark(transfer.id, UNREADABLE, reason)
                return self.transfers.get(transfer.id)
            last_line = max(last_line, lines.count)
            flush()
        self.transfers.mark(transfer.id, PUBLISHED)
        log.info(
            "%s: %s published, %d records from %d lines",
            self.interface,
            transfer.file_name,
            published,
            last_line,
        )
        return self.transfers.get(transfer.id)

    def receipt(self, transfer: FileTransfer) -> FileReceipt | None:
        """The file's receipt, or None while ingest has records of it still to settle."""
        if transfer.status == UNREADABLE:
            return FileReceipt(
                file_name=transfer.file_name,
                sha256=transfer.sha256,
                lines_read=transfer.lines_read,
                records=0,
                accepted=0,
                unreadable=transfer.detail or "the file could not be read",
            )
        if transfer.status == RECEIVING:
            return None
        if self.transfers.settled_count(transfer.correlation_id) < transfer.records_published:
            return None
        refused_by_hub = self.transfers.refused_records(transfer.correlation_id)
        refused = {**self.transfers.line_errors(transfer.id), **refused_by_hub}
        return FileReceipt(
            file_name=transfer.file_name,
            sha256=transfer.sha256,
            lines_read=transfer.lines_read,
            records=transfer.records_published,
            accepted=transfer.records_published - len(refused_by_hub),
            refused=tuple(LineError(line, refused[line]) for line in sorted(refused)),
        )

    def _message(self, transfer: FileTransfer, record: FileRecord, at: datetime) -> Message:
        return Message(
            routing_key=inbound_routing_key(self.adapter, record.message_type),
            body=record.body,
            message_id=record_message_id(transfer.correlation_id, record.line),
            headers={
                HEADER_ADAPTER: self.adapter,
                HEADER_MESSAGE_TYPE: record.message_type,
                HEADER_PARTNER: self.partner,
                HEADER_RECEIVED_AT: at.isoformat(),
                HEADER_CORRELATION_ID: transfer.correlation_id,
            },
            content_type="application/xml",
            timestamp=at,
        )

    def _received_hop(self, transfer: FileTransfer, record: FileRecord, at: datetime) -> Hop:
        return Hop(
            message_id=record_message_id(transfer.correlation_id, record.line),
            hop=journal.RECEIVED,
            at=at,
            correlation_id=transfer.correlation_id,
            adapter=self.adapter,
            partner=self.partner,
            direction=journal.INBOUND,
            message_type=record.message_type,
            detail=f"{transfer.file_name} line {record.line}",
        )
