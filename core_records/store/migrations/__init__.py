"""Alembic migrations of the record store; run them with ``core_records.store.migrate.upgrade``."""
