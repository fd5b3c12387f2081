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
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, cast

from adapters.transports.file_formats import (
    FileContext,
    FileFormat,
    FileReceipt,
    FileRecord,
    LineError,
    ReceiptNotReady,
    UnreadableFile,
)
from core_records.bookkeeping import journal
from core_records.bookkeeping.file_transfers import (
    PUBLISHED,
    RECEIVING,
    UNREADABLE,
    FileTransfer,
    FileTransfers,
    record_message_id,
)
from core_records.bookkeeping.journal import Hop
from routing.file_interfaces.publishing import CountingReader, PublishedBatches
from routing.inbound import Submission, inbound_message
from routing.messages import Message
from routing.transport import Transport

log = logging.getLogger(__name__)


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
        received_at = datetime.now(UTC)
        progress = PublishedBatches(self.transport, self.inbound_exchange, self.transfers, transfer)
        if mark == 0:
            progress.hops.append(self._file_received_hop(transfer, received_at))
        context = self.context(transfer, path)
        with path.open("rb") as handle, progress:
            stream = CountingReader(handle)
            try:
                for item in self.file_format.split(cast(BinaryIO, stream), context):
                    if item.line <= mark:
                        continue  # published before a restart
                    progress.last_line = item.line
                    if isinstance(item, LineError):
                        progress.errors.append((item.line, item.reason))
                    else:
                        progress.batch.append(self._message(transfer, item, received_at))
                    if len(progress.batch) >= self.batch_size:
                        progress.flush()
            except UnreadableFile as error:
                progress.finish()
                reason = f"line {error.line}: {error.reason}" if error.line else error.reason
                log.warning("%s: %s is unreadable: %s", self.interface, transfer.file_name, reason)
                self.transfers.mark(transfer.id, UNREADABLE, reason)
                return self.transfers.get(transfer.id)
            progress.last_line = max(progress.last_line, stream.lines)
            progress.finish()
        published = progress.published
        last_line = progress.last_line
        self.transfers.mark(transfer.id, PUBLISHED)
        log.info(
            "%s: %s published, %d records from %d lines",
            self.interface,
            transfer.file_name,
            published,
            last_line,
        )
        return self.transfers.get(transfer.id)

    def context(self, transfer: FileTransfer, source: Path) -> FileContext:
        return FileContext(file_id=transfer.sha256, source=source, store=self.transfers.engine)

    def answer(self, transfer: FileTransfer, source: Path) -> tuple[FileReceipt, bytes] | None:
        """The receipt and its bytes in the file's format, or None while not every record
        has its outcome. ``source`` is the local copy of the file."""
        receipt = self.receipt(transfer)
        if receipt is None:
            return None
        try:
            return receipt, self.file_format.write_receipt(receipt, self.context(transfer, source))
        except ReceiptNotReady:
            return None

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
        submission = Submission(
            adapter=self.adapter,
            message_type=record.message_type,
            partner=self.partner,
            body=record.body,
            received_at=at,
            correlation_id=transfer.correlation_id,
            content_type=record.content_type,
            message_id=record_message_id(transfer.correlation_id, record.line),
            person_key=record.person_key,
            schema_checked=record.schema_checked,
        )
        return inbound_message(submission)

    def _file_received_hop(self, transfer: FileTransfer, at: datetime) -> Hop:
        """One ``received`` hop for the file: its records' ids are the file's correlation id
        and their line, so the journal leads from any record to its file."""
        return Hop(
            message_id=transfer.correlation_id,
            hop=journal.RECEIVED,
            at=at,
            correlation_id=transfer.correlation_id,
            adapter=self.adapter,
            partner=self.partner,
            direction=journal.INBOUND,
            message_type=self.file_format.name,
            detail=f"{transfer.file_name} ({transfer.size_bytes} bytes) from SFTP {self.interface}",
        )
