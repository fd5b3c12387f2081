"""A running hub on each backend, its API under uvicorn, and a simulated Delius."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from adapters.transports.local_server import serving
from gatehouse.app import create_app
from gatehouse.bootstrap import Hub
from tests.hub_fixtures import backend, delius, hub, partner_transport

__all__ = ["api", "backend", "delius", "hub", "partner_transport"]


@pytest.fixture
def api(hub: Hub) -> Iterator[str]:
    with serving(create_app(hub), name="gatehouse-api") as base_url:
        yield base_url
