"""Property: whatever fields a partner's policy names and whatever prisons it runs, a
data-share read returns no field outside the policy and no one outside those prisons, and
every read leaves an audit row."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core_records.custody.data_share import READ, DataShare, Reader
from core_records.identifiers import Identifier
from core_records.store.database import create_engine
from core_records.store.record_store import RecordStore
from core_records.tables import audit_event
from tests.integration.core_records.examples import message, particulars, pnc, reception

VIEW_KEYS = (
    "prisonNumber",
    "version",
    "identifiers",
    "names",
    "dateOfBirth",
    "sex",
    "custodyStatus",
    "careStatus",
    "establishment",
    "legalStatus",
    "incentiveLevel",
    "createdAt",
    "updatedAt",
    "bookings",
    "movements",
)
PRISONS = {1: "LEI", 2: "ACI", 3: "MDI"}


@pytest.fixture(scope="module")
def share_engine(postgres_template: str) -> Iterator[sa.Engine]:
    import uuid

    from tests.conftest import _admin_engine, _database_url

    name = f"gh_test_{uuid.uuid4().hex[:10]}"
    admin = _admin_engine()
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{postgres_template}"'))
    engine = create_engine(_database_url(name))
    store = RecordStore(engine)
    for serial, prison in PRISONS.items():
        [outcome] = store.apply([message(reception(particulars(pnc(serial)), prison))])
        assert outcome.status == "applied"
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _reads(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(
            sa.select(sa.func.count()).where(audit_event.c.action == READ)
        ).scalar_one()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    fields=st.frozensets(st.sampled_from(VIEW_KEYS), min_size=1),
    prisons=st.none() | st.frozensets(st.sampled_from(["LEI", "ACI", "MDI", "BXI"])),
    serial=st.sampled_from([*sorted(PRISONS), 99]),
)
def test_a_read_returns_only_policy_fields_of_people_in_the_callers_prisons(
    share_engine: sa.Engine, fields: frozenset[str], prisons: frozenset[str] | None, serial: int
) -> None:
    share = DataShare(share_engine)
    before = _reads(share_engine)
    reader = Reader("someone", fields, prisons)
    view = share.read(reader, pnc(serial), "property test")
    assert _reads(share_engine) == before + 1
    visible = serial in PRISONS and (prisons is None or PRISONS[serial] in prisons)
    if not visible:
        assert view is None
        return
    assert view is not None
    assert set(view) == fields


def test_an_unknown_identifier_type_reads_nothing(share_engine: sa.Engine) -> None:
    reader = Reader("someone", frozenset(VIEW_KEYS))
    assert DataShare(share_engine).read(reader, Identifier("NINO", "AB123456C"), "x") is None
