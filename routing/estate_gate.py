"""The estate gate: what ingest does with a legacy-system message, by the state of the
prison it comes from.

    legacy     applied as any other message
    migrating  held in the store (``core_records.estate.held``) and acked: applied, in
               arrival order, when the prison goes live or returns to legacy
               (``routing.estate_release``); they predate that move, so they belong in the
               record before anything the new system sends
    live       refused for good (``LegacyFeedRefused``): dead-lettered with the reason, a
               ``rejected`` hop in the journal and on a file's receipt

The gate sits at ingest, not at an edge, because every path of a legacy feed (HTTP, the
nightly file, AMQP) meets there, and because only there can holding a message share a
transaction with the state it was decided on. The HTTP edge asks ``refusal`` too, so that a
live prison's legacy system hears "no" at once, as a problem document.

The case-management feed (``LIVE_FEEDS``) passes only for a live prison, whichever edge
it came by (``NotLive`` otherwise).

A gated adapter's partners are one identity per prison (``PartnerScope.establishments``
holds exactly that prison), so the partner names the establishment a message is from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa

from adapters.base import PartnerScope
from adapters.registry import AdapterRegistry
from core_records import estate
from core_records.commands import InboundMessage
from core_records.errors import NotPermitted
from core_records.estate import EstablishmentState, HeldMessage
from core_records.store.database import store_errors
from routing.messages import Delivery

LEGACY_FEEDS = frozenset({"lids"})
"""Adapters whose partners are a public prison's legacy system."""
LIVE_FEEDS = frozenset({"case_management"})
"""Adapters whose partners are a live prison's staff application: refused unless live."""


class LegacyFeedRefused(NotPermitted):
    """A legacy message from a prison that has gone live: permanent, never retried."""


class NotLive(NotPermitted):
    """A case-management message for a prison that is not live (it reached ingest by the
    generic inbound edge, or the prison rolled back after it was accepted)."""


def refused_because(state: EstablishmentState) -> str:
    """Why a live prison's legacy message is refused, in words a service manager can act on."""
    code = state.establishment
    since = f" since {state.since.isoformat(timespec='seconds')}" if state.since else ""
    return (
        f"{code} ({state.name}) is live on the case-management system{since}: its legacy"
        f" (LIDS) feed is refused; record its movements through"
        f" /api/v1/establishments/{code}/movements"
    )


def establishment_of(adapter: str, scope: PartnerScope, feeds: frozenset[str]) -> str | None:
    """The prison a gated adapter's partner speaks for; None for an ungated adapter."""
    if adapter not in feeds:
        return None
    if len(scope.establishments) != 1:
        raise NotPermitted(
            f"{scope.partner} must speak for exactly one prison to send {adapter} messages"
        )
    return next(iter(scope.establishments))


@dataclass
class Screened:
    """One batch sorted by the gate."""

    to_apply: list[tuple[Delivery, InboundMessage]] = field(default_factory=list)
    held: list[Delivery] = field(default_factory=list)
    refused: list[tuple[Delivery, BaseException]] = field(default_factory=list)


@dataclass(frozen=True)
class EstateGate:
    engine: sa.Engine
    registry: AdapterRegistry
    feeds: frozenset[str] = LEGACY_FEEDS
    live_feeds: frozenset[str] = LIVE_FEEDS

    def refusal(self, adapter: str, scope: PartnerScope) -> str | None:
        """The reason to refuse a message at the edge (its prison is live), or None."""
        code = establishment_of(adapter, scope, self.feeds)
        if code is None:
            return None
        with store_errors(), self.engine.connect() as connection:
            state = estate.state_of(connection, code)
        return refused_because(state) if state.state == estate.LIVE else None

    def screen(self, decoded: Sequence[tuple[Delivery, InboundMessage]]) -> Screened:
        """Sort a decoded batch: to apply, held (in the store now, to be acked), refused.
        One transaction holds the whole batch's held messages."""
        screened = Screened()
        gated = [(delivery, message, self._establishment(message)) for delivery, message in decoded]
        if all(code is None for _, _, code in gated):
            screened.to_apply.extend(decoded)
            return screened
        now = datetime.now(UTC)
        with store_errors(), self.engine.begin() as connection:
            for delivery, message, code in gated:
                if code is None:
                    screened.to_apply.append((delivery, message))
                elif message.adapter in self.live_feeds:
                    self._screen_live_feed(connection, delivery, message, code, screened)
                else:
                    self._screen_legacy_feed(connection, delivery, message, code, now, screened)
        return screened

    @staticmethod
    def _screen_live_feed(
        connection: sa.Connection,
        delivery: Delivery,
        message: InboundMessage,
        code: str,
        screened: Screened,
    ) -> None:
        state = estate.state_of(connection, code)
        if state.state == estate.LIVE:
            screened.to_apply.append((delivery, message))
            return
        why = f"{code} is {state.state}, not live: it cannot record through case management"
        screened.refused.append((delivery, NotLive(why)))

    @staticmethod
    def _screen_legacy_feed(
        connection: sa.Connection,
        delivery: Delivery,
        message: InboundMessage,
        code: str,
        now: datetime,
        screened: Screened,
    ) -> None:
        if estate.was_held(connection, message.message_id):
            # A redelivery of a message held before: the store has it already.
            screened.held.append(delivery)
            return
        state = estate.state_of(connection, code)
        if state.state == estate.MIGRATING:
            if estate.hold(connection, _held(delivery, message, code), at=now) == estate.MIGRATING:
                screened.held.append(delivery)
                return
            state = estate.state_of(connection, code)
        if state.state == estate.LIVE:
            screened.refused.append((delivery, LegacyFeedRefused(refused_because(state))))
        else:
            screened.to_apply.append((delivery, message))

    def _establishment(self, message: InboundMessage) -> str | None:
        gated = self.feeds | self.live_feeds
        if message.adapter not in gated or message.partner is None:
            return None
        return establishment_of(
            message.adapter, self.registry.scope_for_partner(message.partner), gated
        )


def _held(delivery: Delivery, message: InboundMessage, code: str) -> HeldMessage:
    return HeldMessage(
        message_id=message.message_id,
        establishment=code,
        adapter=message.adapter,
        partner=message.partner or "",
        message_type=message.message_type,
        correlation_id=message.correlation_id,
        content_type=delivery.message.content_type,
        body=delivery.message.body,
        received_at=message.received_at,
    )
