"""Each establishment's deployment state in the store (SQLite and PostgreSQL): the defaults,
the moves allowed, the moves refused, and the audit trail of each move."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from core_records import estate
from core_records.bookkeeping.audit import audit_trail
from core_records.errors import UnknownReferenceCode
from core_records.estate import HeldMessage, StateChangeRefused
from core_records.store.database import create_engine

AT = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def connection(database_url: str) -> Iterator[sa.Connection]:
    engine = create_engine(database_url)
    with engine.begin() as connection:
        yield connection
    engine.dispose()


def test_public_prisons_start_on_the_legacy_system_and_contracted_ones_are_run_by_operators(
    connection: sa.Connection,
) -> None:
    states = estate.estate(connection)

    assert len(states) == 126
    assert Counter(s.state for s in states) == {"legacy": 110, "contracted": 16}
    assert estate.state_of(connection, "DNI").state == estate.RUN_BY_OPERATOR
    leeds = estate.state_of(connection, "LEI")
    assert (leeds.name, leeds.state, leeds.since, leeds.changed_by) == (
        "Leeds",
        "legacy",
        None,
        None,
    )


def test_a_prison_moves_from_legacy_to_migrating_to_live_and_each_move_is_audited(
    connection: sa.Connection,
) -> None:
    estate.change_state(connection, "LEI", estate.MIGRATING, actor="ann", at=AT)
    live = estate.change_state(connection, "LEI", estate.LIVE, actor="bob", at=AT)

    assert (live.state, live.changed_by, live.since) == ("live", "bob", AT)
    assert estate.state_of(connection, "LEI").state == estate.LIVE
    trail = audit_trail(connection, "establishment:LEI")
    assert [(a.actor, a.action) for a in trail] == [
        ("ann", "establishment.migration_started"),
        ("bob", "establishment.went_live"),
    ]


@pytest.mark.parametrize(
    ("code", "moves", "why"),
    [
        ("LEI", [estate.LIVE], "LEI is legacy: it may go to migrating, not live"),
        ("DNI", [estate.MIGRATING], "DNI (Doncaster) is run by its operator"),
        ("LEI", [estate.MIGRATING, estate.MIGRATING], "LEI is migrating already"),
        ("LEI", [estate.MIGRATING, estate.LIVE, estate.LEGACY], "LEI is live: it may go to no"),
    ],
)
def test_a_move_out_of_turn_is_refused_and_changes_nothing(
    connection: sa.Connection, code: str, moves: list[str], why: str
) -> None:
    *allowed, refused = moves
    for to in allowed:
        estate.change_state(connection, code, to, actor="ann", at=AT)
    before = estate.state_of(connection, code)

    with pytest.raises(StateChangeRefused, match=re.escape(why)):
        estate.change_state(connection, code, refused, actor="ann", at=AT)

    assert estate.state_of(connection, code) == before


def test_a_prison_cannot_leave_migrating_while_legacy_messages_are_held_for_it(
    connection: sa.Connection,
) -> None:
    estate.change_state(connection, "LEI", estate.MIGRATING, actor="ann", at=AT)
    held = HeldMessage("m-1", "LEI", "lids", "lids-lei", "reception", "m-1", "x", b"<x/>", AT)
    assert estate.hold(connection, held, at=AT) == estate.MIGRATING

    with pytest.raises(StateChangeRefused, match="still has legacy messages held"):
        estate.change_state(connection, "LEI", estate.LIVE, actor="ann", at=AT)
    estate.mark_released(connection, "m-1", "applied", AT, None)
    estate.change_state(connection, "LEI", estate.LIVE, actor="ann", at=AT)

    assert estate.hold(connection, held, at=AT) == estate.LIVE


def test_an_unknown_code_is_not_a_prison(connection: sa.Connection) -> None:
    with pytest.raises(UnknownReferenceCode):
        estate.state_of(connection, "LEEDCC")
