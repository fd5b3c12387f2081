"""Schema migrations, run in code: no alembic.ini is needed anywhere.

``upgrade(url)`` brings a database to the newest schema and loads the reference data, in one
transaction, so a store is never left half migrated or migrated without its codes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from core_records.custody.reference_data import load_reference_data
from core_records.store.database import create_engine

HEAD = "head"

MIGRATION_LOCK = 7_400_301
"""PostgreSQL advisory lock key held while migrating: processes that start together (api and
workers) would otherwise race to create the same tables. SQLite's BEGIN IMMEDIATE already
lets one writer in at a time."""


def alembic_config(connection: sa.Connection | None = None) -> Config:
    """An Alembic configuration pointing at ``core_records/store/migrations``."""
    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("core_records.store").joinpath("migrations"))
    )
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@contextmanager
def _engine(url_or_engine: str | sa.Engine) -> Iterator[sa.Engine]:
    if isinstance(url_or_engine, sa.Engine):
        yield url_or_engine
        return
    engine = create_engine(url_or_engine, poolclass=sa.NullPool)
    try:
        yield engine
    finally:
        engine.dispose()


def upgrade(url_or_engine: str | sa.Engine, revision: str = HEAD) -> None:
    """Migrate to ``revision`` (the newest by default), then load the reference data."""
    with _engine(url_or_engine) as engine, engine.begin() as connection:
        _lock_out_other_migrations(connection)
        command.upgrade(alembic_config(connection), revision)
        if revision == HEAD:
            load_reference_data(connection)


def downgrade(url_or_engine: str | sa.Engine, revision: str) -> None:
    """Migrate back to ``revision`` (``"base"`` drops every table)."""
    with _engine(url_or_engine) as engine, engine.begin() as connection:
        _lock_out_other_migrations(connection)
        command.downgrade(alembic_config(connection), revision)


def _lock_out_other_migrations(connection: sa.Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(sa.select(sa.func.pg_advisory_xact_lock(MIGRATION_LOCK)))


def current_revision(url_or_engine: str | sa.Engine) -> str | None:
    """The revision the database is at, or None before the first migration."""
    with _engine(url_or_engine) as engine, engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
