"""What the journal says about an interface: which messages are failing at their latest
step, and the oldest one started and not finished."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from core_records.bookkeeping import journal
from core_records.bookkeeping.journal import Hop, Journal
from monitoring.activity import Activity
from monitoring.health import Interface
from monitoring.sla import SlaRule, SlaRules

NOW = datetime.now(UTC)
PRIVATE_PRISONS = Interface("private_prisons", "inbound")
DELIUS = Interface("delius", "outbound")


def _in(message_id: str, hop: str, minutes_ago: float, outcome: str = "ok") -> Hop:
    return Hop(
        message_id, hop, NOW - timedelta(minutes=minutes_ago), outcome,
        correlation_id=message_id, adapter="private_prisons", direction="inbound",
    )  # fmt: skip


def _out(event_id: str, hop: str, minutes_ago: float, event_type: str, outcome: str = "ok") -> Hop:
    published = hop == journal.EVENT_PUBLISHED
    return Hop(
        event_id, hop, NOW - timedelta(minutes=minutes_ago), outcome, message_type=event_type,
        adapter=None if published else "delius",
        direction="internal" if published else "outbound",
    )  # fmt: skip


def _signs(engine: sa.Engine) -> dict[Interface, object]:
    signs = Activity(engine).vital_signs(
        [PRIVATE_PRISONS, DELIUS],
        SlaRules(SlaRule(), {}),
        NOW,
        lambda interface: None,
        {"delius": ("prisoner.received", "prisoner.released")},
    )
    return {s.interface: s for s in signs}


def test_the_oldest_unfinished_message_of_each_direction_is_found(engine: sa.Engine) -> None:
    Journal(engine).record(
        [
            _in("m-1", journal.RECEIVED, 10),
            _in("m-1", journal.STORED, 9.9),
            _in("m-2", journal.RECEIVED, 12),  # never stored: the oldest unfinished
            _in("m-3", journal.RECEIVED, 200),  # older than the rule looks back
            _out("e-1", journal.EVENT_PUBLISHED, 20, "prisoner.released"),  # never delivered
            _out("e-2", journal.EVENT_PUBLISHED, 30, "prisoner.received"),
            _out("e-2", journal.DELIVERED, 29, "prisoner.received"),
            _out("e-3", journal.EVENT_PUBLISHED, 40, "prisoner.transferred"),  # not Delius's
        ]
    )
    signs = _signs(engine)
    assert signs[PRIVATE_PRISONS].oldest_unfinished_at == NOW - timedelta(minutes=12)  # type: ignore[attr-defined]
    assert signs[DELIUS].oldest_unfinished_at == NOW - timedelta(minutes=20)  # type: ignore[attr-defined]


def test_a_message_that_failed_and_then_succeeded_is_not_failing(engine: sa.Engine) -> None:
    Journal(engine).record(
        [
            _out("e-1", journal.RETRY_SCHEDULED, 5, "prisoner.released", "retry"),
            _out("e-1", journal.DELIVERED, 4, "prisoner.released"),
            _out("e-2", journal.RETRY_SCHEDULED, 3, "prisoner.released", "retry"),
            _out("e-3", journal.DELIVERED, 3, "prisoner.released"),
            _out("e-4", journal.DELIVERED, 60, "prisoner.released"),  # outside the window
        ]
    )
    delius = _signs(engine)[DELIUS]
    assert (delius.messages_in_window, delius.failing_in_window) == (3, 1)  # type: ignore[attr-defined]


def test_steps_are_counted_once_each_topping_up_from_where_the_last_count_stopped(
    engine: sa.Engine,
) -> None:
    activity = Activity(engine)
    Journal(engine).record(
        [_in("m-1", journal.STORED, 5), _in("m-2", journal.REJECTED, 4, "error")]
    )
    first, up_to = activity.step_totals()
    assert first == {
        (PRIVATE_PRISONS, journal.STORED, "ok"): 1,
        (PRIVATE_PRISONS, journal.REJECTED, "error"): 1,
    }
    Journal(engine).record([_in("m-3", journal.STORED, 1), _in("m-4", journal.RECEIVED, 1)])
    assert activity.step_totals(up_to, settled_before=NOW - timedelta(minutes=2)) == ({}, up_to)
    more, newer = activity.step_totals(up_to)
    assert more == {(PRIVATE_PRISONS, journal.STORED, "ok"): 1} and newer > up_to
    assert activity.step_totals(newer) == ({}, newer)


def test_a_step_journalled_with_an_earlier_time_than_the_row_before_it_is_still_counted(
    engine: sa.Engine,
) -> None:
    # Under load a hop's time, taken before its transaction commits, can be earlier than
    # that of a row with a lower id: both are settled, so both are counted.
    Journal(engine).record([_in("m-1", journal.STORED, 3)])
    Journal(engine).record([_in("m-2", journal.REJECTED, 4, "error")])

    totals, _ = Activity(engine).step_totals(settled_before=NOW - timedelta(minutes=2))

    assert totals == {
        (PRIVATE_PRISONS, journal.STORED, "ok"): 1,
        (PRIVATE_PRISONS, journal.REJECTED, "error"): 1,
    }
