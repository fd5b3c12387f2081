"""Tables of what PNC and the security application tell the hub.

Security (X) alerts and intelligence flags are kept in tables of their own, apart from the
person record's ``alert`` table: the person view and data share read the record, and these
must never reach a partner other than the security application. They are keyed by prison
number rather than the person's row, since the number is for life and the rows are written
as each message is applied (a person new in the same batch has no row yet).
"""

from __future__ import annotations

import sqlalchemy as sa

from core_records.store.schema import Id, metadata
from core_records.timestamps import UtcDateTime

police_lookup = sa.Table(
    "police_lookup",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("prison_number", sa.String(7), nullable=False, index=True),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("pnc_id", sa.String(16)),
    sa.Column("cro_number", sa.String(16)),
    sa.Column("answered_at", UtcDateTime, nullable=False),
    sa.Column("message_id", Id, nullable=False),
)
"""PNC's answers to the hub's lookups: FOUND (with the ids) or NOT_FOUND, late ones too."""

security_alert = sa.Table(
    "security_alert",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("reference", sa.String(64), nullable=False, unique=True),
    sa.Column("prison_number", sa.String(7), nullable=False, index=True),
    sa.Column("alert_code", sa.String(12), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("raised_at", UtcDateTime, nullable=False),
    sa.Column("closed_at", UtcDateTime),
    sa.Column("message_id", Id, nullable=False),
)
"""Security (X type) alerts, by the security application's own reference."""

intelligence_flag = sa.Table(
    "intelligence_flag",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("reference", sa.String(64), nullable=False, unique=True),
    sa.Column("prison_number", sa.String(7), nullable=False, index=True),
    sa.Column("flag_code", sa.String(16), nullable=False),
    sa.Column("grading", sa.String(8), nullable=False),
    sa.Column("raised_at", UtcDateTime, nullable=False),
    sa.Column("message_id", Id, nullable=False),
)
"""Intelligence flags (gang affiliation, drug supply, ...) with their grading."""
