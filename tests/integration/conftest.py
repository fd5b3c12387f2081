"""Fixtures of the hub-wide integration tests at this level (faults, de-duplication,
observability): a real Delius receiver, and settings for a hub on the real PostgreSQL and
RabbitMQ that delivers to it. A test folder below may define its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.delius.simulator import DeliusReceiver
from gatehouse.settings import Settings
from tests.hub_fixtures import delius  # noqa: F401  (a fixture, used by name)
from tests.running_hub import hub_settings


@pytest.fixture
def settings(
    postgres_url: str,
    rabbitmq_url: str,
    namespace: str,
    tmp_path: Path,
    delius: tuple[str, DeliusReceiver],  # noqa: F811
) -> Settings:
    return hub_settings(
        database_url=postgres_url,
        broker_url=rabbitmq_url,
        namespace=namespace,
        data_dir=tmp_path,
        delius_url=delius[0],
    )
