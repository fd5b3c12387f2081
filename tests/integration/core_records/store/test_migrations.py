"""Migrations build exactly the schema of ``core_records.tables``, on both databases."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from core_records.custody.reference_data import ReferenceData
from core_records.store.migrate import current_revision, downgrade, head_revision, upgrade
from core_records.tables import agency, metadata
from tests.integration.core_records.examples import row_counts


def _differences(engine: sa.Engine, target: sa.MetaData) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, target))


def test_an_upgraded_database_is_at_the_head_revision(database_url: str) -> None:
    assert head_revision() == "0023_token_purposes"
    assert current_revision(database_url) == head_revision()


def test_the_migrated_schema_is_the_schema_in_tables_py(engine: sa.Engine) -> None:
    assert _differences(engine, metadata) == []


def test_the_schema_comparison_would_notice_a_difference(engine: sa.Engine) -> None:
    changed = sa.MetaData(naming_convention=metadata.naming_convention)
    for table in metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["person"].append_column(sa.Column("nickname", sa.String(20)))
    kinds = [difference[0] for difference in _differences(engine, changed)]  # type: ignore[index]
    assert kinds == ["add_column"]


def test_a_downgrade_to_base_and_an_upgrade_again_rebuild_the_same_schema(
    database_url: str, engine: sa.Engine
) -> None:
    downgrade(database_url, "base")
    assert current_revision(database_url) is None
    assert sa.inspect(engine).get_table_names() == ["alembic_version"]

    upgrade(database_url)
    assert current_revision(database_url) == head_revision()
    assert _differences(engine, metadata) == []
    assert ReferenceData.from_store(engine).require_prison("LEI").name == "Leeds"


def test_upgrading_again_changes_nothing_and_keeps_the_reference_data(
    database_url: str, engine: sa.Engine
) -> None:
    before = row_counts(engine, agency)
    upgrade(database_url)
    assert row_counts(engine, agency) == before
    assert before["agency"] == len(ReferenceData.from_files().agencies)
