"""Migration 0007 files the names already on record under their name keys, so that people
received before it are found by name too."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa

from core_records.identity.tables import person_name_key
from core_records.store.database import create_engine
from core_records.store.migrate import downgrade, upgrade
from core_records.tables import person, person_name


def test_names_on_record_before_the_migration_get_their_keys(database_url: str) -> None:
    downgrade(database_url, "0001_initial")
    engine = create_engine(database_url)
    now = datetime(2025, 1, 1, tzinfo=UTC)
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.insert(person).values(
                    id=1,
                    prison_number="A0001AA",
                    version=1,
                    date_of_birth=date(1980, 1, 2),
                    sex="M",
                    custody_status="OUTSIDE_PRISON",
                    care_status="NOT_UNDER_PRISON_CARE",
                    created_at=now,
                    updated_at=now,
                )
            )
            connection.execute(
                sa.insert(person_name),
                [
                    {
                        "person_id": 1,
                        "name_type": "CN",
                        "surname": "O'Brien",
                        "forenames": "Seán Paul",
                    },
                    {"person_id": 1, "name_type": "A", "surname": "OBRIEN", "forenames": "SEAN"},
                    {"person_id": 1, "name_type": "A", "surname": "Byrne", "forenames": "Paddy"},
                ],
            )
        upgrade(database_url)
        with engine.connect() as connection:
            keys = connection.execute(
                sa.select(person_name_key.c.key, person_name_key.c.person_id).order_by(
                    person_name_key.c.key
                )
            ).all()
    finally:
        engine.dispose()
    assert [tuple(k) for k in keys] == [("BYRNE|PADDY", 1), ("OBRIEN|SEAN", 1)]
