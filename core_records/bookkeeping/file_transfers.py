"""The files partners dropped on SFTP interfaces: each one's progress, refused lines and the
outcome of every record it held.

A file is known by (interface, name, SHA-256). Its records travel as messages with the
ids ``record_message_id(correlation_id, line)``, all sharing the file's correlation id, so
the journal tells what became of each without a table of its own: a record is settled once
ingest has journaled it ``stored``, ``duplicate`` or ``rejected``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from core_records.bookkeeping import journal
from core_records.bookkeeping.file_tables import file_line_error, file_transfer
from core_records.bookkeeping.journal import Hop, write_hops
from core_records.bookkeeping.tables import journal as journal_table
from core_records.store.database import READ_ONLY, store_errors
from core_records.timestamps import utc_now

RECEIVING = "receiving"
"""Records are being published; ``lines_read`` marks how far."""
PUBLISHED = "published"
"""Every record is on the broker; waiting for each one's outcome."""
RECEIPTED = "receipted"
"""The receipt was written back and the file archived."""
UNREADABLE = "unreadable"
"""The file could not be read at all; it went to ``error/``."""

_SETTLED = (journal.STORED, journal.DUPLICATE, journal.REJECTED)
_FILE_NAMESPACE = uuid.UUID("6b0f5d4e-2f55-4c31-9a7e-1f0c8e6a4b21")


def file_correlation_id(interface: str, file_name: str, sha256: str) -> str:
    """The same for the same file, however often it is seen."""
    return str(uuid.uuid5(_FILE_NAMESPACE, f"{interface}/{file_name}/{sha256}"))


def record_message_id(correlation_id: str, line: int) -> str:
    """The message id of the record on ``line``: fixed, so a record published twice after
    a crash is the same message, and the store's inbox applies it once."""
    return f"{correlation_id}.{line}"


def line_of(message_id: str) -> int:
    return int(message_id.rsplit(".", 1)[1])


@dataclass(frozen=True)
class FileTransfer:
    id: int
    interface: str
    direction: str
    file_name: str
    sha256: str
    size_bytes: int
    correlation_id: str
    status: str
    lines_read: int
    records_published: int
    detail: str | None
    started_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True)
class RecordOutcomes:
    settled: int
    refused: dict[int, str]
    """Line to the reason the hub refused its record."""


class FileTransfers:
    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine

    @property
    def engine(self) -> sa.Engine:
        return self._engine

    def begin(
        self, interface: str, file_name: str, sha256: str, size_bytes: int
    ) -> tuple[FileTransfer, bool]:
        """The transfer of this file, and whether it is new (False: seen before)."""
        found = self.find(interface, file_name, sha256)
        if found is not None:
            return found, False
        row = {
            "interface": interface,
            "direction": "inbound",
            "file_name": file_name,
            "sha256": sha256,
            "size_bytes": size_bytes,
            "correlation_id": file_correlation_id(interface, file_name, sha256),
            "status": RECEIVING,
            "lines_read": 0,
            "records_published": 0,
            "started_at": utc_now(),
        }
        try:
            with store_errors(), self._engine.begin() as connection:
                connection.execute(sa.insert(file_transfer), row)
        except sa.exc.IntegrityError:  # another poller took it first
            found = self.find(interface, file_name, sha256)
            assert found is not None
            return found, False
        found = self.find(interface, file_name, sha256)
        assert found is not None
        return found, True

    def find(self, interface: str, file_name: str, sha256: str) -> FileTransfer | None:
        query = sa.select(file_transfer).where(
            file_transfer.c.interface == interface,
            file_transfer.c.file_name == file_name,
            file_transfer.c.sha256 == sha256,
        )
        return self._one(query)

    def get(self, transfer_id: int) -> FileTransfer:
        found = self._one(sa.select(file_transfer).where(file_transfer.c.id == transfer_id))
        if found is None:
            raise LookupError(f"no file transfer {transfer_id}")
        return found

    def unfinished(self, interface: str) -> list[FileTransfer]:
        """Transfers of the interface still receiving or awaiting outcomes, oldest first."""
        query = (
            sa.select(file_transfer)
            .where(
                file_transfer.c.interface == interface,
                file_transfer.c.status.in_((RECEIVING, PUBLISHED)),
            )
            .order_by(file_transfer.c.id)
        )
        with store_errors(), self._engine.connect() as connection:
            connection = connection.execution_options(**READ_ONLY)
            return [FileTransfer(**row) for row in connection.execute(query).mappings()]

    def record_progress(
        self,
        transfer_id: int,
        *,
        lines_read: int,
        records_published: int,
        line_errors: Sequence[tuple[int, str]],
        hops: Sequence[Hop],
    ) -> None:
        """Move the progress mark, with the refused lines and ``received`` hops of the
        records just published, in one transaction."""
        with store_errors(), self._engine.begin() as connection:
            connection.execute(
                sa.update(file_transfer)
                .where(file_transfer.c.id == transfer_id)
                .values(lines_read=lines_read, records_published=records_published)
            )
            if line_errors:
                # A line refused before a crash and again after it is one refusal.
                known = set(
                    connection.scalars(
                        sa.select(file_line_error.c.line).where(
                            file_line_error.c.transfer_id == transfer_id,
                            file_line_error.c.line.in_([line for line, _ in line_errors]),
                        )
                    )
                )
                rows = [
                    {"transfer_id": transfer_id, "line": line, "reason": reason}
                    for line, reason in line_errors
                    if line not in known
                ]
                if rows:
                    connection.execute(sa.insert(file_line_error), rows)
            write_hops(connection, hops)

    def mark(self, transfer_id: int, status: str, detail: str | None = None) -> None:
        finished = utc_now() if status in (RECEIPTED, UNREADABLE) else None
        with store_errors(), self._engine.begin() as connection:
            connection.execute(
                sa.update(file_transfer)
                .where(file_transfer.c.id == transfer_id)
                .values(status=status, detail=detail, finished_at=finished)
            )

    def line_errors(self, transfer_id: int) -> dict[int, str]:
        query = sa.select(file_line_error.c.line, file_line_error.c.reason).where(
            file_line_error.c.transfer_id == transfer_id
        )
        with store_errors(), self._engine.connect() as connection:
            connection = connection.execution_options(**READ_ONLY)
            return {line: reason for line, reason in connection.execute(query)}

    def settled_count(self, correlation_id: str) -> int:
        """How many of the file's records ingest has settled (stored, duplicate, rejected)."""
        query = sa.select(sa.func.count(sa.distinct(journal_table.c.message_id))).where(
            journal_table.c.correlation_id == correlation_id,
            journal_table.c.direction == journal.INBOUND,
            journal_table.c.hop.in_(_SETTLED),
        )
        with store_errors(), self._engine.connect() as connection:
            connection = connection.execution_options(**READ_ONLY)
            return int(connection.scalar(query) or 0)

    def refused_records(self, correlation_id: str) -> dict[int, str]:
        """Line to reason, for records ingest refused and never stored (a refusal later
        replayed and stored does not count)."""
        query = (
            sa.select(journal_table.c.message_id, journal_table.c.hop, journal_table.c.detail)
            .where(
                journal_table.c.correlation_id == correlation_id,
                journal_table.c.direction == journal.INBOUND,
                journal_table.c.hop.in_(_SETTLED),
            )
            .order_by(journal_table.c.id)
        )
        refused: dict[int, str] = {}
        stored: set[int] = set()
        with store_errors(), self._engine.connect() as connection:
            connection = connection.execution_options(**READ_ONLY)
            for message_id, hop, detail in connection.execute(query):
                line = line_of(message_id)
                if hop == journal.REJECTED:
                    refused.setdefault(line, detail or "refused")
                else:
                    stored.add(line)
        return {line: reason for line, reason in refused.items() if line not in stored}

    def _one(self, query: sa.Select) -> FileTransfer | None:  # type: ignore[type-arg]
        with store_errors(), self._engine.connect() as connection:
            connection = connection.execution_options(**READ_ONLY)
            row = connection.execute(query).mappings().first()
        return FileTransfer(**row) if row else None
