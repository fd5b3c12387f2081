"""The record store: the one place inbound messages change the canonical record.

``RecordStore.apply`` takes a batch of inbound messages and applies them in ONE database
transaction, each message on its own:

- a message id already in the inbox is a ``duplicate``: nothing changes, a hop says so;
- otherwise its commands run (through the handlers ``core_records.registry`` gathers), and
  the inbox row, the outbox rows of the events they produced and a ``stored`` hop are
  written with the change;
- a ``PermanentError`` undoes that message's changes alone (``UnitOfWork.discard``: a
  savepoint where the message needs one); the message is ``rejected`` and only a
  ``rejected`` hop remains of it.

Reads and new rows are batched: who holds the batch's identifiers is read once (and what a
handler's ``prepare`` step reads ahead, such as canteen accounts), new people, bookings,
movements, canteen transactions, inbox, outbox and journal rows are written once per table
at the end, in the same transaction (see ``core_records.store.unit_of_work``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa

from core_records.bookkeeping import journal
from core_records.bookkeeping.journal import Hop, write_hops
from core_records.bookkeeping.message_history import Document, record_documents
from core_records.commands import InboundMessage
from core_records.custody.person_view import person_view
from core_records.custody.reference_data import ReferenceData
from core_records.errors import ConcurrentUpdate, PermanentError, StoreUnavailable
from core_records.events import CanonicalEvent, naming_prison_number
from core_records.identifiers import NOMS, Identifier
from core_records.identity.cases import open_case
from core_records.identity.matching import MatchRules
from core_records.identity.resolution import Decided, HeldForReview
from core_records.registry import CommandHandlers, command_handlers
from core_records.store import leases
from core_records.store import outbox as outbox_rows
from core_records.store.database import READ_ONLY, store_errors
from core_records.store.identity_locks import take_identity_locks
from core_records.store.outbox import OutboxEntry
from core_records.store.tables import inbox, outbox
from core_records.store.unit_of_work import UnitOfWork
from core_records.timestamps import as_utc, utc_now

__all__ = ["ApplyOutcome", "OutboxEntry", "RecordStore"]

APPLIED = "applied"
DUPLICATE = "duplicate"
REJECTED = "rejected"
HELD = "held"


@dataclass(frozen=True)
class ApplyOutcome:
    """What became of one inbound message."""

    message_id: str
    status: Literal["applied", "duplicate", "rejected", "held"]
    """``held``: a possible match, waiting in an identity case for a person to decide."""
    events: tuple[CanonicalEvent, ...] = ()
    person_key: str | None = None
    """The prison number of the person the message changed, when known."""
    error: PermanentError | None = None


class RecordStore:
    """The canonical offender record store on one engine (SQLite or PostgreSQL)."""

    def __init__(
        self,
        engine: sa.Engine,
        match_rules: MatchRules | None = None,
        handlers: CommandHandlers | None = None,
    ) -> None:
        self._engine = engine
        self._handlers = handlers or command_handlers()
        self._reference: ReferenceData | None = None
        self.match_rules = match_rules or MatchRules()

    @property
    def engine(self) -> sa.Engine:
        return self._engine

    @property
    def reference_data(self) -> ReferenceData:
        """Reference data as loaded in the store, read once and cached."""
        if self._reference is None:
            self.reload_reference_data()
        assert self._reference is not None
        return self._reference

    def reload_reference_data(self) -> ReferenceData:
        """Read the reference data again (after ``load_reference_data`` changed it)."""
        with store_errors():
            self._reference = ReferenceData.from_store(self._engine)
        return self._reference

    def apply(
        self,
        messages: Sequence[InboundMessage],
        decided: dict[str, Decided] | None = None,
        documents: Mapping[str, Document] | None = None,
        *,
        then: Callable[[sa.Connection, list[ApplyOutcome]], None] | None = None,
        rollback: bool = False,
    ) -> list[ApplyOutcome]:
        """Apply a batch of messages in one transaction; an outcome per message, in order.

        Raises ``StoreUnavailable`` when the database cannot be reached and
        ``ConcurrentUpdate`` when another writer changed the same record first: in both cases
        nothing of the batch was kept, and the whole batch is safe to apply again.

        ``decided`` holds people's decisions on possible-match cases, by the message id held.
        ``documents`` holds the partner documents to keep in the message history, by message
        id; each is kept with its message's hop (once, however often a duplicate comes).

        ``then`` runs in the same transaction once the batch is applied: a caller reads what
        the batch decided, or records its own bookkeeping with it, all or nothing.
        ``rollback`` undoes the whole batch at the end (a dry run: the outcomes as they
        would be, nothing kept).
        """
        if not messages:
            return []
        reference = self.reference_data
        with store_errors():
            try:
                with self._engine.connect() as connection, connection.begin() as transaction:
                    work = UnitOfWork(
                        connection,
                        reference,
                        utc_now(),
                        match_rules=self.match_rules,
                        decided=decided,
                    )
                    outcomes = _apply_batch(connection, messages, work, self._handlers)
                    _keep_documents(connection, outcomes, documents or {})
                    if then is not None:
                        then(connection, outcomes)
                    if rollback:
                        transaction.rollback()
                    return outcomes
            except sa.exc.IntegrityError as error:
                if _is_unique_violation(error):
                    # Another writer stored the same message or person at the same moment;
                    # applying the batch again will see what it stored.
                    raise ConcurrentUpdate(
                        "a concurrent writer stored the same record first"
                    ) from error
                raise

    def unpublished_events(self, limit: int = 500) -> list[OutboxEntry]:
        """Events not yet published, oldest sequence first."""
        with store_errors(), self._read() as connection:
            return outbox_rows.unpublished(connection, limit)

    def mark_published(self, entries: Iterable[OutboxEntry], published_at: datetime) -> int:
        """Mark events published, with an ``event_published`` hop each, in one transaction.
        The number of events this call marked."""
        with store_errors(), self._engine.begin() as connection:
            return outbox_rows.mark_published(connection, entries, published_at)

    def claim_lease(
        self, name: str, owner: str, ttl_s: float, *, now: datetime | None = None
    ) -> bool:
        """Take or renew the lease ``name`` for ``ttl_s`` seconds; whether ``owner`` has it."""
        with store_errors(), self._engine.begin() as connection:
            return leases.claim(connection, name, owner, ttl_s, now or utc_now())

    def live_leases(self, prefix: str, *, now: datetime | None = None) -> int:
        """How many unexpired leases have a name starting with ``prefix``."""
        with store_errors(), self._read() as connection:
            return leases.live(connection, prefix, now or utc_now())

    def release_lease(self, name: str, owner: str) -> None:
        with store_errors(), self._engine.begin() as connection:
            leases.release(connection, name, owner)

    def person_view(self, identifier: Identifier) -> dict[str, Any] | None:
        """The record of the person ``identifier`` names, as plain JSON-ready values."""
        with store_errors(), self._read() as connection:
            return person_view(connection, identifier)

    def ping(self) -> None:
        """Raise ``StoreUnavailable`` unless the database answers."""
        try:
            with store_errors(), self._read() as connection:
                connection.execute(sa.select(sa.literal(1))).scalar_one()
        except sa.exc.DBAPIError as error:
            raise StoreUnavailable(f"the record store did not answer: {error.orig}") from error

    def _read(self) -> sa.Connection:
        return self._engine.connect().execution_options(**READ_ONLY)


def _apply_batch(
    connection: sa.Connection,
    messages: Sequence[InboundMessage],
    work: UnitOfWork,
    handlers: CommandHandlers,
) -> list[ApplyOutcome]:
    now = work.now
    # Before anything is read: a reception of the same person in another partition's batch
    # is then either committed (and seen) or waits for this one.
    take_identity_locks(connection, (c for m in messages for c in m.commands))
    stored = _stored_person_keys(connection, [m.message_id for m in messages])
    handlers.prepare_batch(
        work, [c for m in messages if m.message_id not in stored for c in m.commands]
    )
    inbox_rows: list[dict[str, object]] = []
    event_rows: list[dict[str, object]] = []
    hops: list[Hop] = []
    outcomes: list[ApplyOutcome] = []
    for message in messages:
        if message.message_id in stored:
            person_key = stored[message.message_id]
            outcomes.append(ApplyOutcome(message.message_id, DUPLICATE, person_key=person_key))
            hops.append(_hop(message, journal.DUPLICATE, now, person_key, "already applied"))
            continue
        work.begin(message.message_id, len(message.commands))
        try:
            events = _naming_current_numbers(
                work, [e for c in message.commands for e in handlers.apply(work, c)]
            )
        except PermanentError as error:
            work.discard()
            person_key = _named_prison_number(message)
            outcomes.append(ApplyOutcome(message.message_id, REJECTED, (), person_key, error))
            hops.append(_hop(message, journal.REJECTED, now, person_key, error.reason, "error"))
            continue
        except HeldForReview as held:
            work.discard()
            summary = open_case(connection, message, held.resolution, now)
            outcomes.append(ApplyOutcome(message.message_id, HELD))
            hops.append(_hop(message, HELD, now, None, summary, HELD))
            continue
        work.keep()
        person_key = next((e.person_key for e in reversed(events) if e.person_key), None)
        stored[message.message_id] = person_key
        inbox_rows.append(_inbox_row(message, now))
        event_rows.extend(
            outbox_rows.outbox_row(
                event,
                correlation_id=message.correlation_id,
                causation_id=message.message_id,
                created_at=now,
            )
            for event in events
        )
        detail = ", ".join(e.event_type for e in events) or "no change"
        hops.append(_hop(message, journal.STORED, now, person_key, detail))
        outcomes.append(ApplyOutcome(message.message_id, APPLIED, tuple(events), person_key))
    work.flush()
    if inbox_rows:
        connection.execute(sa.insert(inbox), inbox_rows)
    outbox_rows.write_events(connection, event_rows)
    write_hops(connection, hops)
    return outcomes


def _naming_current_numbers(work: UnitOfWork, events: list[CanonicalEvent]) -> list[CanonicalEvent]:
    """Events about a merged person name only the survivor's prison number, not the one the
    merge retired (which the record keeps, so that messages naming it still resolve)."""
    named = []
    for event in events:
        numbers = [i for i in event.person_identifiers if i.type == NOMS]
        holder = work.holders(numbers[:1]).get(numbers[0]) if len(numbers) > 1 else None
        named.append(naming_prison_number(event, holder.prison_number) if holder else event)
    return named


def _keep_documents(
    connection: sa.Connection, outcomes: list[ApplyOutcome], documents: Mapping[str, Document]
) -> None:
    # By message id: a message twice in one batch is kept once.
    kept = {o.message_id: documents[o.message_id] for o in outcomes if o.message_id in documents}
    again = {o.message_id for o in outcomes if o.status == DUPLICATE}
    record_documents(connection, list(kept.values()), unless_kept=again)


def _stored_person_keys(connection: sa.Connection, message_ids: list[str]) -> dict[str, str | None]:
    """Message ids of the batch already in the inbox, each with the prison number its events
    named (for the duplicate's hop), in two queries for the whole batch."""
    found = connection.execute(
        sa.select(inbox.c.message_id).where(inbox.c.message_id.in_(set(message_ids)))
    ).scalars()
    stored: dict[str, str | None] = dict.fromkeys(found)
    if stored:
        rows = connection.execute(
            sa.select(outbox.c.causation_id, outbox.c.person_key).where(
                outbox.c.causation_id.in_(list(stored)), outbox.c.person_key.is_not(None)
            )
        )
        stored.update({row.causation_id: row.person_key for row in rows})
    return stored


def _named_prison_number(message: InboundMessage) -> str | None:
    for command in message.commands:
        identifiers = getattr(command, "person", ())
        identifiers = getattr(identifiers, "identifiers", identifiers)
        for identifier in identifiers:
            if identifier.type == NOMS:
                return str(identifier.value)
    return None


def _inbox_row(message: InboundMessage, now: datetime) -> dict[str, object]:
    return {
        "message_id": message.message_id,
        "adapter": message.adapter,
        "message_type": message.message_type,
        "partner": message.partner,
        "correlation_id": message.correlation_id,
        # Edges stamp received_at; one without a zone is taken to be in UTC.
        "received_at": as_utc(message.received_at),
        "applied_at": now,
    }


def _hop(
    message: InboundMessage,
    hop: str,
    at: datetime,
    person_key: str | None,
    detail: str,
    outcome: str = "ok",
) -> Hop:
    return Hop(
        message_id=message.message_id,
        hop=hop,
        at=at,
        outcome=outcome,
        correlation_id=message.correlation_id,
        adapter=message.adapter,
        partner=message.partner,
        direction=journal.INBOUND,
        message_type=message.message_type,
        person_key=person_key,
        detail=detail,
    )


def _is_unique_violation(error: sa.exc.IntegrityError) -> bool:
    if getattr(error.orig, "sqlstate", None) == "23505":
        return True
    name = getattr(error.orig, "sqlite_errorname", "")
    return name in ("SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY")
