"""Engines: SQLite set up for safe concurrent use, and times always in UTC on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from core_records.store.database import SQLITE_BUSY_TIMEOUT_MS, create_engine
from core_records.tables import relay_lease


def test_sqlite_connections_use_wal_foreign_keys_a_busy_timeout_and_full_sync(
    sqlite_url: str,
) -> None:
    engine = create_engine(sqlite_url)
    try:
        with engine.connect() as connection:
            pragma = {
                name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
            }
    finally:
        engine.dispose()
    assert pragma == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "busy_timeout": SQLITE_BUSY_TIMEOUT_MS,
        "synchronous": 2,  # FULL
    }


def test_sqlite_savepoints_roll_back_only_their_own_work(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    later = datetime(2025, 1, 1, tzinfo=UTC)
    try:
        with engine.begin() as connection:
            connection.execute(sa.insert(relay_lease).values(name="a", owner="o", expires_at=later))
            savepoint = connection.begin_nested()
            connection.execute(sa.insert(relay_lease).values(name="b", owner="o", expires_at=later))
            savepoint.rollback()
        with engine.connect() as connection:
            names = connection.execute(sa.select(relay_lease.c.name)).scalars().all()
    finally:
        engine.dispose()
    assert names == ["a"]


def test_times_are_stored_and_returned_in_utc(engine: sa.Engine) -> None:
    in_paris = datetime(2025, 6, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    with engine.begin() as connection:
        connection.execute(sa.insert(relay_lease).values(name="a", owner="o", expires_at=in_paris))
    with engine.connect() as connection:
        stored = connection.execute(sa.select(relay_lease.c.expires_at)).scalar_one()
        earlier = connection.execute(
            sa.select(sa.func.count()).where(
                relay_lease.c.expires_at < datetime(2025, 6, 1, 12, 30, tzinfo=UTC)
            )
        ).scalar_one()
    assert stored == datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    assert stored.utcoffset() == timedelta(0)
    assert earlier == 1


def test_a_time_without_a_zone_is_refused(engine: sa.Engine) -> None:
    with pytest.raises(sa.exc.StatementError, match="naive datetime"), engine.begin() as connection:
        connection.execute(
            sa.insert(relay_lease).values(name="a", owner="o", expires_at=datetime(2025, 6, 1))
        )
