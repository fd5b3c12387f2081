"""The audit trail for an admin: listed with filters, and exported as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from core_records.bookkeeping.tables import audit_event

CSV_COLUMNS = ("id", "at", "actor", "action", "subject", "detail")


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor: str
    action: str
    subject: str
    detail: str | None

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "action": self.action,
            "subject": self.subject,
            "detail": self.detail,
        }


def audit_rows(
    connection: sa.Connection,
    *,
    action_prefix: str | None = None,
    actor: str | None = None,
    subject: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 1000,
) -> list[AuditRow]:
    """Audit rows matching every filter given, newest first."""
    query = sa.select(
        audit_event.c.id,
        audit_event.c.at,
        audit_event.c.actor,
        audit_event.c.action,
        audit_event.c.subject,
        audit_event.c.detail,
    )
    if action_prefix:
        query = query.where(audit_event.c.action.startswith(action_prefix, autoescape=True))
    if actor:
        query = query.where(audit_event.c.actor == actor)
    if subject:
        query = query.where(audit_event.c.subject == subject)
    if since:
        query = query.where(audit_event.c.at >= since)
    if until:
        query = query.where(audit_event.c.at < until)
    rows = connection.execute(query.order_by(audit_event.c.id.desc()).limit(limit))
    return [AuditRow(*row) for row in rows]


def as_csv(rows: Iterable[AuditRow]) -> str:
    """RFC 4180 CSV with a header row; times in ISO 8601 UTC."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(
            [row.id, row.at.isoformat(), row.actor, row.action, row.subject, row.detail or ""]
        )
    return buffer.getvalue()
