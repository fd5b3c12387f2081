"""The health watch records each change of an interface's status once and announces it
once, however many worker processes run it."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial

import sqlalchemy as sa

from core_records.bookkeeping import journal
from core_records.bookkeeping.dead_letters import DeadLetterStore
from core_records.bookkeeping.journal import Hop
from core_records.store.record_store import RecordStore
from monitoring.activity import Activity
from monitoring.alerts import Alerter
from monitoring.health import Interface
from monitoring.health_history import HealthChange, HealthHistory
from monitoring.monitor import HealthWatch, InterfaceMonitor
from monitoring.sla import SlaRule, SlaRules

DELIUS = Interface("delius", "outbound")


class RecordingNotifier:
    """An in-memory twin of the webhook and email notifiers."""

    name = "recording"

    def __init__(self) -> None:
        self.announced: list[HealthChange] = []

    def notify(self, change: HealthChange) -> None:
        self.announced.append(change)


def _watch(engine: sa.Engine, owner: str, notifier: RecordingNotifier) -> HealthWatch:
    history = HealthHistory(engine)
    monitor = InterfaceMonitor(
        interfaces=[DELIUS],
        rules=SlaRules(SlaRule(silence_minutes=0, dead_letters_red=1), {}),
        activity=Activity(engine),
        history=history,
        queue_depth=lambda interface: 0,
    )
    store = RecordStore(engine)
    return HealthWatch(
        monitor,
        Alerter(history, [notifier]),
        claim_lease=partial(store.claim_lease, "health-monitor", owner, 60.0),
        release_lease=partial(store.release_lease, "health-monitor", owner),
    )


def _dead_letter(engine: sa.Engine) -> int:
    at = datetime.now(UTC)
    dead_letter_id = DeadLetterStore(engine).add(
        dedupe_key="k-1",
        message_id="e-1",
        origin_queue="gh.outbound.delius",
        routing_key="prisoner.released",
        reason="Delius refused it (400)",
        attempts=[],
        headers={},
        body=b"<x/>",
        content_type="application/xml",
        dead_lettered_at=at,
        hop=Hop("e-1", journal.DEAD_LETTERED, at, "error", adapter="delius", direction="outbound"),
    )
    assert dead_letter_id is not None
    return dead_letter_id


def test_two_watchers_announce_a_change_once_and_the_second_takes_over_when_the_first_stops(
    engine: sa.Engine,
) -> None:
    notifier = RecordingNotifier()
    first, second = _watch(engine, "a", notifier), _watch(engine, "b", notifier)
    for _ in range(3):
        first.run_once()
        second.run_once()
    assert notifier.announced == [], "starting green is not news"

    dead_letter_id = _dead_letter(engine)
    for _ in range(3):
        first.run_once()
        second.run_once()
    [red] = notifier.announced
    assert (red.status, red.previous_status, red.reason) == (
        "red",
        "green",
        "1 dead letter(s) waiting",
    )

    first.close()
    DeadLetterStore(engine).mark_discarded(dead_letter_id, "olu")
    assert second.run_once() == 1
    assert second.run_once() == 0
    assert [c.status for c in notifier.announced] == ["red", "green"]
    assert [c.status for c in HealthHistory(engine).changes(DELIUS)] == ["green", "red", "green"]
