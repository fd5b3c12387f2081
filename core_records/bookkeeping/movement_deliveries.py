"""How long each movement took to reach each partner, summed up from the journal as it grows.

A movement message's time to a partner runs from its ``stored`` hop (the record changed) to
the first ``delivered`` hop, on that partner's outbound interface, of an event it caused (the
hop's ``causation_id`` is the movement message's id). Joining those across a journal of
millions of hops for every page view would cost seconds, so ``MovementDeliveries.catch_up``
reads the delivered hops added since it last ran and keeps one ``movement_delivery`` row per
movement message and interface; the business page reads that table by the movement's time.

Journal ids are taken when a hop is inserted, not when its transaction commits, so a hop
with a lower id can appear after a higher one has been read. Each run therefore reads again
from ``safe_id``: the highest id a run read at least ``settle`` ago, by which time every
transaction that took a lower id has ended. Reading a hop twice changes nothing (a row keeps
the earliest delivery), so any number of workers may run it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from core_records.bookkeeping import journal as hops
from core_records.bookkeeping.mi_tables import movement_delivery, summary_watermark
from core_records.bookkeeping.tables import journal
from core_records.custody.tables import movement
from core_records.store.database import store_errors
from core_records.timestamps import utc_now

log = logging.getLogger(__name__)

WATERMARK = "movement_delivery"
BATCH = 5_000
"""Delivered hops read in one transaction."""
COUNTED = {("ADM", "IN"), ("TRN", "IN"), ("TRN", "OUT"), ("REL", "OUT")}


class MovementDeliveries:
    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine

    def catch_up(
        self, *, settle: timedelta = timedelta(minutes=1), now: datetime | None = None
    ) -> int:
        """Read the delivered hops after the safe watermark into the summary; the number of
        (movement message, interface) rows written. ``now`` is when the reading starts."""
        now = now or utc_now()
        with store_errors(), self._engine.connect() as connection:
            mark = connection.execute(
                sa.select(summary_watermark).where(summary_watermark.c.name == WATERMARK)
            ).first()
        safe_id, seen_id = (mark.safe_id, mark.seen_id) if mark else (0, 0)
        cursor, written = safe_id, 0
        while True:
            with store_errors(), self._engine.begin() as connection:
                last, rows = self._read_batch(connection, cursor)
            if last is None:
                break
            cursor, written = last, written + rows
        if mark is not None and now - mark.seen_at < settle:
            return written  # the last read is not yet safe; read from the same place next time
        # Everything up to the last read's highest id had committed before this read began,
        # so this read had it all: that is the new safe place.
        values = {"safe_id": seen_id, "seen_id": max(cursor, seen_id), "seen_at": now}
        with store_errors(), self._engine.begin() as connection:
            if mark is None:
                connection.execute(sa.insert(summary_watermark).values(name=WATERMARK, **values))
            else:
                connection.execute(
                    sa.update(summary_watermark)
                    .where(summary_watermark.c.name == WATERMARK)
                    .values(**values)
                )
        return written

    def rebuild(self) -> int:
        """Forget the summary and read the whole journal again (after a fault, or to check)."""
        with store_errors(), self._engine.begin() as connection:
            connection.execute(sa.delete(movement_delivery))
            connection.execute(
                sa.delete(summary_watermark).where(summary_watermark.c.name == WATERMARK)
            )
        return self.catch_up(settle=timedelta(0))

    def _read_batch(self, connection: sa.Connection, after_id: int) -> tuple[int | None, int]:
        """Summarise up to ``BATCH`` delivered hops after ``after_id``: the last id read
        (None when there were none) and the rows written."""
        j = journal.c
        delivered = connection.execute(
            sa.select(j.id, j.causation_id, j.adapter, j.at)
            .where(j.id > after_id, j.hop == hops.DELIVERED, j.outcome == "ok")
            .order_by(j.id)
            .limit(BATCH)
        ).all()
        if not delivered:
            return None, 0
        causes = sorted({d.causation_id for d in delivered if d.causation_id and d.adapter})
        moves = _movements_of(connection, causes)
        stored = _stored_at(connection, sorted(moves))
        first: dict[tuple[str, str], datetime] = {}
        for d in delivered:
            key = (d.causation_id, d.adapter)
            if d.causation_id in stored and (key not in first or d.at < first[key]):
                first[key] = d.at
        rows = [
            {"message_id": message, "adapter": adapter, "delivered_at": at,
             "stored_at": stored[message],
             "seconds": max((at - stored[message]).total_seconds(), 0.0), **moves[message]}
            for (message, adapter), at in first.items()
        ]  # fmt: skip
        if rows:
            connection.execute(_upsert(connection), rows)
        return delivered[-1].id, len(rows)


@dataclass
class MovementDeliveryWatch:
    """A worker loop: every ``backoff_s`` seconds, bring the summary up to date."""

    deliveries: MovementDeliveries
    backoff_s: float = 60.0
    name: str = "movement-deliveries"

    def run_once(self) -> int:
        written = self.deliveries.catch_up()
        if written:
            log.info("summarised %d movement deliveries", written)
        return written

    def close(self) -> None:
        pass


def _movements_of(connection: sa.Connection, messages: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Of these messages, the movement messages: when, and the prisons in and out."""
    found: dict[str, dict[str, Any]] = defaultdict(dict)
    messages = list(messages)
    for start in range(0, len(messages), 500):
        rows = connection.execute(
            sa.select(
                movement.c.message_id, movement.c.movement_type, movement.c.direction,
                movement.c.from_agency, movement.c.to_agency, movement.c.occurred_at,
            ).where(movement.c.message_id.in_(messages[start : start + 500]))
        )  # fmt: skip
        for row in rows:
            if (row.movement_type, row.direction) not in COUNTED:
                continue
            found[row.message_id]["occurred_at"] = row.occurred_at
            if row.direction == "IN":
                found[row.message_id]["prison_in"] = row.to_agency
            else:
                found[row.message_id]["prison_out"] = row.from_agency
    return {m: {"prison_in": None, "prison_out": None, **v} for m, v in found.items()}


def _stored_at(connection: sa.Connection, messages: list[str]) -> dict[str, datetime]:
    stored: dict[str, datetime] = {}
    for start in range(0, len(messages), 500):
        rows = connection.execute(
            sa.select(journal.c.message_id, sa.func.min(journal.c.at))
            .where(
                journal.c.message_id.in_(messages[start : start + 500]),
                journal.c.hop == hops.STORED,
            )
            .group_by(journal.c.message_id)
        )
        stored.update({message: at for message, at in rows})
    return stored


def _upsert(connection: sa.Connection) -> sa.Insert:
    """Insert a row, or keep the earlier delivery of the one already there."""
    if connection.dialect.name == "postgresql":
        insert = postgresql.insert(movement_delivery)
        earliest = sa.func.least
    else:
        insert = sqlite.insert(movement_delivery)  # type: ignore[assignment]
        earliest = sa.func.min  # SQLite's min of two values
    return insert.on_conflict_do_update(
        index_elements=[movement_delivery.c.message_id, movement_delivery.c.adapter],
        set_={
            "delivered_at": earliest(
                movement_delivery.c.delivered_at, insert.excluded.delivered_at
            ),
            "seconds": earliest(movement_delivery.c.seconds, insert.excluded.seconds),
        },
    )
