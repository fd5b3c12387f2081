"""A running hub on each backend with a simulated Delius, and a transport of PNC's own (as
another process would have) for simulated AMQP partners."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from adapters.delius.simulator import DeliusReceiver, running_receiver
from gatehouse.bootstrap import Hub
from routing.embedded import EmbeddedTransport
from routing.rabbitmq import RabbitTransport
from routing.transport import Transport
from tests.running_hub import hub_settings, running_hub


@pytest.fixture(params=["embedded", "rabbitmq"])
def backend(request: pytest.FixtureRequest) -> dict[str, str | None]:
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
def partner_transport(hub: Hub) -> Iterator[Transport]:
    """The partners' own connection to the broker the hub uses."""
    settings = hub.settings
    transport: Transport = (
        RabbitTransport(settings.broker_url, connection_name="simulated partners")
        if settings.broker_url
        else EmbeddedTransport(settings.embedded_queue_path)
    )
    yield transport
    transport.close()
