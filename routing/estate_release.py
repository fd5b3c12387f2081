"""Moving a migrating prison on: apply its held legacy messages in arrival order, then
change its state (``go_live``, or ``roll_back`` to the legacy system).

Held messages are applied through the record store exactly as ingest applies any message
(the same translation, identity matching, inbox, outbox and journal hops), from the store
rather than a queue, so that they keep their order and land before the state changes:
they predate it. A message that arrives for the prison while this runs is held behind the
others and applied in a further round; the state changes only in a transaction that finds
none left (``core_records.estate.change_state`` refuses otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from adapters.registry import AdapterRegistry
from core_records import estate
from core_records.bookkeeping import journal
from core_records.bookkeeping.journal import Hop, write_hops
from core_records.commands import InboundMessage
from core_records.errors import InvalidMessage, PermanentError
from core_records.estate import EstablishmentState, HeldMessage, StateChangeRefused
from core_records.store.database import store_errors
from core_records.store.record_store import RecordStore

ROUNDS = 20
"""How many rounds of newly held messages a move waits out before giving up."""


@dataclass
class Released:
    """What became of a prison's held messages, by outcome."""

    state: EstablishmentState | None = None
    outcomes: dict[str, int] = field(default_factory=dict)

    def count(self, outcome: str) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1


def go_live(
    store: RecordStore, registry: AdapterRegistry, code: str, *, actor: str, max_body_bytes: int
) -> Released:
    """Apply ``code``'s held messages, then make it ``live``; audited as ``actor``."""
    return _move(store, registry, code, estate.LIVE, actor, max_body_bytes, None)


def roll_back(
    store: RecordStore,
    registry: AdapterRegistry,
    code: str,
    *,
    actor: str,
    reason: str,
    max_body_bytes: int,
) -> Released:
    """Return a migrating ``code`` to the legacy system, applying what was held for it."""
    if not reason.strip():
        raise StateChangeRefused("a roll-back back to the legacy system needs a reason")
    return _move(store, registry, code, estate.LEGACY, actor, max_body_bytes, reason)


def _move(
    store: RecordStore,
    registry: AdapterRegistry,
    code: str,
    to: str,
    actor: str,
    max_body_bytes: int,
    reason: str | None,
) -> Released:
    engine = store.engine
    with store_errors(), engine.connect() as connection:
        current = estate.state_of(connection, code)
    if current.state != estate.MIGRATING:
        raise StateChangeRefused(f"{code} is {current.state}, not {estate.MIGRATING}")
    released = Released()
    for _ in range(ROUNDS):
        _apply_held(store, registry, code, max_body_bytes, released)
        with store_errors(), engine.begin() as connection:
            if estate.waiting_count(connection, code):
                continue
            released.state = estate.change_state(
                connection, code, to, actor=actor, at=datetime.now(UTC), detail=reason
            )
            return released
    raise StateChangeRefused(f"{code}'s legacy feed kept sending while held messages were applied")


def _apply_held(
    store: RecordStore, registry: AdapterRegistry, code: str, max_body_bytes: int, into: Released
) -> None:
    engine = store.engine
    while True:
        with store_errors(), engine.connect() as connection:
            batch = estate.waiting(connection, code)
        if not batch:
            return
        messages: list[InboundMessage] = []
        unreadable: list[tuple[HeldMessage, PermanentError]] = []
        for held in batch:
            try:
                messages.append(decode_held(registry, held, max_body_bytes))
            except PermanentError as error:
                unreadable.append((held, error))
        outcomes = store.apply(messages)
        now = datetime.now(UTC)
        with store_errors(), engine.begin() as connection:
            for outcome in outcomes:
                detail = outcome.error.reason if outcome.error is not None else None
                estate.mark_released(connection, outcome.message_id, outcome.status, now, detail)
                into.count(outcome.status)
            for held, error in unreadable:
                estate.mark_released(connection, held.message_id, "rejected", now, error.reason)
                write_hops(connection, [_rejected_hop(held, error, now)])
                into.count("rejected")


def decode_held(
    registry: AdapterRegistry, held: HeldMessage, max_body_bytes: int
) -> InboundMessage:
    """The held message translated as ingest translates it (``routing.ingest``)."""
    try:
        adapter = registry.adapter(held.adapter)
        scope = registry.scope_for_partner(held.partner)
    except LookupError as error:
        raise InvalidMessage(str(error), rule="headers") from error
    inbound_type = adapter.inbound_type(held.message_type)
    document = inbound_type.read(held.body, max_bytes=max_body_bytes)
    return InboundMessage(
        message_id=held.message_id,
        correlation_id=held.correlation_id,
        adapter=held.adapter,
        message_type=held.message_type,
        partner=held.partner,
        received_at=held.received_at,
        commands=tuple(inbound_type.translate(document, scope)),
    )


def _rejected_hop(held: HeldMessage, error: PermanentError, at: datetime) -> Hop:
    return Hop(
        message_id=held.message_id,
        hop=journal.REJECTED,
        at=at,
        outcome="error",
        correlation_id=held.correlation_id,
        adapter=held.adapter,
        partner=held.partner,
        direction=journal.INBOUND,
        message_type=held.message_type,
        detail=error.reason,
    )
