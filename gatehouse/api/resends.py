"""Publishing a partner's post once, however often it is sent (the edge's resend rule).

The edge claims (partner, reference) in the store
(``core_records.bookkeeping.submissions``) and then:

- a reference first seen: publish under a new message id; once the broker confirms, mark the
  claim confirmed; if the publish is known to have failed, forget the claim (a resend is a
  first post);
- the same document seen before and confirmed: answer with its message id, publish nothing;
- the same document seen before, never confirmed (its confirm was lost, or its first post is
  publishing now): publish again under the original id, which the ingest inbox applies once;
- the reference seen before with a different document: a conflict, refused.

A lost confirm (``ConfirmUncertain``) is not a refusal: the message is published once more
under the same id at once; if that too is unconfirmed, the claim stays unconfirmed, so that
the partner's resend publishes it again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from core_records.bookkeeping.submissions import CONFLICT, NEW, REPEAT, Submissions, body_sha256
from core_records.errors import ConfirmUncertain, GatehouseError, TransientError
from routing.inbound import Publish, Submission
from routing.log_context import bound

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What became of a submission at the edge."""

    message_id: str
    repeat: bool = False
    """A resend of a document already accepted under this id."""
    conflict: bool = False
    """The reference was first used for a different document, ``message_id``."""
    published: bool = True
    """Published by this request (so its receipt is journalled here)."""


def publish_confirmed(publish: Publish, submission: Submission) -> str:
    """Publish; if the broker's confirm is lost, once more under the same message id (the
    inbox applies it once). ``ConfirmUncertain`` if it is still not known to be stored."""
    # A resend is published under its first post's id: its records name that message.
    message_id = submission.message_id
    with bound(message_id=message_id, correlation_id=submission.correlation_id or message_id):
        try:
            return publish(submission)
        except ConfirmUncertain as first:
            log.warning("confirm of %s lost (%s); sending it again", message_id, first)
            try:
                return publish(submission)
            except TransientError as second:
                raise ConfirmUncertain(f"{first.reason}; sent again: {second.reason}") from second


def publish_once(
    publish: Publish,
    submissions: Submissions | None,
    submission: Submission,
    reference: str | None,
) -> Outcome:
    """Publish ``submission`` unless its reference says it was accepted already.

    Raises ``TransientError`` if it could not be published; ``ConfirmUncertain`` if it may
    have been (then the claim stays, unconfirmed, and a resend publishes it again)."""
    assert submission.message_id is not None
    if submissions is None or reference is None:
        return Outcome(publish_confirmed(publish, submission))
    partner, body_hash = submission.partner, body_sha256(submission.body)
    claim = submissions.claim(
        partner, reference, body_hash, submission.message_id, submission.received_at
    )
    if claim.outcome == CONFLICT:
        return Outcome(claim.message_id, conflict=True, published=False)
    if claim.outcome == REPEAT:
        if claim.confirmed:
            return Outcome(claim.message_id, repeat=True, published=False)
        # Its first post's confirm was lost, or that post is publishing now: publish it
        # again under its own id.
        submission = replace(submission, message_id=claim.message_id)
    try:
        message_id = publish_confirmed(publish, submission)
    except ConfirmUncertain:
        raise
    except TransientError:
        if claim.outcome == NEW:  # nothing of it was sent: a resend is a first post
            _quietly(submissions.forget, partner, reference, claim.message_id)
        raise
    _quietly(submissions.mark_confirmed, partner, reference, body_hash, message_id)
    return Outcome(message_id, repeat=claim.outcome == REPEAT)


def _quietly(action: Callable[..., None], *args: str) -> None:
    """Record what became of a claim; if the store cannot, a resend publishes again under
    the same id, which is safe."""
    try:
        action(*args)
    except GatehouseError as error:
        log.warning("could not record the submission %s: %s", args[:2], error)
