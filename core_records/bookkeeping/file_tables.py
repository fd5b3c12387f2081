"""Tables of the batch file interfaces: each file a partner dropped, how far its records
got, and the lines that could not be read.

A file is known by its interface, name and SHA-256, so that the same file dropped again is
recognised and not processed twice. ``records_published`` is the progress mark: records up
to it are durable on the broker, so a restart after a crash mid-file resumes after it.
"""

from __future__ import annotations

import sqlalchemy as sa

from core_records.store.schema import BigId, Id, metadata
from core_records.timestamps import UtcDateTime

file_transfer = sa.Table(
    "file_transfer",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("interface", sa.String(64), nullable=False),
    sa.Column("direction", sa.String(8), nullable=False),
    sa.Column("file_name", sa.String(255), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size_bytes", sa.BigInteger, nullable=False),
    sa.Column("correlation_id", Id, nullable=False, unique=True),
    # receiving → published → receipted, or unreadable
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("lines_read", sa.Integer, nullable=False),
    sa.Column("records_published", sa.Integer, nullable=False),
    sa.Column("detail", sa.Text),
    sa.Column("started_at", UtcDateTime, nullable=False),
    sa.Column("finished_at", UtcDateTime),
    sa.UniqueConstraint("interface", "file_name", "sha256", name="uq_file_transfer_identity"),
)

file_line_error = sa.Table(
    "file_line_error",
    metadata,
    sa.Column("transfer_id", sa.ForeignKey("file_transfer.id"), primary_key=True),
    sa.Column("line", sa.Integer, primary_key=True),
    sa.Column("reason", sa.Text, nullable=False),
)
