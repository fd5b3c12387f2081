"""Reference data is loaded into the store by the migration, and read back the same."""

from __future__ import annotations

import sqlalchemy as sa

from core_records.custody.reference_data import ReferenceData, load_reference_data
from core_records.store.record_store import RecordStore
from core_records.tables import agency, movement_reason
from tests.integration.core_records.examples import message, particulars, pnc, reception


def test_the_store_holds_the_same_reference_data_as_the_files(engine: sa.Engine) -> None:
    stored, files = ReferenceData.from_store(engine), ReferenceData.from_files()
    assert dict(stored.agencies) == dict(files.agencies)
    assert dict(stored.movement_reasons) == dict(files.movement_reasons)
    assert dict(stored.alert_codes) == dict(files.alert_codes)
    assert dict(stored.alert_types) == dict(files.alert_types)
    assert dict(stored.incentive_levels) == dict(files.incentive_levels)
    assert dict(stored.legal_statuses) == dict(files.legal_statuses)


def test_loading_again_restores_a_changed_row_and_keeps_a_retired_one(engine: sa.Engine) -> None:
    with engine.begin() as connection:
        connection.execute(sa.update(agency).where(agency.c.code == "LEI").values(name="Leeds X"))
        connection.execute(
            sa.insert(movement_reason).values(movement_type="REL", code="OLD", description="Old")
        )
    load_reference_data(engine)
    stored = ReferenceData.from_store(engine)
    assert stored.require_prison("LEI").name == "Leeds"
    assert stored.require_movement_reason("REL", "OLD") == "Old"


def test_a_store_checks_codes_against_its_cached_reference_data_until_reloaded(
    engine: sa.Engine,
) -> None:
    store = RecordStore(engine)
    received = reception(particulars(pnc(1)), "NEWI")
    assert store.apply([message(received)])[0].status == "rejected"  # NEWI is not a prison yet
    with engine.begin() as connection:
        connection.execute(
            sa.insert(agency).values(code="NEWI", name="New", agency_type="INST", contracted=False)
        )
    assert store.apply([message(received)])[0].status == "rejected"  # still cached
    store.reload_reference_data()
    assert store.apply([message(received)])[0].status == "applied"
