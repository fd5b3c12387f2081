"""The estate gate on a real store (SQLite and PostgreSQL): a migrating prison's legacy
messages are held in the store, survive a restart, and are applied in arrival order at
go-live; afterwards its legacy feed is refused. The legacy feed here is a minimal JSON
adapter of the gated kind, one partner per prison, as the LIDS adapter's partners are."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from adapters.base import JSON, Adapter, InboundType, PartnerScope
from adapters.registry import AdapterRegistry
from core_records import estate
from core_records.bookkeeping.journal import Journal
from core_records.commands import (
    Command,
    InboundMessage,
    PersonName,
    PersonParticulars,
    RecordReception,
    RecordRelease,
)
from core_records.estate import StateChangeRefused
from core_records.identifiers import PNC, Identifier
from core_records.store.database import create_engine
from core_records.store.record_store import RecordStore
from routing.estate_gate import EstateGate, LegacyFeedRefused
from routing.estate_release import go_live, roll_back
from routing.messages import Delivery, Message
from tests.integration.core_records.examples import pnc

FEED = "legacy_feed"
PARTNER = "legacy-lei"
SCHEMA = "kiosks/order-v1.schema.json"  # any JSON Schema: the fake type never validates


def _translate(document: Any, scope: PartnerScope) -> tuple[Command, ...]:
    [prison] = scope.establishments
    at = datetime.fromisoformat(document["at"])
    person = Identifier(PNC, document["pnc"])
    if document["kind"] == "reception":
        particulars = PersonParticulars(
            (person,), PersonName("HOLDEN", "JAMES"), datetime(1980, 1, 2).date(), "M"
        )
        return (RecordReception(particulars, prison, "N", at),)
    return (RecordRelease((person,), prison, "CR", at),)


class _Movement(InboundType):
    def validate(self, document: Any) -> None:
        pass


FAKE = Adapter(
    name=FEED,
    partner="A legacy prison system",
    partners={PARTNER: PartnerScope(PARTNER, FEED, frozenset({"LEI"}))},
    inbound={"movement": _Movement("movement", SCHEMA, _translate, JSON)},
)
REGISTRY = AdapterRegistry([FAKE])
ACTOR = "ops@example"


def _delivery(n: int, kind: str, who: Identifier) -> tuple[Delivery, InboundMessage]:
    at = datetime(2025, 3, 3, 9, n, tzinfo=UTC)
    body = json.dumps({"kind": kind, "pnc": who.value, "at": at.isoformat()}).encode()
    message = Message("inbound", body, message_id=f"m-{n}", content_type="application/json")
    inbound = InboundMessage(
        f"m-{n}", f"m-{n}", FEED, "movement", PARTNER, at, _translate(json.loads(body), _scope())
    )
    return Delivery(message, "ingest", False, 1, None), inbound


def _scope() -> PartnerScope:
    return REGISTRY.scope_for_partner(PARTNER)


def _move(engine: sa.Engine, to: str) -> None:
    with engine.begin() as connection:
        estate.change_state(connection, "LEI", to, actor=ACTOR, at=datetime.now(UTC))


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.Engine]:
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def gate(engine: sa.Engine) -> EstateGate:
    return EstateGate(engine, REGISTRY, feeds=frozenset({FEED}))


def test_a_legacy_prison_s_messages_are_applied_as_before(gate: EstateGate) -> None:
    screened = gate.screen([_delivery(1, "reception", pnc(11))])

    assert [m.message_id for _, m in screened.to_apply] == ["m-1"]
    assert screened.held == [] and screened.refused == []


def test_held_messages_survive_a_restart_and_are_applied_in_order_at_go_live(
    database_url: str, engine: sa.Engine, gate: EstateGate
) -> None:
    _move(engine, estate.MIGRATING)
    who = pnc(12)
    batch = [_delivery(1, "reception", who), _delivery(2, "release", who)]

    screened = gate.screen(batch)
    again = gate.screen(batch[:1])  # a redelivery is held once

    assert screened.held == [d for d, _ in batch] and screened.to_apply == []
    assert again.held == [batch[0][0]]
    engine.dispose()  # the process stops; the held messages are in the store

    restarted = create_engine(database_url)
    store = RecordStore(restarted)
    with restarted.connect() as connection:
        assert [h.message_id for h in estate.waiting(connection, "LEI")] == ["m-1", "m-2"]
        assert estate.state_of(connection, "LEI").state == estate.MIGRATING
    assert [h.hop for h in Journal(restarted).trace("m-1")] == ["held_until_live"]

    # Applied the other way round, the release would be refused: the person is not held yet.
    released = go_live(store, REGISTRY, "LEI", actor=ACTOR, max_body_bytes=10_000)

    assert released.outcomes == {"applied": 2}
    assert released.state is not None and released.state.state == estate.LIVE
    person = store.person_view(who)
    assert person is not None and person["custodyStatus"] == "OUTSIDE_PRISON"
    with restarted.connect() as connection:
        assert estate.waiting(connection, "LEI") == []
    restarted.dispose()


def test_a_live_prison_s_legacy_messages_are_refused_with_the_reason(
    engine: sa.Engine, gate: EstateGate
) -> None:
    _move(engine, estate.MIGRATING)
    go_live(RecordStore(engine), REGISTRY, "LEI", actor=ACTOR, max_body_bytes=10_000)

    screened = gate.screen([_delivery(3, "reception", pnc(13))])

    [(_, refused)] = screened.refused
    assert isinstance(refused, LegacyFeedRefused)
    assert "LEI (Leeds) is live on the case-management system since" in refused.reason
    assert gate.refusal(FEED, _scope()) == refused.reason
    assert screened.to_apply == [] and screened.held == []


def test_a_roll_back_applies_what_was_held_and_takes_the_feed_again(
    engine: sa.Engine, gate: EstateGate
) -> None:
    _move(engine, estate.MIGRATING)
    gate.screen([_delivery(4, "reception", pnc(14))])
    store = RecordStore(engine)

    with pytest.raises(StateChangeRefused, match="needs a reason"):
        roll_back(store, REGISTRY, "LEI", actor=ACTOR, reason=" ", max_body_bytes=10_000)
    released = roll_back(
        store, REGISTRY, "LEI", actor=ACTOR, reason="extract unusable", max_body_bytes=10_000
    )

    assert released.outcomes == {"applied": 1}
    assert released.state is not None and released.state.state == estate.LEGACY
    assert store.person_view(pnc(14)) is not None
    assert gate.screen([_delivery(5, "release", pnc(14))]).to_apply
