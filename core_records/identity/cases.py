"""Possible-match cases: a reception the matcher could not decide, held for a person.

A case holds the whole inbound message (``core_records.identity.held_messages``), the best
candidates with their scores and evidence, and, once decided, who decided what and when.
The message is not in the inbox while it is held: deciding applies it (``IdentityReview``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from core_records.commands import InboundMessage
from core_records.identity import held_messages
from core_records.identity.resolution import Resolution
from core_records.identity.tables import identity_case, identity_decision

OPEN = "open"
LINKED = "linked"
NEW_PERSON = "new"


@dataclass(frozen=True)
class IdentityCase:
    id: int
    message_id: str
    opened_at: datetime
    status: str
    summary: str
    candidates: list[dict[str, Any]]
    """The best candidates: prisonNumber, score, evidence."""
    message: InboundMessage
    decided_by: str | None
    decided_at: datetime | None
    decision_key: str | None

    def as_dict(self) -> dict[str, Any]:
        reception = next((c for c in self.message.commands if hasattr(c.person, "name")), None)
        person = None
        if reception is not None:
            given = reception.person  # type: ignore[union-attr]
            person = {
                "surname": given.name.surname,
                "forenames": given.name.forenames,
                "dateOfBirth": given.date_of_birth.isoformat(),
                "sex": given.sex,
                "identifiers": [{"type": i.type, "value": i.value} for i in given.identifiers],
                "aliases": [
                    {"surname": a.surname, "forenames": a.forenames} for a in given.aliases
                ],
            }
        return {
            "id": self.id,
            "messageId": self.message_id,
            "openedAt": self.opened_at.isoformat(),
            "status": self.status,
            "summary": self.summary,
            "incoming": person,
            "candidates": self.candidates,
            "decidedBy": self.decided_by,
            "decidedAt": self.decided_at.isoformat() if self.decided_at else None,
            "decision": self.decision_key,
        }


def open_case(
    connection: sa.Connection, message: InboundMessage, resolution: Resolution, now: datetime
) -> str:
    """Hold ``message`` in a case (once: a redelivered message finds its case); the summary."""
    best = resolution.best
    assert best is not None
    summary = (
        f"possible match with {best.candidate.prison_number} "
        f"(score {best.score.score:.1f}): held for review"
    )
    existing = connection.execute(
        sa.select(identity_case.c.id).where(identity_case.c.message_id == message.message_id)
    ).first()
    if existing is not None:
        return f"{summary}, case {existing.id}"
    case_id = connection.execute(
        sa.insert(identity_case)
        .values(
            message_id=message.message_id,
            opened_at=now,
            status=OPEN,
            summary=summary,
            candidates=json.dumps([s.as_dict() for s in resolution.ranked[:5]]),
            message=held_messages.encode(message),
        )
        .returning(identity_case.c.id)
    ).scalar_one()
    connection.execute(
        sa.insert(identity_decision).values(
            message_id=message.message_id,
            decided_at=now,
            outcome="review",
            person_key=None,
            candidate_key=best.candidate.prison_number,
            score=best.score.score,
            evidence=resolution.evidence(),
        )
    )
    return f"{summary}, case {case_id}"


def list_cases(
    connection: sa.Connection, status: str | None = OPEN, limit: int = 100
) -> list[IdentityCase]:
    query = sa.select(identity_case).order_by(identity_case.c.id).limit(limit)
    if status is not None:
        query = query.where(identity_case.c.status == status)
    return [_case(row) for row in connection.execute(query).mappings()]


def get_case(connection: sa.Connection, case_id: int) -> IdentityCase | None:
    row = (
        connection.execute(sa.select(identity_case).where(identity_case.c.id == case_id))
        .mappings()
        .first()
    )
    return None if row is None else _case(row)


def close_case(
    connection: sa.Connection,
    case_id: int,
    status: str,
    decision_key: str,
    actor: str,
    now: datetime,
) -> bool:
    """Mark an open case decided; whether it was open."""
    closed = connection.execute(
        sa.update(identity_case)
        .where(identity_case.c.id == case_id, identity_case.c.status == OPEN)
        .values(status=status, decision_key=decision_key, decided_by=actor, decided_at=now)
    )
    return closed.rowcount == 1


def _case(row: Any) -> IdentityCase:
    return IdentityCase(
        id=row["id"],
        message_id=row["message_id"],
        opened_at=row["opened_at"],
        status=row["status"],
        summary=row["summary"],
        candidates=json.loads(row["candidates"]),
        message=held_messages.decode(row["message"]),
        decided_by=row["decided_by"],
        decided_at=row["decided_at"],
        decision_key=row["decision_key"],
    )
