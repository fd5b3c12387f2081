"""A running hub on each backend with a simulated Delius, and a transport of PNC's own (as
another process would have) for simulated AMQP partners."""

from __future__ import annotations

from tests.hub_fixtures import backend, delius, hub, partner_transport

__all__ = ["backend", "delius", "hub", "partner_transport"]
