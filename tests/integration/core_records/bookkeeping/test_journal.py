"""The journal keeps a hop only if the work it records was kept."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from core_records.bookkeeping import journal
from core_records.bookkeeping.journal import Hop, Journal, write_hops

AT = datetime(2025, 3, 4, 12, 0, tzinfo=UTC)


def test_a_hop_written_in_a_transaction_that_rolls_back_is_not_kept(engine: sa.Engine) -> None:
    with pytest.raises(RuntimeError), engine.begin() as connection:
        write_hops(connection, [Hop(message_id="m-1", hop=journal.STORED, at=AT)])
        raise RuntimeError("the work failed")
    assert Journal(engine).trace("m-1") == []


def test_recorded_hops_read_back_whole(engine: sa.Engine) -> None:
    hop = Hop(
        message_id="m-1",
        hop=journal.RETRY_SCHEDULED,
        at=AT,
        outcome="retry",
        correlation_id="c-1",
        causation_id="m-0",
        adapter="delius",
        partner="delius",
        direction=journal.OUTBOUND,
        message_type="prisoner.released",
        person_key="A1234BC",
        detail="HTTP 503; next try in 10 s",
    )
    Journal(engine).record([hop])
    assert Journal(engine).trace("m-1") == [hop]
