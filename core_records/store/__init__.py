"""The store: where a batch of inbound messages changes the record, in one transaction.

Public surface (import from the modules; this package re-exports nothing, see
``core_records``):

    record_store.RecordStore, ApplyOutcome   apply messages; outbox, leases, person view
    unit_of_work.UnitOfWork     what handlers read and write the record through
    batch_state.BatchState      an area's read-ahead for one batch (the canteen's)
    database.create_engine, store_errors, READ_ONLY   SQLite or PostgreSQL, set up alike
    migrate.upgrade, downgrade  schema migrations (``migrations/``), then reference data
    schema.metadata, BigId, Id  the one MetaData every area defines its tables on
    tables                      inbox, outbox, relay lease
    outbox, leases              the outbox rows, the relay's lease

Inside: ``kept_back`` (rows written at the end of a batch, undone for a refused message),
``reservations`` and ``keys`` (numbers and keys taken ahead).
"""
