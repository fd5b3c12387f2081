"""The soak's verdict: when the hub has settled, and what was lost, applied twice, delivered
out of order or twice, dead-lettered and held when it had."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa
from soak_clients import RECEPTION, RELEASE, Document, Tally

from adapters.delius.simulator import DeliusReceiver
from adapters.transports.partner_headers import CORRELATION_ID, event_id_of
from core_records import tables
from core_records.bookkeeping import journal
from core_records.identity.tables import identity_case
from gatehouse.bootstrap import Hub

DELIUS = "delius"


@dataclass(frozen=True)
class Settling:
    """What is still outstanding at one moment; settled when all are zero."""

    unsettled_messages: int
    unpublished_events: int
    undelivered_events: int
    queued: int
    holds: int

    @property
    def settled(self) -> bool:
        return not any(
            (self.unsettled_messages, self.unpublished_events, self.undelivered_events,
             self.queued, self.holds)
        )  # fmt: skip


def outcomes(hub: Hub, message_ids: list[str]) -> dict[str, str]:
    """Each settled message id to ``applied``, ``held`` or ``refused``."""
    found: dict[str, str] = {}
    journal_table = tables.journal
    with hub.engine.connect() as connection:
        for start in range(0, len(message_ids), 1000):
            chunk = message_ids[start : start + 1000]
            for message_id in connection.execute(
                sa.select(journal_table.c.message_id).where(
                    journal_table.c.message_id.in_(chunk),
                    journal_table.c.hop.in_([journal.REJECTED, journal.DEAD_LETTERED]),
                )
            ).scalars():
                found[message_id] = "refused"
            for message_id in connection.execute(
                sa.select(identity_case.c.message_id).where(identity_case.c.message_id.in_(chunk))
            ).scalars():
                found[message_id] = "held"
            for message_id in connection.execute(
                sa.select(tables.inbox.c.message_id).where(tables.inbox.c.message_id.in_(chunk))
            ).scalars():
                found[message_id] = "applied"
    return found


def settling(hub: Hub, tally: Tally) -> Settling:
    accepted = list(tally.accepted)
    settled = outcomes(hub, accepted)
    outbox, journal_table = tables.outbox, tables.journal
    delius_types = hub.registry.subscriptions().get(DELIUS, [])
    with hub.engine.connect() as connection:
        unpublished = connection.execute(
            sa.select(sa.func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
        ).scalar_one()
        owed = connection.execute(
            sa.select(sa.func.count())
            .select_from(outbox)
            .where(outbox.c.event_type.in_(delius_types))
        ).scalar_one()
        done = connection.execute(
            sa.select(sa.func.count(sa.distinct(journal_table.c.message_id))).where(
                journal_table.c.partner == DELIUS,
                journal_table.c.hop.in_(
                    [journal.DELIVERED, journal.FILTERED, journal.DEAD_LETTERED]
                ),
            )
        ).scalar_one()
        holds = connection.execute(
            sa.select(sa.func.count()).select_from(tables.delivery_hold)
        ).scalar_one()
    return Settling(
        len(accepted) - len(settled), int(unpublished), max(0, int(owed) - int(done)),
        queued(hub), int(holds),
    )  # fmt: skip


def queued(hub: Hub) -> int:
    """Messages in the queues the soak's workers serve (the other partners' queues are left
    to fill: only Delius is simulated)."""
    unserved = {
        hub.topology.outbound_queue(adapter)
        for adapter in hub.registry.subscriptions()
        if adapter != DELIUS
    }
    total = 0
    for work_queue in hub.topology.work_queues:
        if work_queue.name in unserved:
            continue
        total += hub.transport.queue_depth(work_queue.name)
        total += sum(hub.transport.queue_depth(w.name) for w in work_queue.wait_queues)
    return total


@dataclass
class Verdict:
    posted: int
    accepted: int
    outcomes: Counter[str]
    lost: list[str] = field(default_factory=list)
    applied_twice: list[str] = field(default_factory=list)
    out_of_order: list[str] = field(default_factory=list)
    duplicates_delivered: int = 0
    dead_letters: Counter[str] = field(default_factory=Counter)
    retry_caused: int = 0
    """Dead letters saying someone was, or was not, in custody: what a resend not
    recognised would cause."""
    holds_left: int = 0

    @property
    def failed(self) -> bool:
        return bool(self.lost or self.applied_twice or self.out_of_order)


def judge(hub: Hub, tally: Tally, posted: int, receiver: DeliusReceiver) -> Verdict:
    accepted = dict(tally.accepted)
    found = outcomes(hub, list(accepted))
    verdict = Verdict(posted, len(accepted), Counter(found.values()))
    verdict.lost = [m for m in accepted if m not in found]
    verdict.lost += [f"given up: {d.reference}" for d in tally.given_up]
    verdict.applied_twice = applied_twice(hub, tally)
    arrivals = delius_arrivals(receiver)
    verdict.lost += delivered_not_received(hub, {e for e, _ in arrivals})
    verdict.out_of_order = out_of_order(arrivals, accepted, found)
    verdict.duplicates_delivered = receiver.duplicates_dropped
    with hub.engine.connect() as connection:
        reasons = connection.execute(
            sa.select(tables.dead_letter.c.reason).where(tables.dead_letter.c.status == "waiting")
        ).scalars()
        verdict.dead_letters = Counter(reason[:100] for reason in reasons)
        verdict.holds_left = int(
            connection.execute(
                sa.select(sa.func.count()).select_from(tables.delivery_hold)
            ).scalar_one()
        )
    verdict.retry_caused = sum(
        count
        for reason, count in verdict.dead_letters.items()
        if "already in custody" in reason or "no one in custody" in reason
    )
    return verdict


def applied_twice(hub: Hub, tally: Tally) -> list[str]:
    """References accepted under two message ids, messages applied that no client was told
    of, and people with more than one reception movement."""
    twice = [f"{ref}: {sorted(ids)}" for ref, ids in tally.ids_by_reference.items() if len(ids) > 1]
    inbox, movement = tables.inbox, tables.movement
    with hub.engine.connect() as connection:
        applied = set(
            connection.execute(
                sa.select(inbox.c.message_id).where(inbox.c.adapter == "private_prisons")
            ).scalars()
        )
        twice += [f"applied, never answered: {m}" for m in sorted(applied - set(tally.accepted))]
        admitted = connection.execute(
            sa.select(movement.c.person_id, sa.func.count())
            .where(movement.c.movement_type == "ADM")
            .group_by(movement.c.person_id)
            .having(sa.func.count() > 1)
        ).all()
    twice += [f"person {person_id} admitted {count} times" for person_id, count in admitted]
    return twice


def delius_arrivals(receiver: DeliusReceiver) -> list[tuple[str, str]]:
    """(event id, correlation id) of each document Delius took, in arrival order."""
    wanted = CORRELATION_ID.lower()
    return [(event_id_of(d.headers) or "", d.headers.get(wanted, "")) for d in receiver.received]


def delivered_not_received(hub: Hub, received: set[str]) -> list[str]:
    """Events the journal says were delivered to Delius that Delius never took."""
    journal_table = tables.journal
    with hub.engine.connect() as connection:
        delivered = set(
            connection.execute(
                sa.select(journal_table.c.message_id).where(
                    journal_table.c.partner == DELIUS, journal_table.c.hop == journal.DELIVERED
                )
            ).scalars()
        )
    return [f"delivered, not received: {e}" for e in sorted(delivered - received)]


def out_of_order(
    arrivals: list[tuple[str, str]], accepted: dict[str, Document], found: dict[str, str]
) -> list[str]:
    """People whose release reached Delius before their reception (by first arrival), or
    whose applied release never came after an applied reception."""
    first: dict[str, int] = {}
    for index, (_event, correlation) in enumerate(arrivals):
        first.setdefault(correlation, index)
    wrong = []
    for message_id, document in accepted.items():
        if document.kind != RELEASE or found.get(message_id) != "applied":
            continue
        release = first.get(document.correlation)
        reception = first.get(f"soak:{document.person}:{RECEPTION}")
        if release is None or reception is None or release < reception:
            wrong.append(f"{document.person}: reception #{reception}, release #{release}")
    return wrong
