"""libpq's TLS settings reach every connection to a PostgreSQL store: through the URL's
query, which the psycopg dialect turns into connect arguments."""

from __future__ import annotations

from pathlib import Path

import pytest

from core_records.store.database import create_engine, with_tls
from gatehouse.settings import Settings

URL = "postgresql://gatehouse@db.example/gatehouse"


def _connect_args(url: str) -> dict[str, object]:
    engine = create_engine(url)
    try:
        _, arguments = engine.dialect.create_connect_args(engine.url)
        return dict(arguments)
    finally:
        engine.dispose()


def test_sslmode_and_certificates_from_the_settings_reach_the_engines_connect_args() -> None:
    settings = Settings(
        database_url=URL,
        database_sslmode="verify-full",
        database_sslrootcert=Path("/etc/gatehouse/db-ca.pem"),
        database_sslcert=Path("/etc/gatehouse/db-client.pem"),
        database_sslkey=Path("/etc/gatehouse/db-client.key"),
    )
    arguments = _connect_args(settings.store_url)
    assert arguments["sslmode"] == "verify-full"
    assert arguments["sslrootcert"] == "/etc/gatehouse/db-ca.pem"
    assert arguments["sslcert"] == "/etc/gatehouse/db-client.pem"
    assert arguments["sslkey"] == "/etc/gatehouse/db-client.key"
    assert arguments["host"] == "db.example"


def test_without_tls_settings_the_url_is_left_alone() -> None:
    assert with_tls(URL) == URL
    assert "sslmode" not in _connect_args(Settings(database_url=URL).store_url)


@pytest.mark.parametrize(
    ("url", "options", "refusal"),
    [
        (URL, {"sslmode": "verify_full"}, "sslmode 'verify_full' is not one of disable, allow"),
        ("sqlite:////tmp/x.sqlite3", {"sslmode": "require"}, "PostgreSQL store only, not sqlite"),
        (f"{URL}?sslmode=disable", {"sslmode": "require"}, "sets sslmode=disable and the settings"),
    ],
)
def test_tls_settings_that_cannot_apply_are_refused(
    url: str, options: dict[str, str], refusal: str
) -> None:
    with pytest.raises(ValueError, match=refusal):
        with_tls(url, **options)  # type: ignore[arg-type]


def test_the_same_setting_in_the_url_is_not_a_conflict() -> None:
    assert "sslmode=require" in with_tls(f"{URL}?sslmode=require", sslmode="require")
