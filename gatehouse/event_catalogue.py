"""Wiring of the event catalogue's routes: ``/asyncapi.json`` and ``/dashboard/events``,
with the adapters of the registry and of every event subscriber in the store."""

from __future__ import annotations

import logging

from fastapi import FastAPI

from adapters.base import Adapter
from adapters.subscribers import for_subscriber
from core_records.subscribers.store import SubscriberStore
from gatehouse.api.openapi import package_version
from gatehouse.bootstrap import Hub
from monitoring.dashboard.event_catalogue import event_catalogue_router

log = logging.getLogger(__name__)


def receiving_adapters(hub: Hub) -> list[Adapter]:
    """Every adapter of the registry, and one per event subscriber in the store."""
    adapters = list(hub.registry.adapters.values())
    try:
        subscribers = SubscriberStore(hub.engine, hub.settings.subscriber_secret_key).list()
    except Exception as error:  # the catalogue still answers without the subscribers
        log.warning("could not read the event subscribers: %s", error)
        return adapters
    for subscriber in subscribers:
        try:
            adapters.append(
                for_subscriber(subscriber.name, subscriber.event_patterns, subscriber.policy)
            )
        except ValueError as error:
            log.warning("event subscriber %s has a policy in error: %s", subscriber.name, error)
    return adapters


def mount_event_catalogue(app: FastAPI, hub: Hub) -> None:
    app.include_router(event_catalogue_router(lambda: receiving_adapters(hub), package_version()))
