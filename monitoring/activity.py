"""What the journal and the dead-letter store say about each interface: its vital signs now,
and its throughput, failures and latency over a period.

An interface is an adapter in one direction. Its *steps* are the hops that end a piece of
work: for inbound, a message stored, found duplicate, rejected or retried; for outbound, an
event delivered, filtered, retried or dead-lettered. A step's latency is the time from the
partner's message being received at the edge to the step, found through its correlation id.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa

from core_records.bookkeeping import journal as hops
from core_records.bookkeeping.interface_control import InterfaceControl
from core_records.store.database import READ_ONLY, store_errors
from core_records.tables import dead_letter, delivery_hold
from core_records.tables import journal as journal_table
from core_records.timestamps import as_utc
from monitoring.health import Interface, VitalSigns
from monitoring.sla import SlaRules

STEP_HOPS = {
    hops.INBOUND: (hops.STORED, hops.DUPLICATE, hops.REJECTED, hops.RETRY_SCHEDULED),
    hops.OUTBOUND: (hops.DELIVERED, hops.FILTERED, hops.RETRY_SCHEDULED, hops.DEAD_LETTERED),
}
FAILED_OUTCOMES = ("error", "retry")
# Where a message's work on an interface starts, and the hops that finish it.
START_HOP = {hops.INBOUND: hops.RECEIVED, hops.OUTBOUND: hops.EVENT_PUBLISHED}
FINISH_HOPS = {
    hops.INBOUND: (hops.STORED, hops.DUPLICATE, hops.REJECTED, hops.DEAD_LETTERED),
    hops.OUTBOUND: (hops.DELIVERED, hops.FILTERED, hops.DEAD_LETTERED),
}


class Activity:
    """Reads the journal on behalf of the dashboard, the health monitor and /metrics."""

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine

    def vital_signs(
        self,
        interfaces: Iterable[Interface],
        rules: SlaRules,
        now: datetime,
        queue_depth: Callable[[Interface], int | None],
        event_types: Mapping[str, Sequence[str]] | None = None,
    ) -> list[VitalSigns]:
        """``event_types`` names the events each outbound adapter subscribes to."""
        interfaces = list(interfaces)
        waiting = self.dead_letters_waiting()
        holds = self.oldest_holds()
        pauses = InterfaceControl(self._engine).pauses()
        signs = []
        with store_errors(), self._engine.connect() as connection:
            connection = connection.execution_options(**READ_ONLY)
            for interface in interfaces:
                rule = rules.rule_for(interface.adapter, interface.direction)
                since = now - timedelta(minutes=rule.error_window_minutes)
                total, failing = _window(connection, interface, since)
                lookback = timedelta(minutes=3 * rule.oldest_message_minutes_red)
                oldest = _oldest_unfinished(
                    connection,
                    interface,
                    now - lookback,
                    (event_types or {}).get(interface.adapter, ()),
                )
                retried_at, delivered_at = (
                    _latest_retry_and_delivery(connection, interface, since)
                    if interface.direction == hops.OUTBOUND
                    else (None, None)
                )
                signs.append(
                    VitalSigns(
                        interface=interface,
                        last_message_at=_last_message_at(connection, interface),
                        messages_in_window=total,
                        failing_in_window=failing,
                        dead_letters_waiting=waiting.get(interface, 0),
                        queue_depth=queue_depth(interface),
                        oldest_unfinished_at=oldest,
                        oldest_hold_at=holds.get(interface.adapter)
                        if interface.direction == hops.OUTBOUND
                        else None,
                        paused=pauses.get(interface.key),
                        last_retry_at=retried_at,
                        last_delivered_at=delivered_at,
                    )
                )
        return signs

    def dead_letters_waiting(self) -> dict[Interface, int]:
        """Waiting dead letters by the interface they failed on (few: they wait for people)."""
        query = sa.select(dead_letter.c.origin_queue, dead_letter.c.headers).where(
            dead_letter.c.status == "waiting"
        )
        counts: dict[Interface, int] = defaultdict(int)
        with store_errors(), self._engine.connect() as connection:
            for origin, headers in connection.execute(query):
                counts[interface_of_queue(origin, json.loads(headers))] += 1
        return dict(counts)

    def oldest_holds(self) -> dict[str, datetime]:
        """When each outbound adapter's oldest delivery hold was placed."""
        query = sa.select(delivery_hold.c.partner, sa.func.min(delivery_hold.c.parked_at)).group_by(
            delivery_hold.c.partner
        )
        with store_errors(), self._engine.connect() as connection:
            return {partner: as_utc(at) for partner, at in connection.execute(query).all()}

    def last_message_times(self, interfaces: Iterable[Interface]) -> dict[Interface, datetime]:
        with store_errors(), self._engine.connect() as connection:
            connection = connection.execution_options(**READ_ONLY)
            found = {i: _last_message_at(connection, i) for i in interfaces}
        return {i: at for i, at in found.items() if at is not None}

    def step_totals(
        self, after_id: int = 0, settled_before: datetime | None = None
    ) -> tuple[dict[tuple[Interface, str, str], int], int]:
        """Steps journalled after row ``after_id``, by interface, hop and outcome, and the
        row id counted up to: pass it back next time to count only what is new.

        Rows younger than ``settled_before`` are left for next time: a transaction still
        open may yet commit a row with a lower id than one already visible.
        """
        j = journal_table
        with store_errors(), self._engine.connect() as connection:
            connection = connection.execution_options(**READ_ONLY)
            # The highest id among settled rows, not the id of the newest settled row: a hop's
            # time is taken before its transaction commits, so under load a row can carry an
            # earlier time than one with a lower id, and must still be counted.
            high = sa.select(sa.func.max(j.c.id))
            if settled_before is not None:
                high = high.where(j.c.at < settled_before)
            up_to = connection.execute(high).scalar()
            if up_to is None or up_to <= after_id:
                return {}, after_id
            query = (
                sa.select(j.c.adapter, j.c.direction, j.c.hop, j.c.outcome, sa.func.count())
                .where(j.c.id > after_id, j.c.id <= up_to)
                .where(j.c.direction.in_(tuple(STEP_HOPS)), j.c.adapter.is_not(None))
                .group_by(j.c.adapter, j.c.direction, j.c.hop, j.c.outcome)
            )
            totals = {
                (Interface(adapter, direction), hop, outcome): count
                for adapter, direction, hop, outcome, count in connection.execute(query)
                if hop in STEP_HOPS[direction]
            }
        return totals, up_to


def interface_of_queue(origin_queue: str, headers: dict[str, str]) -> Interface:
    """The interface a dead letter failed on, from the work queue it came from."""
    _, outbound, adapter = origin_queue.rpartition(".outbound.")
    if outbound:
        return Interface(adapter, hops.OUTBOUND)
    return Interface(headers.get("gatehouse-adapter") or "unknown", hops.INBOUND)


def _of(interface: Interface) -> list[sa.ColumnElement[bool]]:
    return [
        journal_table.c.adapter == interface.adapter,
        journal_table.c.direction == interface.direction,
    ]


def _last_message_at(connection: sa.Connection, interface: Interface) -> datetime | None:
    at = connection.execute(sa.select(sa.func.max(journal_table.c.at)).where(*_of(interface)))
    value = at.scalar()
    return as_utc(value) if value is not None else None


def _latest_retry_and_delivery(
    connection: sa.Connection, interface: Interface, since: datetime
) -> tuple[datetime | None, datetime | None]:
    """The latest retry scheduled and the latest delivery on the interface since ``since``."""
    j = journal_table
    rows = connection.execute(
        sa.select(j.c.hop, sa.func.max(j.c.at))
        .where(*_of(interface), j.c.at >= since)
        .where(j.c.hop.in_((hops.RETRY_SCHEDULED, hops.DELIVERED)))
        .group_by(j.c.hop)
    )
    latest = {hop: as_utc(at) for hop, at in rows if at is not None}
    return latest.get(hops.RETRY_SCHEDULED), latest.get(hops.DELIVERED)


def _oldest_unfinished(
    connection: sa.Connection, interface: Interface, since: datetime, event_types: Sequence[str]
) -> datetime | None:
    """When the oldest message started on the interface since ``since`` and not finished
    was started; None when every one has finished."""
    started = journal_table.alias("started")
    finished = journal_table.alias("finished")
    done = sa.exists().where(
        finished.c.message_id == started.c.message_id,
        finished.c.hop.in_(FINISH_HOPS[interface.direction]),
    )
    query = sa.select(sa.func.min(started.c.at)).where(
        started.c.hop == START_HOP[interface.direction], started.c.at >= since
    )
    if interface.direction == hops.INBOUND:
        query = query.where(started.c.adapter == interface.adapter)
    else:
        if not event_types:
            return None
        query = query.where(started.c.message_type.in_(event_types))
        done = done.where(finished.c.adapter == interface.adapter)
    value = connection.execute(query.where(~done)).scalar()
    return as_utc(value) if value is not None else None


def _window(connection: sa.Connection, interface: Interface, since: datetime) -> tuple[int, int]:
    """Messages with a step since ``since``, and how many of them failed at their latest."""
    j = journal_table
    rows = connection.execute(
        sa.select(j.c.message_id, j.c.outcome)
        .where(*_of(interface), j.c.at >= since)
        .where(j.c.hop.in_(STEP_HOPS[interface.direction]))
        .order_by(j.c.id)
    )
    latest: dict[str, str] = {}
    for message_id, outcome in rows:
        latest[message_id] = outcome
    failing = sum(1 for outcome in latest.values() if outcome in FAILED_OUTCOMES)
    return len(latest), failing
