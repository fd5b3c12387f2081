"""Submissions: a partner's own message reference as the key of what it posted.

A partner that posts, does not hear the answer (a timeout, a dropped connection, a 503
after the broker had in fact stored the message) and posts the same document again must
not make a second message. The edge therefore claims (partner, reference) before it
publishes, where the reference is the partner's own (a document's ``MessageReference``, or
an ``Idempotency-Key`` header):

- ``new``: the row is ours; publish under the message id it names, then ``mark_confirmed``
  once the broker holds the message, or ``forget`` if the publish is known to have failed
  (so that a resend is a first post again);
- ``repeat``: the same body was posted before under this reference; answer with its
  message id. If its publish was never confirmed (the broker's answer was lost, or the
  first post is still publishing), publish again under that same id: the ingest inbox
  applies a message id once, so the message is stored once however often it is sent;
- ``conflict``: the reference was used for a different body; refuse it.

Claiming is race-safe: ``INSERT ... ON CONFLICT DO NOTHING`` then a read, so two identical
posts at once make one message. Rows are kept for the retention period
(``GATEHOUSE_SUBMISSION_RETENTION_DAYS``) and then pruned by ``SubmissionRetention``, a
worker loop.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from core_records.bookkeeping.tables import submission
from core_records.errors import ConcurrentUpdate
from core_records.store.database import store_errors
from core_records.timestamps import utc_now

log = logging.getLogger(__name__)

NEW = "new"
REPEAT = "repeat"
CONFLICT = "conflict"

MAX_REFERENCE_LENGTH = 128
"""The longest reference kept (the column's width); a longer one is refused at the edge."""


@dataclass(frozen=True)
class Claim:
    outcome: Literal["new", "repeat", "conflict"]
    message_id: str
    """The new message id (``new``) or the one the reference was first given."""
    confirmed: bool
    """Whether the broker confirmed that message id durable."""


def body_sha256(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


class Submissions:
    """The ``submission`` table: claims on (partner, reference)."""

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine

    def claim(
        self,
        partner: str,
        reference: str,
        body_hash: str,
        message_id: str,
        now: datetime | None = None,
    ) -> Claim:
        """Claim ``reference`` for ``message_id``, or say what it was claimed for before."""
        row = {
            "partner": partner,
            "reference": reference,
            "body_sha256": body_hash,
            "message_id": message_id,
            "received_at": now or utc_now(),
            "confirmed": False,
        }
        key = _key(partner, reference)
        # The row found may be forgotten (its publish failed) between the insert and the read:
        # then claim again.
        for _attempt in range(3):
            with store_errors(), self._engine.begin() as connection:
                inserted = connection.execute(
                    _insert(connection)
                    .values(row)
                    .on_conflict_do_nothing(
                        index_elements=[submission.c.partner, submission.c.reference]
                    )
                    .returning(submission.c.message_id)
                ).first()
                if inserted is not None:
                    return Claim(NEW, message_id, False)
                found = connection.execute(
                    sa.select(
                        submission.c.body_sha256, submission.c.message_id, submission.c.confirmed
                    ).where(key)
                ).first()
            if found is not None:
                outcome = REPEAT if found.body_sha256 == body_hash else CONFLICT
                return Claim(outcome, found.message_id, bool(found.confirmed))
        raise ConcurrentUpdate(f"the claim on {partner}'s reference {reference!r} kept changing")

    def mark_confirmed(self, partner: str, reference: str, body_hash: str, message_id: str) -> None:
        """The broker holds ``message_id``: a resend is answered without publishing.

        If the claim is gone (a concurrent post of the same body failed and forgot it while
        this one stored the message), it is made again, confirmed."""
        with store_errors(), self._engine.begin() as connection:
            updated = connection.execute(
                sa.update(submission)
                .where(_key(partner, reference), submission.c.message_id == message_id)
                .values(confirmed=True)
            )
            if updated.rowcount == 0:
                row = {
                    "partner": partner,
                    "reference": reference,
                    "body_sha256": body_hash,
                    "message_id": message_id,
                    "received_at": utc_now(),
                    "confirmed": True,
                }
                connection.execute(
                    _insert(connection)
                    .values(row)
                    .on_conflict_do_nothing(
                        index_elements=[submission.c.partner, submission.c.reference]
                    )
                )

    def forget(self, partner: str, reference: str, message_id: str) -> None:
        """The publish of ``message_id`` is known to have failed (and no earlier one may have
        stored it): a resend is a first post again."""
        with store_errors(), self._engine.begin() as connection:
            connection.execute(
                sa.delete(submission).where(
                    _key(partner, reference),
                    submission.c.message_id == message_id,
                    submission.c.confirmed.is_(False),
                )
            )

    def prune(self, before: datetime) -> int:
        """Forget references claimed before ``before``; how many."""
        with store_errors(), self._engine.begin() as connection:
            result = connection.execute(
                sa.delete(submission).where(submission.c.received_at < before)
            )
        return int(result.rowcount or 0)


@dataclass
class SubmissionRetention:
    """A worker loop: every ``backoff_s`` seconds, prune references older than
    ``retention``. Any number may run; a second prune of the same rows deletes nothing."""

    submissions: Submissions
    retention: timedelta
    backoff_s: float = 3600.0
    name: str = "submission-retention"

    def run_once(self) -> int:
        pruned = self.submissions.prune(utc_now() - self.retention)
        if pruned:
            log.info("forgot %d message references older than %s", pruned, self.retention)
        return pruned

    def close(self) -> None:
        pass


def _key(partner: str, reference: str) -> sa.ColumnElement[bool]:
    return sa.and_(submission.c.partner == partner, submission.c.reference == reference)


def _insert(connection: sa.Connection) -> postgresql.Insert | sqlite.Insert:
    if connection.dialect.name == "postgresql":
        return postgresql.insert(submission)
    return sqlite.insert(submission)
