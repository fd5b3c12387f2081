"""Wiring of the event catalogue's routes (``/asyncapi.json`` and ``/dashboard/events``), with
the adapters of the registry and of every event subscriber in the store; and the monitored
interfaces, event subscribers' included."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import overload

from fastapi import FastAPI

from adapters.base import Adapter
from adapters.subscribers import adapter_name, for_subscriber
from core_records.bookkeeping import journal
from core_records.subscribers.store import SubscriberStore
from gatehouse.api.openapi import package_version
from gatehouse.bootstrap import Hub
from monitoring.dashboard.event_catalogue import event_catalogue_router
from monitoring.health import Interface

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


class LiveInterfaces(Sequence[Interface]):
    """The monitored interfaces: the registry's, and an outbound one per event subscriber
    (``subscribers.<name>``) read from the store at each use, so that a subscriber added
    while the dashboard runs shows at the next page."""

    def __init__(self, hub: Hub, fixed: Sequence[Interface]) -> None:
        self._hub = hub
        self._fixed = list(fixed)

    def _all(self) -> list[Interface]:
        store = SubscriberStore(self._hub.engine, self._hub.settings.subscriber_secret_key)
        try:
            names = [s.name for s in store.list()]
        except Exception as error:  # the dashboard still shows the partners' interfaces
            log.warning("could not read the event subscribers: %s", error)
            names = []
        return [*self._fixed, *(Interface(adapter_name(n), journal.OUTBOUND) for n in names)]

    @overload
    def __getitem__(self, index: int) -> Interface: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Interface]: ...

    def __getitem__(self, index: int | slice) -> Interface | Sequence[Interface]:
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._all())

    def __iter__(self) -> Iterator[Interface]:
        return iter(self._all())
