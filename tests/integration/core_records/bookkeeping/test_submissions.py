"""Claims on partners' message references (``core_records.bookkeeping.submissions``) and the edge's
resend rule built on them (``gatehouse.api.resends``), on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from core_records.bookkeeping.submissions import (
    CONFLICT,
    NEW,
    REPEAT,
    Claim,
    SubmissionRetention,
    Submissions,
    body_sha256,
)
from core_records.errors import ConfirmUncertain, TransportUnavailable
from core_records.tables import submission as submission_table
from gatehouse.api.resends import Outcome, publish_once
from routing.inbound import Submission

BODY = b"<Reception>...</Reception>"


@pytest.fixture
def submissions(engine: sa.Engine) -> Submissions:
    return Submissions(engine)


def new_id() -> str:
    return str(uuid.uuid4())


def test_a_first_claim_is_new_and_a_repeat_names_the_first_id(submissions: Submissions) -> None:
    first, second = new_id(), new_id()
    assert submissions.claim("serco", "SER-1", body_sha256(BODY), first) == Claim(NEW, first, False)
    assert submissions.claim("serco", "SER-1", body_sha256(BODY), second) == Claim(
        REPEAT, first, False
    )
    submissions.mark_confirmed("serco", "SER-1", body_sha256(BODY), first)
    assert submissions.claim("serco", "SER-1", body_sha256(BODY), second) == Claim(
        REPEAT, first, True
    )


def test_a_reference_used_for_another_body_is_a_conflict_naming_the_first_id(
    submissions: Submissions,
) -> None:
    first = new_id()
    submissions.claim("serco", "SER-1", body_sha256(BODY), first)
    claim = submissions.claim("serco", "SER-1", body_sha256(BODY + b" "), new_id())
    assert (claim.outcome, claim.message_id) == (CONFLICT, first)


def test_references_are_each_partners_own(submissions: Submissions) -> None:
    assert submissions.claim("serco", "REF-1", body_sha256(BODY), new_id()).outcome == NEW
    assert submissions.claim("sodexo", "REF-1", body_sha256(BODY), new_id()).outcome == NEW


def test_a_forgotten_claim_is_new_again_but_a_confirmed_one_is_never_forgotten(
    submissions: Submissions,
) -> None:
    first, second = new_id(), new_id()
    submissions.claim("serco", "SER-1", body_sha256(BODY), first)
    submissions.forget("serco", "SER-1", first)
    assert submissions.claim("serco", "SER-1", body_sha256(BODY), second).outcome == NEW

    submissions.mark_confirmed("serco", "SER-1", body_sha256(BODY), second)
    submissions.forget("serco", "SER-1", second)
    assert submissions.claim("serco", "SER-1", body_sha256(BODY), new_id()) == Claim(
        REPEAT, second, True
    )


def test_many_identical_claims_at_once_give_one_message_id(submissions: Submissions) -> None:
    claims: list[Claim] = []
    start = threading.Barrier(8)

    def claim() -> None:
        start.wait()
        claims.append(submissions.claim("serco", "SER-RACE", body_sha256(BODY), new_id()))

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(c.outcome for c in claims) == [NEW] + [REPEAT] * 7
    assert len({c.message_id for c in claims}) == 1


def test_references_older_than_the_retention_are_pruned(
    submissions: Submissions, engine: sa.Engine
) -> None:
    now = datetime.now(UTC)
    submissions.claim("serco", "OLD", body_sha256(BODY), new_id(), now - timedelta(days=31))
    submissions.claim("serco", "NEW", body_sha256(BODY), new_id(), now - timedelta(days=29))

    assert SubmissionRetention(submissions, timedelta(days=30)).run_once() == 1
    with engine.connect() as connection:
        left = connection.execute(sa.select(submission_table.c.reference)).scalars().all()
    assert left == ["NEW"]


# --- the edge's resend rule --------------------------------------------------------------------


class Broker:
    """A publish function whose confirms can be lost or refused, recording what it sent."""

    def __init__(self, *failures: type[Exception] | None) -> None:
        self.failures = list(failures)
        self.sent: list[str] = []

    def __call__(self, submission: Submission) -> str:
        failure = self.failures.pop(0) if self.failures else None
        if failure is TransportUnavailable:
            raise TransportUnavailable("RabbitMQ refused a message (nack)")
        assert submission.message_id is not None
        self.sent.append(submission.message_id)  # it reached the queue ...
        if failure is ConfirmUncertain:  # ... but its confirm did not reach us
            raise ConfirmUncertain("the RabbitMQ channel closed before confirming")
        return submission.message_id


def post(body: bytes = BODY) -> Submission:
    return Submission(
        "private_prisons", "reception", "serco", body, datetime.now(UTC), None,
        message_id=new_id(),
    )  # fmt: skip


def resend(
    broker: Callable[[Submission], str], submissions: Submissions, body: bytes = BODY
) -> Outcome:
    return publish_once(broker, submissions, post(body), "SER-1")


def test_a_resend_of_an_accepted_document_publishes_nothing(submissions: Submissions) -> None:
    broker = Broker()
    first = resend(broker, submissions)
    again = resend(broker, submissions)

    assert again.message_id == first.message_id and again.repeat
    assert broker.sent == [first.message_id]


def test_a_lost_confirm_is_sent_once_more_under_the_same_id(submissions: Submissions) -> None:
    broker = Broker(ConfirmUncertain)
    outcome = resend(broker, submissions)

    assert broker.sent == [outcome.message_id] * 2
    assert resend(broker, submissions).repeat
    assert len(broker.sent) == 2


def test_twice_lost_then_a_resend_publishes_the_original_id_again(
    submissions: Submissions,
) -> None:
    broker = Broker(ConfirmUncertain, ConfirmUncertain)
    with pytest.raises(ConfirmUncertain):
        resend(broker, submissions)
    [original] = set(broker.sent)

    outcome = resend(broker, submissions)

    assert outcome.message_id == original
    assert broker.sent == [original] * 3
    assert submissions.claim("serco", "SER-1", body_sha256(BODY), new_id()).confirmed


def test_a_refused_publish_is_forgotten_so_that_a_resend_is_a_first_post(
    submissions: Submissions,
) -> None:
    broker = Broker(TransportUnavailable)
    with pytest.raises(TransportUnavailable):
        resend(broker, submissions)
    assert broker.sent == []

    outcome = resend(broker, submissions)
    assert broker.sent == [outcome.message_id]


def test_a_refusal_after_a_lost_confirm_keeps_the_claim(submissions: Submissions) -> None:
    # The first try may have stored it: forgetting would let a resend make a second message.
    broker = Broker(ConfirmUncertain, TransportUnavailable)
    with pytest.raises(ConfirmUncertain):
        resend(broker, submissions)
    [original] = broker.sent

    assert resend(broker, submissions).message_id == original


def test_the_same_reference_for_another_document_is_a_conflict(submissions: Submissions) -> None:
    broker = Broker()
    first = resend(broker, submissions)
    other = resend(broker, submissions, BODY + b"<!-- changed -->")

    assert other.conflict and other.message_id == first.message_id
    assert len(broker.sent) == 1
