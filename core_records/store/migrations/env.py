"""Alembic environment: migrates the connection that ``core_records.store.migrate`` hands over.

There is no alembic.ini: ``core_records.store.migrate`` builds the configuration in code and
passes an open connection in ``config.attributes["connection"]``, so the migration runs in
the caller's transaction on the caller's engine (with its SQLite settings).
"""

from __future__ import annotations

from alembic import context

from core_records.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "run migrations through core_records.store.migrate.upgrade, which passes a connection"
    )

context.configure(
    connection=connection,
    target_metadata=metadata,
    # SQLite cannot ALTER most things; batch mode copies the table instead.
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
