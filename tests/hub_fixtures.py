"""Fixtures for a whole hub running in the test process, on each backend, with a simulated
Delius; the end-to-end and AMQP-partner conftests import them.

- ``backend``: the embedded default (SQLite, embedded transport), then production's
  (PostgreSQL, RabbitMQ).
- ``delius``: a simulated Delius receiving over HTTP, as ``(url, receiver)``.
- ``hub``: a running hub on ``backend`` delivering to ``delius``.
- ``partner_transport``: the AMQP partners' own connection to the hub's broker, as another
  process would have.

``delius_and_operators`` runs Delius and every private-prison operator's receiver, for
tests that follow what each operator is told.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from adapters.delius.simulator import DeliusReceiver, running_receiver
from adapters.private_prisons.notice_receiver import NoticeReceiver, running_notice_receiver
from adapters.transports.local_server import serving
from gatehouse.app import create_app
from gatehouse.bootstrap import Hub
from routing.embedded.transport import EmbeddedTransport
from routing.rabbitmq.transport import RabbitTransport
from routing.simulated_partner import Respond, SimulatedAmqpPartner, running_partner
from routing.transport import Transport
from tests.running_hub import hub_settings, running_hub

OPERATORS = ("serco", "sodexo", "g4s")


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
    tmp_path: Path,
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


HttpPartners = tuple[DeliusReceiver, dict[str, NoticeReceiver], dict[str, str]]
"""Delius, each operator's notice receiver by name, and every one's URL by partner name."""


@contextmanager
def delius_and_operators(operators: tuple[str, ...] = OPERATORS) -> Iterator[HttpPartners]:
    """A simulated Delius and a notice receiver for each private-prison operator."""
    with ExitStack() as stack:
        delius_url, delius = stack.enter_context(running_receiver())
        urls, receivers = {"delius": delius_url}, {}
        for operator in operators:
            urls[operator], receivers[operator] = stack.enter_context(
                running_notice_receiver(operator)
            )
        yield delius, receivers, urls


@pytest.fixture
def partner_transport(hub: Hub) -> Iterator[Transport]:
    with partners_connection(hub) as transport:
        yield transport


@contextmanager
def partners_connection(hub: Hub) -> Iterator[Transport]:
    """A transport of the partners' own on the broker ``hub`` uses, closed afterwards."""
    settings = hub.settings
    transport: Transport = (
        RabbitTransport(settings.broker_url, connection_name="simulated partners")
        if settings.broker_url
        else EmbeddedTransport(settings.embedded_queue_path)
    )
    try:
        yield transport
    finally:
        transport.close()


@contextmanager
def serving_hub_with_amqp_partners(
    backend: dict[str, str | None],
    partner_urls: dict[str, str],
    pnc: Respond,
    amqp: dict[str, SimulatedAmqpPartner],
    namespace: str,
    data_dir: Path,
) -> Iterator[tuple[Hub, str]]:
    """A whole hub on ``backend`` serving its API (yields the hub and the API's URL), with
    the HTTP partners at ``partner_urls``, PNC answering over AMQP with ``pnc`` and the
    security application answering nothing; the running AMQP partners go into ``amqp``."""
    settings = hub_settings(
        database_url=backend["database_url"] or "",
        broker_url=backend["broker_url"],
        namespace=namespace,
        data_dir=data_dir,
        delius_url=partner_urls["delius"],
        partner_urls=partner_urls,
    )
    with ExitStack() as stack:
        hub = stack.enter_context(running_hub(settings))
        connection = stack.enter_context(partners_connection(hub))
        for name, respond in (("pnc", pnc), ("security", _answer_nothing)):
            simulated = SimulatedAmqpPartner(connection, name, namespace, respond)
            amqp[name] = stack.enter_context(running_partner(simulated))
        yield hub, stack.enter_context(serving(create_app(hub), name="api"))


def _answer_nothing(message_type: str, body: bytes) -> list[tuple[str, bytes]]:
    return []
