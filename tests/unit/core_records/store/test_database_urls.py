"""Database URLs: PostgreSQL always through psycopg 3, and nothing but SQLite or PostgreSQL."""

from __future__ import annotations

import pytest

from core_records.store.database import database_url


@pytest.mark.parametrize(
    ("given", "driver", "database"),
    [
        ("postgresql://gatehouse@db:5432/records", "postgresql+psycopg", "records"),
        ("postgres://gatehouse@db/records", "postgresql+psycopg", "records"),
        ("postgresql+psycopg://gatehouse@db/records", "postgresql+psycopg", "records"),
        ("sqlite:///var/gatehouse.sqlite3", "sqlite", "var/gatehouse.sqlite3"),
    ],
)
def test_a_store_url_is_pointed_at_the_right_driver(given: str, driver: str, database: str) -> None:
    url = database_url(given)
    assert (url.drivername, url.database) == (driver, database)


def test_another_database_is_refused() -> None:
    with pytest.raises(ValueError, match="SQLite or PostgreSQL"):
        database_url("mysql://root@localhost/records")
