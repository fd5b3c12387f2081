"""Helpers for tests that use real services; fixtures live in ``conftest.py``."""

from __future__ import annotations

import os
import socket
from typing import Any
from urllib.parse import urlsplit

import pytest

REQUIRE_SERVICES = os.environ.get("GATEHOUSE_REQUIRE_SERVICES") == "1"


def reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url.replace("+psycopg", ""))
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), 2
        ):
            return True
    except OSError:
        return False


def service_unavailable(what: str) -> None:
    """Skip the test, or fail it when services are required."""
    message = f"{what} is not reachable"
    if REQUIRE_SERVICES:
        pytest.fail(f"{message}, and GATEHOUSE_REQUIRE_SERVICES=1 forbids skipping", pytrace=False)
    pytest.skip(message)


def delete_rabbitmq_namespace(url: str, namespace: str) -> None:
    """Delete a test's exchanges, and the queues it recorded with ``remember_topology``.

    Without the management plugin AMQP cannot list queues, so a test that declares a
    topology on RabbitMQ records it; the ``namespace`` fixture then deletes what was recorded.
    """
    import pika
    import pika.exceptions

    from routing.topology import (
        dead_letter_exchange_name,
        events_exchange_name,
        inbound_exchange_name,
    )

    names = DECLARED_QUEUES.pop(namespace, set()) | _default_queue_names(namespace)
    try:
        connection = pika.BlockingConnection(pika.URLParameters(url))
    except pika.exceptions.AMQPError:
        return
    try:
        channel = connection.channel()
        for queue in sorted(names):
            channel.queue_delete(queue)
        for exchange in sorted(
            {
                inbound_exchange_name(namespace),
                events_exchange_name(namespace),
                dead_letter_exchange_name(namespace),
                *_default_partner_exchanges(namespace),
                *DECLARED_EXCHANGES.pop(namespace, set()),
            }
        ):
            channel.exchange_delete(exchange)
    except pika.exceptions.AMQPError:
        pass
    finally:
        if connection.is_open:
            connection.close()


def _default_queue_names(namespace: str) -> set[str]:
    """The queues a hub on default settings declares in ``namespace``: a test that runs the
    CLI or an Airflow task in its namespace gets those, whatever delay tiers its own hub had."""
    from adapters.registry import AdapterRegistry
    from gatehouse.bootstrap import amqp_partners
    from gatehouse.settings import DEFAULT_DELAY_TIERS_MS
    from routing.topology import build_topology, partner_topology

    registry = AdapterRegistry.from_entry_points()
    hub = build_topology(
        registry.subscriptions(), namespace=namespace, delay_tiers_ms=DEFAULT_DELAY_TIERS_MS
    )
    partners = partner_topology(amqp_partners(registry), namespace=namespace)
    return set(hub.all_queue_names) | set(partners.all_queue_names)


def _default_partner_exchanges(namespace: str) -> set[str]:
    """The AMQP partners' own exchanges a hub on default settings declares in ``namespace``
    (``<ns>.partner.pnc.in``, ...), which a test running worker processes never records."""
    from adapters.registry import AdapterRegistry
    from gatehouse.bootstrap import amqp_partners
    from routing.topology import partner_topology

    registry = AdapterRegistry.from_entry_points()
    partners = partner_topology(amqp_partners(registry), namespace=namespace)
    return {exchange.name for exchange in partners.exchanges}


DECLARED_EXCHANGES: dict[str, set[str]] = {}
"""Exchange names declared per namespace beyond the hub's three (AMQP partners' own)."""
DECLARED_QUEUES: dict[str, set[str]] = {}
"""Queue names declared per namespace during a test; ``remember_topology`` fills it."""


def remember_topology(topology: Any) -> None:
    """Record a topology's queues so that the ``namespace`` fixture deletes them."""
    DECLARED_QUEUES.setdefault(topology.namespace, set()).update(topology.all_queue_names)
    DECLARED_EXCHANGES.setdefault(topology.namespace, set()).update(
        exchange.name for exchange in topology.exchanges
    )
