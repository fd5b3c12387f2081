"""Fixtures for real services: RabbitMQ and PostgreSQL, each isolated per test.

A test that needs a service it cannot reach is skipped on a laptop, and fails under
``GATEHOUSE_REQUIRE_SERVICES=1`` (as in CI), so that CI can never pass by skipping.

- ``postgres_url``: a fresh, migrated database per test, cloned from a template migrated
  once per session, dropped afterwards.
- ``sqlite_url``: a fresh, migrated SQLite file per test.
- ``database_url``: both of the above, one after the other (the store must behave the same).
- ``rabbitmq_url`` and ``namespace``: a broker URL, and a topology namespace of the test's
  own whose queues and exchanges are deleted afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from tests.support import delete_rabbitmq_namespace, reachable, service_unavailable

# Every event raised anywhere in the suite, in this process or a worker it starts, is
# checked against the event catalogue (schemas/events/) as it is written to the outbox.
os.environ.setdefault("GATEHOUSE_VALIDATE_EVENTS", "1")


def _install_event_validation() -> None:
    from core_records.store.outbox import check_events_with
    from schemas.catalogue import validate_event

    check_events_with(validate_event)


_install_event_validation()

RABBITMQ_URL = os.environ.get(
    "GATEHOUSE_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/%2F"
)
POSTGRES_ADMIN_URL = os.environ.get(
    "GATEHOUSE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


# --- PostgreSQL -----------------------------------------------------------------------------


def _admin_engine():  # type: ignore[no-untyped-def]
    import sqlalchemy as sa

    return sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)


def _database_url(name: str) -> str:
    parts = urlsplit(POSTGRES_ADMIN_URL)
    return parts._replace(path=f"/{name}").geturl()


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """The name of a database migrated to head once per session, to clone per test."""
    if not reachable(POSTGRES_ADMIN_URL, 5432):
        service_unavailable(f"PostgreSQL at {POSTGRES_ADMIN_URL}")
    import sqlalchemy as sa

    from core_records.store.migrate import upgrade

    name = f"gh_template_{uuid.uuid4().hex[:10]}"
    admin = _admin_engine()
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = _database_url(name)
    upgrade(url)
    try:
        yield name
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_url(postgres_template: str) -> Iterator[str]:
    import sqlalchemy as sa

    name = f"gh_test_{uuid.uuid4().hex[:10]}"
    admin = _admin_engine()
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{postgres_template}"'))
    try:
        yield _database_url(name)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path) -> str:  # type: ignore[no-untyped-def]
    from core_records.store.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'gatehouse.sqlite3'}"
    upgrade(url)
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """A fresh migrated store, once on SQLite and once on PostgreSQL."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return request.getfixturevalue(fixture)


# --- RabbitMQ -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def rabbitmq_url() -> str:
    if not reachable(RABBITMQ_URL, 5672):
        service_unavailable(f"RabbitMQ at {RABBITMQ_URL}")
    return RABBITMQ_URL


@pytest.fixture
def namespace(request: pytest.FixtureRequest) -> Iterator[str]:
    """A topology namespace used by this test alone; on RabbitMQ its queues and exchanges
    are deleted when the test ends."""
    name = f"t{uuid.uuid4().hex[:10]}"
    yield name
    if "rabbitmq_url" in request.fixturenames:
        delete_rabbitmq_namespace(request.getfixturevalue("rabbitmq_url"), name)
