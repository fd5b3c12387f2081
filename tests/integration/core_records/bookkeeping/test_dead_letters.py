"""The dead-letter store: filed once, listed, and replayed or discarded once, with a trail."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from core_records.bookkeeping import journal
from core_records.bookkeeping.audit import audit_trail
from core_records.bookkeeping.dead_letters import (
    DISCARDED,
    REPLAYED,
    WAITING,
    DeadLetterNotWaiting,
    DeadLetterStore,
    UnknownDeadLetter,
)
from core_records.bookkeeping.journal import Hop, Journal

FAILED_AT = datetime(2025, 3, 4, 12, 0, tzinfo=UTC)
ATTEMPTS = [{"at": "2025-03-04T11:59:00+00:00", "reason": "HTTP 503", "delay_ms": 1000}]


def _file(dead_letters: DeadLetterStore, key: str, message_id: str = "m-1") -> int | None:
    return dead_letters.add(
        dedupe_key=key,
        message_id=message_id,
        origin_queue="gatehouse.delius.deliver",
        routing_key="prisoner.released",
        reason="Delius refused the document: 422 Unprocessable Entity",
        attempts=ATTEMPTS,
        headers={"gatehouse-correlation-id": "c-1", "gatehouse-partner": "delius"},
        body=b"<release/>\x00\xff",
        content_type="application/xml",
        dead_lettered_at=FAILED_AT,
        hop=Hop(message_id=message_id, hop=journal.DEAD_LETTERED, at=FAILED_AT, outcome="error"),
    )


@pytest.fixture
def dead_letters(engine: sa.Engine) -> DeadLetterStore:
    return DeadLetterStore(engine)


def test_a_dead_letter_is_filed_with_everything_needed_to_replay_it(
    dead_letters: DeadLetterStore, engine: sa.Engine
) -> None:
    dead_letter_id = _file(dead_letters, "k-1")
    assert dead_letter_id is not None
    record = dead_letters.get(dead_letter_id)
    assert record is not None
    assert (record.status, record.message_id, record.routing_key) == (
        WAITING,
        "m-1",
        "prisoner.released",
    )
    assert record.body == b"<release/>\x00\xff"
    assert record.attempts == ATTEMPTS
    assert record.headers["gatehouse-partner"] == "delius"
    assert record.dead_lettered_at == FAILED_AT
    assert [hop.hop for hop in Journal(engine).trace("m-1")] == [journal.DEAD_LETTERED]


def test_the_same_failure_filed_twice_is_stored_once(
    dead_letters: DeadLetterStore, engine: sa.Engine
) -> None:
    assert _file(dead_letters, "k-1") is not None
    assert _file(dead_letters, "k-1") is None
    assert dead_letters.count(WAITING) == 1
    assert len(Journal(engine).trace("m-1")) == 1


def test_dead_letters_are_listed_by_status_oldest_first_a_page_at_a_time(
    dead_letters: DeadLetterStore,
) -> None:
    ids = [_file(dead_letters, f"k-{n}", f"m-{n}") for n in range(5)]
    first_page = dead_letters.list(limit=2)
    assert [r.id for r in first_page] == ids[:2]
    assert [r.id for r in dead_letters.list(limit=10, after_id=first_page[-1].id)] == ids[2:]
    assert dead_letters.list(status=REPLAYED) == []


def test_replaying_marks_it_journals_it_and_audits_who_did_it(
    dead_letters: DeadLetterStore, engine: sa.Engine
) -> None:
    dead_letter_id = _file(dead_letters, "k-1")
    assert dead_letter_id is not None
    replayed = dead_letters.mark_replayed(dead_letter_id, "operator.jane")

    assert (replayed.status, replayed.actioned_by) == (REPLAYED, "operator.jane")
    assert replayed.actioned_at is not None
    assert dead_letters.count(WAITING) == 0 and dead_letters.count(REPLAYED) == 1
    hop = Journal(engine).trace("m-1")[-1]
    assert (hop.hop, hop.correlation_id, hop.partner) == (journal.REPLAYED, "c-1", "delius")
    with engine.connect() as connection:
        [entry] = audit_trail(connection, f"dead_letter:{dead_letter_id}")
    assert (entry.actor, entry.action) == ("operator.jane", "dead_letter.replayed")


def test_a_dead_letter_is_actioned_once_only(
    dead_letters: DeadLetterStore, engine: sa.Engine
) -> None:
    dead_letter_id = _file(dead_letters, "k-1")
    assert dead_letter_id is not None
    discarded = dead_letters.mark_discarded(dead_letter_id, "operator.jane")
    assert discarded.status == DISCARDED

    with pytest.raises(DeadLetterNotWaiting, match="is discarded already, not waiting"):
        dead_letters.mark_replayed(dead_letter_id, "operator.joe")
    with pytest.raises(UnknownDeadLetter):
        dead_letters.mark_discarded(dead_letter_id + 100, "operator.joe")
    assert dead_letters.get(dead_letter_id).actioned_by == "operator.jane"  # type: ignore[union-attr]
    with engine.connect() as connection:
        assert len(audit_trail(connection, f"dead_letter:{dead_letter_id}")) == 1
