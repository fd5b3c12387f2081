"""Fixtures for the record store's integration tests: an engine and a store on a fresh,
migrated database, once on SQLite and once on PostgreSQL (``database_url``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from core_records.store.database import create_engine
from core_records.store.record_store import RecordStore


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.Engine]:
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def store(engine: sa.Engine) -> RecordStore:
    return RecordStore(engine)
