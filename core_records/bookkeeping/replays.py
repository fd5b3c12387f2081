"""Replay runs in the store: which documents of an interface to send again, and how far a run
has got.

What a run sends is chosen from the journal and the outbox: the canonical events the
interface's live delivery journalled as ``delivered`` (in a time window, to one person, or
one event), in outbox order, which is each person's order. The outbox keeps every event
once published, so the events are there to re-render, or to look up the stored documents of.

A run is claimed with a lease (``owner``, ``lease_until``) and moves its ``cursor`` (the
outbox sequence of the last event handled) in the same transaction as the journal hops of
what it sent: a worker that dies mid-run leaves it to be resumed after the cursor once the
lease lapses, resending at most the documents of its last unfinished step.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

import sqlalchemy as sa

from core_records.bookkeeping import journal
from core_records.bookkeeping.audit import AuditEvent, write_audit
from core_records.bookkeeping.journal import Hop, write_hops
from core_records.bookkeeping.replay_tables import replay_run
from core_records.bookkeeping.tables import journal as journal_table
from core_records.events import CanonicalEvent
from core_records.store.database import READ_ONLY, store_errors
from core_records.store.outbox import OutboxEntry
from core_records.store.tables import outbox
from core_records.timestamps import utc_now

RERENDER = "rerender"
"""Render the canonical events again, under the partner's sharing policy as it is today."""
STORED = "stored"
"""Send the bytes the partner was sent at the time, as the message history stored them."""
MODES = (RERENDER, STORED)

PENDING, RUNNING, WAITING, DONE, FAILED = "pending", "running", "waiting", "done", "failed"
STATUSES = (PENDING, RUNNING, WAITING, DONE, FAILED)
"""``waiting``: the partner was unavailable; the run is taken up again later."""

RESENT = "resent"
"""The journal hop of a document sent again by a replay or resend, apart from ``delivered``
(live traffic) and ``replayed`` (a dead letter sent back to its queue)."""


@dataclass(frozen=True)
class ReplayWindow:
    """Which delivered documents of an adapter's outbound interface to send again: those
    delivered in [since, until), those of one person, or one event (a resend); the given
    fields all apply."""

    adapter: str
    since: datetime | None = None
    until: datetime | None = None
    person_key: str | None = None
    event_id: str | None = None

    def __post_init__(self) -> None:
        if not (self.since and self.until) and not self.person_key and not self.event_id:
            raise ValueError("a replay needs a window (since and until), a person or an event")
        if self.since and self.until and self.since >= self.until:
            raise ValueError("a replay window's since must come before its until")


@dataclass(frozen=True)
class ReplayRun:
    id: str
    adapter: str
    since: datetime | None
    until: datetime | None
    person_key: str | None
    event_id: str | None
    mode: str
    reason: str
    actor: str
    rate_per_s: float
    status: str
    selected: int
    sent: int
    filtered: int
    missing: int
    failed: int
    cursor: int
    owner: str | None
    lease_until: datetime | None
    created_at: datetime
    finished_at: datetime | None
    detail: str | None

    @property
    def window(self) -> ReplayWindow:
        return ReplayWindow(self.adapter, self.since, self.until, self.person_key, self.event_id)

    @property
    def subject(self) -> str:
        return f"replay:{self.id}"

    def as_dict(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Progress:
    """What one step of a run did: its new cursor, counts to add, and the hops of it."""

    cursor: int
    sent: int = 0
    filtered: int = 0
    missing: int = 0
    failed: int = 0
    hops: Sequence[Hop] = ()


class ReplayRuns:
    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine

    # --- choosing ----------------------------------------------------------------------------

    def count(self, window: ReplayWindow) -> dict[str, int]:
        """How many documents the window holds, by person (``""`` for events of nobody)."""
        chosen = _chosen(window)
        query = (
            sa.select(outbox.c.person_key, sa.func.count())
            .where(outbox.c.event_id.in_(chosen))
            .group_by(outbox.c.person_key)
        )
        with store_errors(), self._engine.connect() as connection:
            connection = connection.execution_options(**READ_ONLY)
            return {key or "": n for key, n in connection.execute(query)}

    def events(self, window: ReplayWindow, *, after: int, limit: int) -> list[OutboxEntry]:
        """The window's events after outbox sequence ``after``, in outbox order."""
        query = (
            sa.select(
                outbox.c.sequence,
                outbox.c.body,
                outbox.c.correlation_id,
                outbox.c.causation_id,
                outbox.c.created_at,
            )
            .where(outbox.c.event_id.in_(_chosen(window)), outbox.c.sequence > after)
            .order_by(outbox.c.sequence)
            .limit(limit)
        )
        with store_errors(), self._engine.connect() as connection:
            rows = list(connection.execution_options(**READ_ONLY).execute(query))
        return [
            OutboxEntry(
                sequence=row.sequence,
                event=CanonicalEvent.from_json(row.body.encode()),
                correlation_id=row.correlation_id,
                causation_id=row.causation_id,
                created_at=row.created_at,
            )
            for row in rows
        ]

    # --- runs ----------------------------------------------------------------------------------

    def start(
        self,
        window: ReplayWindow,
        *,
        mode: str,
        reason: str,
        actor: str,
        rate_per_s: float,
        owner: str | None = None,
        lease_s: float = 60.0,
    ) -> ReplayRun:
        """Record a run, audited, in one transaction: ``pending`` for a worker to take up,
        or, with ``owner``, already claimed by the caller (the CLI runs it there and then)."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        if not reason.strip():
            raise ValueError("a replay needs a reason")
        now = utc_now()
        selected = sum(self.count(window).values())
        run_id = uuid.uuid4().hex
        values = {
            "id": run_id, "adapter": window.adapter, "since": window.since,
            "until": window.until, "person_key": window.person_key, "event_id": window.event_id,
            "mode": mode, "reason": reason.strip(), "actor": actor, "rate_per_s": rate_per_s,
            "status": RUNNING if owner else PENDING, "selected": selected, "sent": 0,
            "filtered": 0, "missing": 0, "failed": 0, "cursor": 0, "owner": owner,
            "lease_until": now + timedelta(seconds=lease_s) if owner else None,
            "created_at": now, "finished_at": None, "detail": None,
        }  # fmt: skip
        with store_errors(), self._engine.begin() as connection:
            connection.execute(sa.insert(replay_run).values(**values))
            write_audit(
                connection,
                AuditEvent(now, actor, "interface.replay_started", f"replay:{run_id}",
                           _describe(window, mode, selected, reason)),
            )  # fmt: skip
        run = self.get(run_id)
        assert run is not None
        return run

    def get(self, run_id: str) -> ReplayRun | None:
        with store_errors(), self._engine.connect() as connection:
            row = connection.execute(
                sa.select(replay_run).where(replay_run.c.id == run_id)
            ).mappings().first()  # fmt: skip
        return ReplayRun(**row) if row else None

    def recent(self, adapter: str, limit: int = 20) -> list[ReplayRun]:
        """The adapter's runs, newest first."""
        query = (
            sa.select(replay_run)
            .where(replay_run.c.adapter == adapter)
            .order_by(replay_run.c.created_at.desc())
            .limit(limit)
        )
        with store_errors(), self._engine.connect() as connection:
            return [ReplayRun(**row) for row in connection.execute(query).mappings()]

    def claim(self, owner: str, lease_s: float, run_id: str | None = None) -> ReplayRun | None:
        """Take (or renew) a run to work on: ``run_id``, or the oldest that is pending, or
        running or waiting with its lease lapsed. None if there is none to take."""
        now = utc_now()
        c = replay_run.c
        free = sa.or_(c.owner == owner, c.lease_until.is_(None), c.lease_until <= now)
        takeable = sa.and_(c.status.in_((PENDING, RUNNING, WAITING)), free)
        with store_errors(), self._engine.begin() as connection:
            if run_id is None:
                run_id = connection.execute(
                    sa.select(c.id).where(takeable).order_by(c.created_at).limit(1)
                ).scalar()
                if run_id is None:
                    return None
            claimed = connection.execute(
                sa.update(replay_run)
                .where(c.id == run_id, takeable)
                .values(owner=owner, status=RUNNING, lease_until=now + timedelta(seconds=lease_s))
            )
        return self.get(run_id) if claimed.rowcount == 1 else None

    def advance(self, run: ReplayRun, progress: Progress, lease_s: float) -> ReplayRun:
        """Move the run on past ``progress.cursor``, add its counts and write its hops, in one
        transaction, renewing the lease."""
        c = replay_run.c
        with store_errors(), self._engine.begin() as connection:
            connection.execute(
                sa.update(replay_run)
                .where(c.id == run.id, c.owner == run.owner)
                .values(
                    cursor=progress.cursor,
                    sent=c.sent + progress.sent,
                    filtered=c.filtered + progress.filtered,
                    missing=c.missing + progress.missing,
                    failed=c.failed + progress.failed,
                    lease_until=utc_now() + timedelta(seconds=lease_s),
                )
            )
            write_hops(connection, progress.hops)
        moved = self.get(run.id)
        assert moved is not None
        return moved

    def pause(self, run: ReplayRun, detail: str, retry_in_s: float) -> None:
        """The partner is unavailable (or its interface paused): leave the run ``waiting``
        for ``retry_in_s``, to whichever worker takes it up then."""
        self._set(
            run, WAITING, detail, owner=None, lease_until=utc_now() + timedelta(seconds=retry_in_s)
        )

    def finish(self, run: ReplayRun, status: str = DONE, detail: str | None = None) -> ReplayRun:
        """Close the run, and audit what it did."""
        now = utc_now()
        with store_errors(), self._engine.begin() as connection:
            self._update(connection, run, status=status, detail=detail, finished_at=now,
                         owner=None, lease_until=None)  # fmt: skip
            done = connection.execute(
                sa.select(replay_run).where(replay_run.c.id == run.id)
            ).mappings().one()  # fmt: skip
            write_audit(
                connection,
                AuditEvent(now, run.actor, f"interface.replay_{status}", run.subject,
                           f"sent {done.sent} of {done.selected}, filtered {done.filtered},"
                           f" missing {done.missing}, failed {done.failed}"
                           + (f": {detail}" if detail else "")),
            )  # fmt: skip
        return ReplayRun(**done)

    def _set(self, run: ReplayRun, status: str, detail: str, **values: object) -> None:
        with store_errors(), self._engine.begin() as connection:
            self._update(connection, run, status=status, detail=detail, **values)

    @staticmethod
    def _update(connection: sa.Connection, run: ReplayRun, **values: object) -> None:
        c = replay_run.c
        connection.execute(
            sa.update(replay_run).where(c.id == run.id, c.owner == run.owner).values(**values)
        )


def resent_hop(run: ReplayRun, entry: OutboxEntry, recipients: Sequence[str], at: datetime) -> Hop:
    """The journal hop of one document a run sent again."""
    return Hop(
        message_id=entry.event.event_id,
        hop=RESENT,
        at=at,
        correlation_id=entry.correlation_id,
        causation_id=entry.causation_id,
        adapter=run.adapter,
        partner=",".join(recipients) or None,
        direction=journal.OUTBOUND,
        message_type=entry.event.event_type,
        person_key=entry.event.person_key,
        detail=f"replay {run.id} ({run.mode}) by {run.actor}: {run.reason}",
    )


def _chosen(window: ReplayWindow) -> sa.Select[tuple[str]]:
    """The ids of the events the window's live deliveries journalled."""
    j = journal_table.c
    conditions = [
        j.adapter == window.adapter,
        j.direction == journal.OUTBOUND,
        j.hop == journal.DELIVERED,
    ]
    if window.since is not None:
        conditions.append(j.at >= window.since)
    if window.until is not None:
        conditions.append(j.at < window.until)
    if window.person_key:
        conditions.append(j.person_key == window.person_key)
    if window.event_id:
        conditions.append(j.message_id == window.event_id)
    return sa.select(j.message_id).where(*conditions)


def _describe(window: ReplayWindow, mode: str, selected: int, reason: str) -> str:
    scope = [f"{window.adapter}.outbound"]
    if window.since and window.until:
        scope.append(
            f"delivered {window.since:%Y-%m-%d %H:%M:%S} to {window.until:%Y-%m-%d %H:%M:%S} UTC"
        )
    if window.person_key:
        scope.append(f"person {window.person_key}")
    if window.event_id:
        scope.append(f"event {window.event_id}")
    return f"{', '.join(scope)}; {selected} documents, {mode}; reason: {reason}"
