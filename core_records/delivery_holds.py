"""Delivery holds: keeping each person's events in order while some wait to be retried.

When a delivery to a partner fails and the event goes to a delay tier, later events for the
same person must not overtake it. Every event waiting in a delay tier therefore has a hold
row (partner, person, outbox sequence); an event may be delivered only when no hold for its
person has a smaller sequence. A delivered or dead-lettered event lifts its own hold.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from core_records import journal
from core_records.journal import Hop, write_hops
from core_records.tables import delivery_hold
from core_records.tables import journal as journal_table


@dataclass(frozen=True)
class Hold:
    sequence: int
    person_key: str
    message_id: str


class DeliveryHolds:
    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine

    def blocked(self, partner: str, waiting: Iterable[tuple[str, int]]) -> set[int]:
        """The sequences among ``waiting`` (person, sequence) that an earlier hold blocks."""
        waiting = list(waiting)
        people = {person for person, _ in waiting}
        if not people:
            return set()
        query = (
            sa.select(delivery_hold.c.person_key, sa.func.min(delivery_hold.c.sequence))
            .where(delivery_hold.c.partner == partner, delivery_hold.c.person_key.in_(people))
            .group_by(delivery_hold.c.person_key)
        )
        with self._engine.connect() as connection:
            earliest = dict(connection.execute(query).all())
        return {seq for person, seq in waiting if person in earliest and earliest[person] < seq}

    def delivered_already(self, partner: str, event_ids: Sequence[str]) -> set[str]:
        """Events the journal shows as delivered to ``partner`` already (a redelivery after a
        crash, or an event the relay published twice)."""
        if not event_ids:
            return set()
        query = sa.select(journal_table.c.message_id).where(
            journal_table.c.message_id.in_(event_ids),
            journal_table.c.hop == journal.DELIVERED,
            journal_table.c.partner == partner,
        )
        with self._engine.connect() as connection:
            return set(connection.execute(query).scalars())

    def settle(
        self,
        partner: str,
        *,
        hold: Sequence[Hold],
        lift: Sequence[int],
        hops: Sequence[Hop],
    ) -> None:
        """In one transaction: place holds, lift holds by sequence, and journal the hops."""
        with self._engine.begin() as connection:
            if hold:
                now = datetime.now(UTC)
                rows = [
                    {
                        "partner": partner,
                        "person_key": h.person_key,
                        "sequence": h.sequence,
                        "message_id": h.message_id,
                        "parked_at": now,
                    }
                    for h in hold
                ]
                connection.execute(_insert_ignoring_duplicates(connection), rows)
            if lift:
                connection.execute(
                    sa.delete(delivery_hold).where(
                        delivery_hold.c.partner == partner, delivery_hold.c.sequence.in_(lift)
                    )
                )
            if hops:
                write_hops(connection, hops)

    def count(self, partner: str | None = None) -> int:
        query = sa.select(sa.func.count()).select_from(delivery_hold)
        if partner:
            query = query.where(delivery_hold.c.partner == partner)
        with self._engine.connect() as connection:
            return int(connection.execute(query).scalar_one())


def _insert_ignoring_duplicates(connection: sa.Connection) -> sa.Insert:
    if connection.dialect.name == "postgresql":
        return postgresql.insert(delivery_hold).on_conflict_do_nothing()
    return sqlite.insert(delivery_hold).on_conflict_do_nothing()
