"""Retention: what has outlived its period goes, by dropping its month's partition on
PostgreSQL and by deleting rows on SQLite, and nothing inside its period goes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from core_records.bookkeeping.history_tables import message_document
from core_records.bookkeeping.retention import (
    DATA_SHARE_AUDIT,
    DOCUMENTS,
    JOURNAL,
    Retention,
    last_pruned,
)
from core_records.bookkeeping.tables import audit_event, journal
from core_records.store import partitions
from core_records.store.database import create_engine
from core_records.store.migrate import downgrade, upgrade

NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)
PERIODS = {
    DOCUMENTS: timedelta(days=90),
    JOURNAL: timedelta(days=730),
    DATA_SHARE_AUDIT: timedelta(days=2557),
}


def _hop(connection: sa.Connection, at: datetime, message_id: str) -> int:
    return int(
        connection.execute(
            sa.insert(journal)
            .values(message_id=message_id, hop="received", at=at, outcome="ok")
            .returning(journal.c.id)
        ).scalar_one()
    )


def _document(connection: sa.Connection, stored_at: datetime, message_id: str) -> int:
    return int(
        connection.execute(
            sa.insert(message_document)
            .values(
                message_id=message_id,
                interface="delius.outbound",
                direction="outbound",
                content_type="application/json",
                sha256="0" * 64,
                size=2,
                body=b"{}",
                stored_at=stored_at,
            )
            .returning(message_document.c.id)
        ).scalar_one()
    )


def _read(connection: sa.Connection, at: datetime, action: str = "data_share.read") -> int:
    return int(
        connection.execute(
            sa.insert(audit_event)
            .values(at=at, actor="g4s", action=action, subject="person:A1234BC")
            .returning(audit_event.c.id)
        ).scalar_one()
    )


def _ids(engine: sa.Engine, table: sa.Table) -> set[int]:
    with engine.connect() as connection:
        return set(connection.scalars(sa.select(table.c.id)))


def _partition_exists(engine: sa.Engine, name: str) -> bool:
    with engine.connect() as connection:
        in_class = connection.scalar(
            sa.text("SELECT count(*) FROM pg_class WHERE relname = :n"), {"n": name}
        )
        inherits = connection.scalar(
            sa.text(
                "SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                " WHERE c.relname = :n"
            ),
            {"n": name},
        )
    return bool(in_class) or bool(inherits)


def test_on_postgresql_the_migration_keeps_old_rows_and_expiry_drops_their_partition(
    postgres_url: str,
) -> None:
    engine = create_engine(postgres_url)
    try:
        # Rows written before the tables were partitioned, as on a store already in use.
        downgrade(postgres_url, "0013_interface_control")
        old_hop_at = NOW - timedelta(days=800)  # 2024-09: expired for the journal
        kept_hop_at = NOW - timedelta(days=700)  # 2024-12: inside two years
        old_document_at = NOW - timedelta(days=200)  # 2026-04: expired for documents
        kept_document_at = NOW - timedelta(days=30)  # 2026-10: inside ninety days
        with engine.begin() as connection:
            old_hops = {
                _hop(connection, old_hop_at + timedelta(minutes=i), f"o{i}") for i in range(3)
            }
            kept_hops = {
                _hop(connection, kept_hop_at + timedelta(minutes=i), f"k{i}") for i in range(3)
            }
            old_documents = {_document(connection, old_document_at, f"o{i}") for i in range(2)}
            kept_documents = {_document(connection, kept_document_at, f"k{i}") for i in range(2)}
        upgrade(postgres_url)

        assert _ids(engine, journal) == old_hops | kept_hops
        assert _ids(engine, message_document) == old_documents | kept_documents
        with engine.begin() as connection:
            assert partitions.is_partitioned(connection, "journal")
            # New ids carry on after the old ones.
            assert _hop(connection, NOW, "new") > max(old_hops | kept_hops)
        assert _partition_exists(engine, "journal_2024_09")
        assert _partition_exists(engine, "message_document_2026_04")

        done = Retention(engine, PERIODS).prune(now=NOW)

        by_kind = {pruned.kind: pruned for pruned in done}
        assert "journal_2024_09" in by_kind[JOURNAL].partitions_dropped
        assert "message_document_2026_04" in by_kind[DOCUMENTS].partitions_dropped
        assert by_kind[JOURNAL].rows_deleted == 3
        assert by_kind[DOCUMENTS].rows_deleted == 2
        assert not _partition_exists(engine, "journal_2024_09")
        assert not _partition_exists(engine, "message_document_2026_04")
        remaining_hops = _ids(engine, journal)
        assert kept_hops <= remaining_hops
        assert not old_hops & remaining_hops
        assert _ids(engine, message_document) == kept_documents
        # The month of the kept hops, 2024-12, is not wholly past the cutoff: it stays.
        assert _partition_exists(engine, "journal_2024_12")
        with engine.connect() as connection:
            recorded = last_pruned(connection, JOURNAL)
        assert recorded is not None
        assert "journal_2024_09" in recorded.partitions_dropped
        assert recorded.cutoff == NOW - PERIODS[JOURNAL]
    finally:
        engine.dispose()


def test_on_sqlite_expired_rows_are_deleted_in_chunks_and_the_rest_kept(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    try:
        with engine.begin() as connection:
            old_hops = {
                _hop(connection, NOW - timedelta(days=731, minutes=i), f"o{i}") for i in range(5)
            }
            kept_hops = {
                _hop(connection, NOW - timedelta(days=729, minutes=i), f"k{i}") for i in range(5)
            }
            old_documents = {
                _document(connection, NOW - timedelta(days=91), f"o{i}") for i in range(3)
            }
            kept_documents = {
                _document(connection, NOW - timedelta(days=89), f"k{i}") for i in range(3)
            }
            old_reads = {_read(connection, NOW - timedelta(days=2600))}
            kept_reads = {_read(connection, NOW - timedelta(days=2000))}
            # Other audit rows are not the data share's to expire.
            other_audit = {_read(connection, NOW - timedelta(days=2600), "dead_letter.replayed")}

        done = Retention(engine, PERIODS, chunk_rows=2).prune(now=NOW)

        assert {p.kind: p.rows_deleted for p in done} == {
            DOCUMENTS: 3,
            JOURNAL: 5,
            DATA_SHARE_AUDIT: 1,
        }
        assert all(p.partitions_dropped == () for p in done)
        assert _ids(engine, journal) == kept_hops
        assert _ids(engine, message_document) == kept_documents
        assert _ids(engine, audit_event) == kept_reads | other_audit
        assert not old_hops & _ids(engine, journal)
        assert not old_documents & _ids(engine, message_document)
        assert not old_reads & _ids(engine, audit_event)
        with engine.connect() as connection:
            recorded = last_pruned(connection, DOCUMENTS)
        assert recorded is not None
        assert recorded.rows_deleted == 3
    finally:
        engine.dispose()


def test_a_row_exactly_at_the_cutoff_is_kept_and_one_a_moment_older_goes(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    cutoff = NOW - PERIODS[JOURNAL]
    try:
        with engine.begin() as connection:
            at_cutoff = _hop(connection, cutoff, "at-cutoff")
            just_before = _hop(connection, cutoff - timedelta(microseconds=1), "just-before")
            document_at_cutoff = _document(connection, NOW - PERIODS[DOCUMENTS], "at-cutoff")

        Retention(engine, PERIODS).prune(now=NOW)

        hops = _ids(engine, journal)
        assert at_cutoff in hops
        assert just_before not in hops
        assert document_at_cutoff in _ids(engine, message_document)
    finally:
        engine.dispose()


def test_a_dry_run_counts_what_would_go_and_removes_nothing(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            expired = _hop(connection, NOW - timedelta(days=1000), "expired")
        done = Retention(engine, PERIODS).prune(now=NOW, dry_run=True)
        assert {p.kind: p.rows_deleted for p in done}[JOURNAL] == 1
        assert expired in _ids(engine, journal)
        with engine.connect() as connection:
            assert last_pruned(connection, JOURNAL) is None
    finally:
        engine.dispose()


def test_on_postgresql_a_month_added_ahead_takes_its_rows_out_of_the_default_partition(
    postgres_url: str,
) -> None:
    engine = create_engine(postgres_url)
    try:
        far_ahead = partitions.add_months(partitions.month_start(datetime.now(UTC)), 8)
        with engine.begin() as connection:
            early = _hop(connection, far_ahead + timedelta(days=3), "early")
        Retention(engine, PERIODS).prune(now=far_ahead + timedelta(days=1))
        with engine.connect() as connection:
            held = {p.name: p for p in partitions.partitions(connection, "journal")}
            month = f"journal_{far_ahead:%Y_%m}"
            assert month in held
            assert partitions.rows_in(connection, held[month]) == 1
            assert partitions.rows_in(connection, held["journal_default"]) == 0
        assert early in _ids(engine, journal)
    finally:
        engine.dispose()
