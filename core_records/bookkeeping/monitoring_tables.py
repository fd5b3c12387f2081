"""Tables of service monitoring: interface health history, dashboard users and sessions,
and the journal indexes that make searching and the overview fast on millions of hops.

Imported once at the end of ``core_records.tables`` so that the migrations test sees them.
"""

from __future__ import annotations

import sqlalchemy as sa

from core_records.bookkeeping.tables import journal
from core_records.store.schema import BigId, metadata
from core_records.timestamps import UtcDateTime

# The journal is searched newest first by one person, one adapter or one time range, and the
# overview asks for each interface's latest hop. Each index below serves one of those keyset
# walks, so that a page costs a few index pages however many millions of hops there are.
sa.Index("ix_journal_person_key_id", journal.c.person_key, journal.c.id)
sa.Index("ix_journal_adapter_id", journal.c.adapter, journal.c.id)
sa.Index("ix_journal_adapter_direction_at", journal.c.adapter, journal.c.direction, journal.c.at)

interface_health_change = sa.Table(
    "interface_health_change",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("adapter", sa.String(64), nullable=False),
    sa.Column("direction", sa.String(8), nullable=False),
    sa.Column("status", sa.String(8), nullable=False),
    sa.Column("previous_status", sa.String(8)),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    # Set once the change has been announced; a change left unset after a crash is announced
    # on the next round, so no alert is lost and none is sent twice.
    sa.Column("notified_at", UtcDateTime),
    sa.Index("ix_interface_health_change_adapter_direction_id", "adapter", "direction", "id"),
    sa.Index(
        "ix_interface_health_change_unnotified",
        "id",
        postgresql_where=sa.text("notified_at IS NULL"),
        sqlite_where=sa.text("notified_at IS NULL"),
    ),
)

dashboard_user = sa.Table(
    "dashboard_user",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(100), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("disabled_at", UtcDateTime),
    # A grant apart from the role, admins included: may read the documents partners sent
    # and were sent (``message_document``), each reading audited.
    sa.Column("may_view_content", sa.Boolean, nullable=False, server_default=sa.false()),
)

dashboard_session = sa.Table(
    "dashboard_session",
    metadata,
    # The SHA-256 of the session cookie: a copy of the table does not let anyone sign in.
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("username", sa.String(100), nullable=False, index=True),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False, index=True),
)
