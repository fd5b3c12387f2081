"""Delivery holds: keeping each person's events in order while some wait to be retried.

When a delivery to a partner fails and the event goes to a delay tier, later events for the
same person must not overtake it. Every event waiting in a delay tier therefore has a hold
row (partner, person, outbox sequence); an event may be delivered only when no hold for its
person has a smaller sequence. A delivered or dead-lettered event lifts its own hold, in the
same transaction that journals the outcome.

A hold must never outlive the event it guards, or that person's deliveries stop for good.
Two copies of one event can be in flight at once (a broker restart hands a batch that one
consumer had delivered to another), and the copy a hold guards may be settled elsewhere. So
a hold is released when its event is settled by any copy: when an event would wait behind
it (``blocked``) and by a periodic sweep (``sweep``), both reading the journal; and the sweep
also releases a hold whose event has not come back for longer than any delay tier lasts (it
is no longer queued), each time saying why in the journal.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from core_records.bookkeeping import journal
from core_records.bookkeeping.journal import Hop, write_hops
from core_records.bookkeeping.message_history import Document, record_documents
from core_records.bookkeeping.tables import delivery_hold
from core_records.bookkeeping.tables import journal as journal_table
from core_records.timestamps import as_utc

SETTLED_HOPS = (journal.DELIVERED, journal.FILTERED)
"""Hops after which an event is done with, whichever copy of it got there."""


@dataclass(frozen=True)
class Hold:
    sequence: int
    person_key: str
    message_id: str
    parked_at: datetime | None = None
    """When the hold was placed (set when read from the store)."""


@dataclass(frozen=True)
class HeldDelivery:
    """A hold as a service manager sees it: whose events wait, behind which, since when."""

    partner: str
    person_key: str
    message_id: str
    """The event the person's later events wait behind."""
    sequence: int
    parked_at: datetime
    seen_at: datetime
    """When that event last came back and had to wait again."""


@dataclass(frozen=True)
class Released:
    """A hold released because its event was settled elsewhere, or is no longer queued."""

    hold: Hold
    reason: str


class DeliveryHolds:
    def __init__(self, engine: sa.Engine, *, keep_documents: bool = True) -> None:
        self._engine = engine
        self._keep_documents = keep_documents
        """Whether ``settle`` keeps the documents it is given (``GATEHOUSE_KEEP_DOCUMENTS``)."""

    def before_delivering(
        self, partner: str, event_ids: Sequence[str], people: Iterable[str | None]
    ) -> tuple[set[str], dict[str, list[Hold]]]:
        """``delivered_already`` and ``holds_for`` together, in one transaction: a delivery
        batch's two reads for one connection checkout and one commit, not two of each."""
        with self._engine.begin() as connection:
            already = _delivered_already(connection, partner, event_ids)
            return already, _holds_for(connection, partner, {p for p in people if p})

    def holds_for(self, partner: str, people: Iterable[str]) -> dict[str, list[Hold]]:
        """Each person's holds, in sequence order: an event of theirs may go out only once
        every hold with a smaller sequence is lifted. Holds whose events the journal shows
        as settled are released first, so nothing waits behind an event that is done with."""
        with self._engine.begin() as connection:
            return _holds_for(connection, partner, set(people))

    def delivered_already(self, partner: str, event_ids: Sequence[str]) -> set[str]:
        """Events the journal shows as delivered to ``partner`` already (a redelivery after a
        crash, or an event the relay published twice)."""
        with self._engine.connect() as connection:
            return _delivered_already(connection, partner, event_ids)

    def settle(
        self,
        partner: str,
        *,
        hold: Sequence[Hold],
        lift: Sequence[int],
        hops: Sequence[Hop],
        hops_if_new: dict[int, Hop] | None = None,
        documents: Sequence[Document] = (),
    ) -> set[int]:
        """In one transaction: place holds (or mark them seen again), lift holds by sequence,
        and journal the hops, with ``hops_if_new[sequence]`` for each hold placed anew (so
        an event cycling through a delay tier behind another is journalled once). Returns
        the sequences whose holds are new. ``documents`` (what was delivered, or failed for
        good) go into the message history in the same transaction."""
        placed: set[int] = set()
        with self._engine.begin() as connection:
            now = datetime.now(UTC)
            if hold:
                sequences = [h.sequence for h in hold]
                existing = set(
                    connection.execute(
                        sa.select(delivery_hold.c.sequence).where(
                            delivery_hold.c.partner == partner,
                            delivery_hold.c.sequence.in_(sequences),
                        )
                    ).scalars()
                )
                if existing:
                    connection.execute(
                        sa.update(delivery_hold)
                        .where(
                            delivery_hold.c.partner == partner,
                            delivery_hold.c.sequence.in_(existing),
                        )
                        .values(seen_at=now)
                    )
                rows = [
                    {
                        "partner": partner,
                        "person_key": h.person_key,
                        "sequence": h.sequence,
                        "message_id": h.message_id,
                        "parked_at": now,
                        "seen_at": now,
                    }
                    for h in hold
                    if h.sequence not in existing
                ]
                if rows:
                    connection.execute(_insert_ignoring_duplicates(connection), rows)
                    placed = {row["sequence"] for row in rows}
            if lift:
                connection.execute(
                    sa.delete(delivery_hold).where(
                        delivery_hold.c.partner == partner, delivery_hold.c.sequence.in_(lift)
                    )
                )
            first_time = [hop for seq, hop in (hops_if_new or {}).items() if seq in placed]
            if hops or first_time:
                write_hops(connection, [*hops, *first_time])
            if self._keep_documents:
                record_documents(connection, documents)
        return placed

    def sweep(self, partner: str, *, not_seen_for: timedelta | None) -> list[Released]:
        """Release the partner's holds whose events are settled, and (with ``not_seen_for``)
        those whose events have not come back for that long, journalling each release."""
        with self._engine.begin() as connection:
            holds = _holds(connection, partner)
            released = _release_settled(connection, partner, holds)
            if not_seen_for is not None:
                released += _release_unseen(connection, partner, not_seen_for, released)
        return released

    def waiting(self, partner: str, limit: int = 200) -> list[HeldDelivery]:
        """The partner's holds, oldest first: what waits, behind what, and since when."""
        query = (
            sa.select(delivery_hold)
            .where(delivery_hold.c.partner == partner)
            .order_by(delivery_hold.c.parked_at, delivery_hold.c.sequence)
            .limit(limit)
        )
        with self._engine.connect() as connection:
            return [
                HeldDelivery(
                    row.partner,
                    row.person_key,
                    row.message_id,
                    row.sequence,
                    as_utc(row.parked_at),
                    as_utc(row.seen_at),
                )
                for row in connection.execute(query).all()
            ]

    def count(self, partner: str | None = None) -> int:
        query = sa.select(sa.func.count()).select_from(delivery_hold)
        if partner:
            query = query.where(delivery_hold.c.partner == partner)
        with self._engine.connect() as connection:
            return int(connection.execute(query).scalar_one())


def _hold(row: sa.Row) -> Hold:
    return Hold(row.sequence, row.person_key, row.message_id, as_utc(row.parked_at))


def _holds_for(connection: sa.Connection, partner: str, people: set[str]) -> dict[str, list[Hold]]:
    if not people:
        return {}
    holds = _holds(connection, partner, delivery_hold.c.person_key.in_(people))
    gone = {r.hold.sequence for r in _release_settled(connection, partner, holds)}
    by_person: dict[str, list[Hold]] = {}
    for hold in sorted(holds, key=lambda h: h.sequence):
        if hold.sequence not in gone:
            by_person.setdefault(hold.person_key, []).append(hold)
    return by_person


def _delivered_already(
    connection: sa.Connection, partner: str, event_ids: Sequence[str]
) -> set[str]:
    if not event_ids:
        return set()
    query = sa.select(journal_table.c.message_id).where(
        journal_table.c.message_id.in_(event_ids),
        journal_table.c.hop == journal.DELIVERED,
        journal_table.c.adapter == partner,
    )
    return set(connection.execute(query).scalars())


def _holds(connection: sa.Connection, partner: str, *where: sa.ColumnElement[bool]) -> list[Hold]:
    query = sa.select(delivery_hold).where(delivery_hold.c.partner == partner, *where)
    return [_hold(row) for row in connection.execute(query).all()]


def _release_settled(
    connection: sa.Connection, partner: str, holds: Sequence[Hold]
) -> list[Released]:
    """Release the holds whose events the journal shows delivered, filtered or
    dead-lettered (and not replayed since) for this partner."""
    if not holds:
        return []
    ids = {h.message_id for h in holds}
    rows = connection.execute(
        sa.select(journal_table.c.message_id, journal_table.c.hop)
        .where(
            journal_table.c.message_id.in_(ids),
            journal_table.c.adapter == partner,
            journal_table.c.hop.in_((*SETTLED_HOPS, journal.DEAD_LETTERED, journal.REPLAYED)),
        )
        .order_by(journal_table.c.id)
    ).all()
    last: dict[str, str] = {}
    for message_id, hop in rows:
        if last.get(message_id) not in SETTLED_HOPS:
            last[message_id] = hop
    settled = {m for m, hop in last.items() if hop in (*SETTLED_HOPS, journal.DEAD_LETTERED)}
    released = [
        Released(h, f"its event was {_settled_as(last[h.message_id])} already")
        for h in holds
        if h.message_id in settled
    ]
    _delete_and_journal(connection, partner, released)
    return released


def _settled_as(hop: str) -> str:
    return {journal.DEAD_LETTERED: "dead-lettered"}.get(hop, hop)


def _release_unseen(
    connection: sa.Connection, partner: str, not_seen_for: timedelta, done: Sequence[Released]
) -> list[Released]:
    cutoff = datetime.now(UTC) - not_seen_for
    skip = {r.hold.sequence for r in done}
    stale = [
        h
        for h in _holds(connection, partner, delivery_hold.c.seen_at < cutoff)
        if h.sequence not in skip
    ]
    minutes = not_seen_for.total_seconds() / 60
    reason = f"its event has not come back for {minutes:.0f} minutes: it is no longer queued"
    released = [Released(h, reason) for h in stale]
    _delete_and_journal(connection, partner, released)
    return released


def _delete_and_journal(
    connection: sa.Connection, partner: str, released: Sequence[Released]
) -> None:
    if not released:
        return
    connection.execute(
        sa.delete(delivery_hold).where(
            delivery_hold.c.partner == partner,
            delivery_hold.c.sequence.in_([r.hold.sequence for r in released]),
        )
    )
    now = datetime.now(UTC)
    write_hops(
        connection,
        [
            Hop(
                message_id=r.hold.message_id,
                hop=journal.HOLD_RELEASED,
                at=now,
                outcome="ok",
                adapter=partner,
                partner=partner,
                direction=journal.OUTBOUND,
                person_key=r.hold.person_key,
                detail=f"hold released: {r.reason}",
            )
            for r in released
        ],
    )


def _insert_ignoring_duplicates(connection: sa.Connection) -> sa.Insert:
    if connection.dialect.name == "postgresql":
        return postgresql.insert(delivery_hold).on_conflict_do_nothing()
    return sqlite.insert(delivery_hold).on_conflict_do_nothing()
