"""What every partner is owed by a pipeline benchmark run, and whether it got it.

A partner is owed every event in the outbox of a type its adapter subscribes to, less those
its sharing policy filtered (the journal says so). A run is over when every receiver holds
what its adapter is owed and the hub has settled every message: those the benchmark
published, and every answer PNC and the security application sent back. Settled is applied,
or held for identity review: a reception that may be someone already on record waits for a
person to decide (``core_records.identity.cases``), and simulated people now and then share
a name and a near date of birth, as real ones do. The loss check then holds each receiver's
own list of event ids against the journal's ``delivered`` hops for that partner, one for one.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from partner_receivers import Receiver

from core_records import tables
from core_records.bookkeeping import journal
from core_records.identity.tables import identity_case
from gatehouse.bootstrap import Hub


@dataclass(frozen=True)
class Progress:
    """Where a run has got to, counted at one moment."""

    received: Counter[str]
    """Documents each partner's receiver holds, by partner."""
    answered: Counter[str]
    """Answers each AMQP partner sent back, by partner."""
    owed: Counter[str]
    """Deliveries each adapter owes its partners (all of them, for private prisons)."""
    applied: int
    """Messages the hub has applied (inbox rows)."""
    held: int
    """Receptions held for identity review."""
    dead: int
    """Dead letters waiting."""

    def outstanding(self, receivers: list[Receiver], before: Progress, published: int) -> int:
        """Deliveries not yet received, and messages not yet settled, of the ``published``
        since ``before`` and the answers they caused."""
        received = Counter[str]()
        for receiver in receivers:
            received[receiver.adapter] += self.received[receiver.partner]
        undelivered = sum(max(0, owed - received[a]) for a, owed in self.owed.items())
        answers = self.answered.total() - before.answered.total()
        settled = self.applied - before.applied + self.held - before.held
        return undelivered + max(0, published + answers - settled)


def progress(hub: Hub, receivers: list[Receiver]) -> Progress:
    received, answered = Counter[str](), Counter[str]()
    for receiver in receivers:
        received[receiver.partner], answered[receiver.partner] = receiver.counts()
    subscriptions = hub.registry.subscriptions()
    outbox, journal_table = tables.outbox, tables.journal
    with hub.engine.connect() as connection:
        by_type = dict(
            connection.execute(
                sa.select(outbox.c.event_type, sa.func.count()).group_by(outbox.c.event_type)
            ).all()
        )
        filtered = dict(
            connection.execute(
                sa.select(journal_table.c.adapter, sa.func.count())
                .where(journal_table.c.hop == journal.FILTERED)
                .group_by(journal_table.c.adapter)
            ).all()
        )
        applied, held = (
            connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for table in (tables.inbox, identity_case)
        )
    owed = Counter(
        {
            adapter: sum(by_type.get(t, 0) for t in types) - filtered.get(adapter, 0)
            for adapter, types in subscriptions.items()
        }
    )
    dead = hub.dead_letters.count("waiting")
    return Progress(received, answered, owed, int(applied), int(held), dead)


def last_deliveries(hub: Hub) -> dict[str, datetime]:
    """Correlation id to the time its last delivery to any partner was journaled."""
    journal_table = tables.journal
    query = (
        sa.select(journal_table.c.correlation_id, sa.func.max(journal_table.c.at))
        .where(journal_table.c.hop == journal.DELIVERED)
        .group_by(journal_table.c.correlation_id)
    )
    with hub.engine.connect() as connection:
        return {correlation_id: at for correlation_id, at in connection.execute(query)}


@dataclass(frozen=True)
class Losses:
    problems: list[str]
    """What went missing or happened twice: nothing, in a good run."""
    held: int
    """Receptions held for identity review, neither applied nor lost."""
    filtered: Counter[str]
    """Events each adapter's policy filtered, by adapter."""
    refused: Counter[str]
    """Inbound messages the record refused for good (dead-lettered with the reason), by
    reason: settled, not lost."""


def check_losses(hub: Hub, receivers: list[Receiver], receptions: int, answers: int) -> Losses:
    """After every run: ``receptions`` published in all, ``answers`` sent back by partners."""
    problems: list[str] = []
    dead_letters = hub.dead_letters.list(limit=1_000_000)
    # An inbound message the record refused for good (a reception linked by identity to
    # someone already in custody elsewhere, say) is dead-lettered from ingest with its reason:
    # settled, for a service manager to look at, not lost. Any other dead letter is a problem.
    refused = [d for d in dead_letters if d.origin_queue == hub.topology.ingest_queue]
    if other := [d for d in dead_letters if d not in refused]:
        reasons = "; ".join(d.reason for d in other[:5])
        problems.append(f"{len(other)} dead letters ({reasons})")
    refused_receptions = sum(d.routing_key.startswith("private_prisons.") for d in refused)
    refused_answers = len(refused) - refused_receptions
    journal_table, outbox = tables.journal, tables.outbox
    with hub.engine.connect() as connection:

        def count(table: sa.Table, *where: sa.ColumnElement[bool]) -> int:
            query = sa.select(sa.func.count()).select_from(table).where(*where)
            return int(connection.execute(query).scalar_one())

        applied = count(tables.inbox)
        held = count(identity_case)
        applied_receptions = count(tables.inbox, tables.inbox.c.adapter == "private_prisons")
        movements = count(tables.movement)
        received_events = count(outbox, outbox.c.event_type == "prisoner.received")
        events_by_type: dict[str, set[str]] = {}
        for event_id, event_type in connection.execute(
            sa.select(outbox.c.event_id, outbox.c.event_type)
        ):
            events_by_type.setdefault(event_type, set()).add(event_id)
        outcomes = connection.execute(
            sa.select(
                journal_table.c.adapter,
                journal_table.c.partner,
                journal_table.c.hop,
                journal_table.c.message_id,
            ).where(journal_table.c.hop.in_([journal.DELIVERED, journal.FILTERED]))
        ).all()
    expected = receptions - held - refused_receptions
    if applied_receptions != expected:
        problems.append(
            f"{applied_receptions} receptions applied, expected {expected} ({receptions}"
            f" published, {held} held for review, {refused_receptions} refused)"
        )
    if applied != expected + answers - refused_answers:
        problems.append(
            f"{applied} messages applied, expected {expected} receptions"
            f" and {answers - refused_answers} partners' answers"
        )
    if movements != expected:
        problems.append(f"{movements} movements recorded, expected {expected} (applied twice?)")
    if received_events != expected:
        problems.append(f"{received_events} prisoner.received events, expected {expected}")

    settled: dict[str, set[str]] = {}
    filtered = Counter[str]()
    delivered: dict[str, set[str]] = {}
    for adapter, partner, hop, event_id in outcomes:
        settled.setdefault(adapter, set()).add(event_id)
        if hop == journal.FILTERED:
            filtered[adapter] += 1
        else:
            delivered.setdefault(partner, set()).add(event_id)
    for adapter, types in hub.registry.subscriptions().items():
        owed = set().union(*(events_by_type.get(t, set()) for t in types))
        if missing := owed - settled.get(adapter, set()):
            problems.append(f"{len(missing)} events for {adapter} neither delivered nor filtered")
    for receiver in receivers:
        ids = receiver.event_ids()
        if len(ids) != len(set(ids)):
            problems.append(f"{receiver.partner} received {len(ids) - len(set(ids))} twice")
        journaled = delivered.get(receiver.partner, set())
        if set(ids) != journaled:
            problems.append(
                f"{receiver.partner} received {len(set(ids) - journaled)} events the journal"
                f" does not show delivered to it, and lacks {len(journaled - set(ids))} it does"
            )
    reasons = Counter(_without_names(d.reason) for d in refused)
    return Losses(problems, held, filtered, reasons)


def _without_names(reason: str) -> str:
    """A refusal's reason with its prison numbers, PNC ids and prisons blanked, so that alike
    refusals count together."""
    reason = re.sub(r"\b[A-Z]\d{4}[A-Z]{2}\b", "<prison number>", reason)
    reason = re.sub(r"\b\d{4}/\d{7}[A-Z]\b", "<PNC id>", reason)
    return re.sub(r"(custody at )[A-Z]{3}\b", r"\1<prison>", reason)
