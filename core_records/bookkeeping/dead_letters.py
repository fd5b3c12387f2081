"""The dead-letter store: messages that failed for good, kept until an operator acts.

A dead letter is ``waiting`` until an operator replays it (sends it back to the queue it
came from, after a fix) or discards it; either is final, journalled and audited, in the
same transaction as the status change. ``dedupe_key`` makes filing idempotent: the same
failure delivered twice (the broker may redeliver) is stored once.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from core_records.bookkeeping import journal
from core_records.bookkeeping.audit import AuditEvent, write_audit
from core_records.bookkeeping.journal import Hop, write_hops
from core_records.bookkeeping.tables import dead_letter
from core_records.store.database import READ_ONLY, store_errors
from core_records.timestamps import utc_now

WAITING = "waiting"
REPLAYED = "replayed"
DISCARDED = "discarded"
STATUSES = (WAITING, REPLAYED, DISCARDED)

# The headers Gatehouse puts on every message (routing.messages defines them; core_records
# imports no other package), read back here so the replay and discard hops can be traced.
_HEADER_HOP_FIELDS = {
    "correlation_id": "gatehouse-correlation-id",
    "causation_id": "gatehouse-causation-id",
    "adapter": "gatehouse-adapter",
    "partner": "gatehouse-partner",
    "message_type": "gatehouse-message-type",
    "person_key": "gatehouse-person-key",
}


class UnknownDeadLetter(LookupError):
    """No dead letter has that id."""


class DeadLetterNotWaiting(ValueError):
    """The dead letter was replayed or discarded already; it cannot be actioned again."""


@dataclass(frozen=True)
class DeadLetter:
    id: int
    dedupe_key: str
    message_id: str
    origin_queue: str
    """The work queue it failed on, and goes back to when replayed."""
    routing_key: str
    reason: str
    attempts: list[dict[str, Any]]
    """The failed attempts, oldest first: ``{"at": iso, "reason": str, "delay_ms": int}``."""
    headers: dict[str, str]
    body: bytes
    content_type: str
    dead_lettered_at: datetime
    status: str
    actioned_by: str | None
    actioned_at: datetime | None


class DeadLetterStore:
    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine

    def add(
        self,
        *,
        dedupe_key: str,
        message_id: str,
        origin_queue: str,
        routing_key: str,
        reason: str,
        attempts: Sequence[Mapping[str, Any]],
        headers: Mapping[str, str],
        body: bytes,
        content_type: str,
        dead_lettered_at: datetime,
        hop: Hop,
    ) -> int | None:
        """File a dead letter with its ``dead_lettered`` hop, in one transaction.

        Returns its id, or None when ``dedupe_key`` was filed already (then nothing is
        written, not even the hop).
        """
        insert = postgresql.insert if self._engine.dialect.name == "postgresql" else sqlite.insert
        statement = (
            insert(dead_letter)
            .values(
                dedupe_key=dedupe_key,
                message_id=message_id,
                origin_queue=origin_queue,
                routing_key=routing_key,
                reason=reason,
                attempts=json.dumps(list(attempts), separators=(",", ":"), default=str),
                headers=json.dumps(dict(headers), separators=(",", ":"), sort_keys=True),
                body=body,
                content_type=content_type,
                dead_lettered_at=dead_lettered_at,
                status=WAITING,
            )
            .on_conflict_do_nothing(index_elements=[dead_letter.c.dedupe_key])
            .returning(dead_letter.c.id)
        )
        with store_errors(), self._engine.begin() as connection:
            dead_letter_id = connection.execute(statement).scalar()
            if dead_letter_id is None:
                return None
            write_hops(connection, [hop])
            return int(dead_letter_id)

    def list(
        self, status: str = WAITING, limit: int = 100, after_id: int | None = None
    ) -> builtins.list[DeadLetter]:
        """Dead letters with ``status``, oldest first; page on with ``after_id``."""
        query = (
            sa.select(dead_letter)
            .where(dead_letter.c.status == status)
            .order_by(dead_letter.c.id)
            .limit(limit)
        )
        if after_id is not None:
            query = query.where(dead_letter.c.id > after_id)
        with store_errors(), self._engine.connect() as connection:
            connection = connection.execution_options(**READ_ONLY)
            return [_dead_letter(row) for row in connection.execute(query).mappings()]

    def get(self, dead_letter_id: int) -> DeadLetter | None:
        with store_errors(), self._engine.connect() as connection:
            connection = connection.execution_options(**READ_ONLY)
            row = (
                connection.execute(sa.select(dead_letter).where(dead_letter.c.id == dead_letter_id))
                .mappings()
                .first()
            )
        return _dead_letter(row) if row is not None else None

    def count(self, status: str = WAITING) -> int:
        query = sa.select(sa.func.count()).where(dead_letter.c.status == status)
        with store_errors(), self._engine.connect() as connection:
            connection = connection.execution_options(**READ_ONLY)
            return int(connection.execute(query).scalar_one())

    def mark_replayed(self, dead_letter_id: int, actor: str) -> DeadLetter:
        """Record that ``actor`` sent the dead letter back to its queue."""
        return self._action(dead_letter_id, actor, REPLAYED, journal.REPLAYED)

    def mark_discarded(
        self, dead_letter_id: int, actor: str, reason: str | None = None
    ) -> DeadLetter:
        """Record that ``actor`` decided the dead letter must not be processed (and why,
        when purging)."""
        return self._action(dead_letter_id, actor, DISCARDED, journal.DISCARDED, reason)

    def _action(
        self, dead_letter_id: int, actor: str, status: str, hop: str, reason: str | None = None
    ) -> DeadLetter:
        now = utc_now()
        with store_errors(), self._engine.begin() as connection:
            # Only a waiting dead letter changes; the WHERE clause makes two operators acting
            # at once safe: the second finds it no longer waiting.
            changed = (
                connection.execute(
                    sa.update(dead_letter)
                    .where(dead_letter.c.id == dead_letter_id, dead_letter.c.status == WAITING)
                    .values(status=status, actioned_by=actor, actioned_at=now)
                    .returning(*dead_letter.c)
                )
                .mappings()
                .first()
            )
            if changed is None:
                current = connection.execute(
                    sa.select(dead_letter.c.status).where(dead_letter.c.id == dead_letter_id)
                ).scalar()
                if current is None:
                    raise UnknownDeadLetter(f"no dead letter {dead_letter_id}")
                raise DeadLetterNotWaiting(
                    f"dead letter {dead_letter_id} is {current} already, not waiting"
                )
            record = _dead_letter(changed)
            traced = {field: record.headers.get(name) for field, name in _HEADER_HOP_FIELDS.items()}
            detail = f"{status} by {actor} (dead letter {dead_letter_id})"
            if reason:
                detail += f": {reason}"
            write_hops(
                connection,
                [Hop(message_id=record.message_id, hop=hop, at=now, detail=detail, **traced)],
            )
            write_audit(
                connection,
                AuditEvent(
                    at=now,
                    actor=actor,
                    action=f"dead_letter.{status}",
                    subject=f"dead_letter:{dead_letter_id}",
                    detail=f"message {record.message_id} from {record.origin_queue}"
                    + (f": {reason}" if reason else ""),
                ),
            )
        return record


def _dead_letter(row: Mapping[str, Any]) -> DeadLetter:
    return DeadLetter(
        id=row["id"],
        dedupe_key=row["dedupe_key"],
        message_id=row["message_id"],
        origin_queue=row["origin_queue"],
        routing_key=row["routing_key"],
        reason=row["reason"],
        attempts=json.loads(row["attempts"]),
        headers=json.loads(row["headers"]),
        body=bytes(row["body"]),
        content_type=row["content_type"],
        dead_lettered_at=row["dead_lettered_at"],
        status=row["status"],
        actioned_by=row["actioned_by"],
        actioned_at=row["actioned_at"],
    )
