"""The audit trail: who did what to a dead letter, a partner token or a record, and when.

Rows are written in the same transaction as the action they record, so the trail never
shows an action that did not happen, nor misses one that did.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from core_records.bookkeeping.tables import audit_event


@dataclass(frozen=True)
class AuditEvent:
    at: datetime
    actor: str
    """Who acted: an operator's user name, or ``system`` for the hub itself."""
    action: str
    """What they did, e.g. ``dead_letter.replayed``, ``partner_token.issued``."""
    subject: str
    """What they did it to, e.g. ``dead_letter:42``, ``partner:g4s``."""
    detail: str | None = None


def write_audit(connection: sa.Connection, event: AuditEvent) -> None:
    """Insert an audit row within the caller's transaction."""
    connection.execute(
        sa.insert(audit_event).values(
            at=event.at,
            actor=event.actor,
            action=event.action,
            subject=event.subject,
            detail=event.detail,
        )
    )


def audit_trail(connection: sa.Connection, subject: str) -> list[AuditEvent]:
    """Everything done to ``subject``, oldest first."""
    rows = connection.execute(
        sa.select(
            audit_event.c.at,
            audit_event.c.actor,
            audit_event.c.action,
            audit_event.c.subject,
            audit_event.c.detail,
        )
        .where(audit_event.c.subject == subject)
        .order_by(audit_event.c.at, audit_event.c.id)
    )
    return [AuditEvent(*row) for row in rows]
