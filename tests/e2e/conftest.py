"""A running hub on each backend, its API under uvicorn, and a simulated Delius."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from adapters.delius.simulator import DeliusReceiver, running_receiver
from adapters.transports.local_server import serving
from gatehouse.app import create_app
from gatehouse.bootstrap import Hub
from tests.running_hub import hub_settings, running_hub


@pytest.fixture(params=["embedded", "rabbitmq"])
def backend(request: pytest.FixtureRequest, tmp_path: Any) -> dict[str, str | None]:
    """The embedded default (SQLite, embedded transport) or production's (PostgreSQL,
    RabbitMQ)."""
    if request.param == "embedded":
        return {"database_url": request.getfixturevalue("sqlite_url"), "broker_url": None}
    return {
        "database_url": request.getfixturevalue("postgres_url"),
        "broker_url": request.getfixturevalue("rabbitmq_url"),
    }


@pytest.fixture
def delius() -> Iterator[tuple[str, DeliusReceiver]]:
    with running_receiver() as (url, receiver):
        yield url, receiver


@pytest.fixture
def hub(
    backend: dict[str, str | None],
    delius: tuple[str, DeliusReceiver],
    namespace: str,
    tmp_path: Any,
) -> Iterator[Hub]:
    settings = hub_settings(
        database_url=backend["database_url"] or "",
        broker_url=backend["broker_url"],
        namespace=namespace,
        data_dir=tmp_path,
        delius_url=delius[0],
    )
    with running_hub(settings) as running:
        yield running


@pytest.fixture
def api(hub: Hub) -> Iterator[str]:
    with serving(create_app(hub), name="gatehouse-api") as base_url:
        yield base_url
