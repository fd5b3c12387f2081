"""``GATEHOUSE_DATABASE_SSLMODE`` on the real PostgreSQL: the engine and the migration
commands connect as it says. (The local server may have no TLS, so only ``disable`` and
``prefer`` are tried: ``prefer`` takes TLS exactly when the server offers it.)"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from core_records.store.database import create_engine
from core_records.store.migrate import current_revision, head_revision
from gatehouse.settings import Settings


@pytest.mark.parametrize("sslmode", ["disable", "prefer"])
def test_the_store_connects_as_sslmode_says(postgres_url: str, sslmode: str) -> None:
    settings = Settings(database_url=postgres_url, database_sslmode=sslmode)
    engine = create_engine(settings.store_url)
    try:
        with engine.connect() as connection:
            encrypted = connection.execute(
                sa.text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            ).scalar_one()
            server_offers_tls = connection.execute(sa.text("SHOW ssl")).scalar_one() == "on"
    finally:
        engine.dispose()
    assert encrypted is (sslmode == "prefer" and server_offers_tls)
    # The migration commands take the same URL, TLS parameters and all.
    assert current_revision(settings.store_url) == head_revision()
