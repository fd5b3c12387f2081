"""Wiring of service monitoring: the interface monitor, the health watch loop with its
alerts, and the dashboard and ``/metrics`` on the app."""

from __future__ import annotations

import logging
import socket
import uuid
from datetime import timedelta
from functools import partial

import sqlalchemy as sa
from fastapi import APIRouter, FastAPI
from fastapi.responses import RedirectResponse

from adapters.registry import AdapterRegistry
from core_records.bookkeeping import journal
from core_records.bookkeeping.audit import AuditEvent, write_audit
from core_records.bookkeeping.interface_control import InterfaceControl, RetrySchedule
from core_records.bookkeeping.message_history import MessageHistory
from core_records.store.database import store_errors
from gatehouse.bootstrap import Hub
from gatehouse.event_catalogue import LiveInterfaces
from gatehouse.interface_control import default_retry_schedule
from monitoring.activity import Activity
from monitoring.alerts import Alerter, EmailNotifier, Notifier, WebhookNotifier
from monitoring.dashboard.interface_control_pages import (
    InterfaceControlServices,
    interface_control_router,
)
from monitoring.dashboard.pages import DashboardServices, dashboard_router
from monitoring.dashboard.users import DashboardUsers
from monitoring.health import Interface
from monitoring.health_history import HealthHistory
from monitoring.metrics import HubCollector, metrics_router
from monitoring.monitor import HealthWatch, InterfaceMonitor
from monitoring.sla import load_sla_rules
from monitoring.throughput import Throughput
from routing.dead_letter_schedule import purge, retry_all
from routing.dead_letters import replay

log = logging.getLogger(__name__)
HEALTH_LEASE = "health-monitor"


def interfaces_of(registry: AdapterRegistry) -> list[Interface]:
    interfaces = []
    for adapter in sorted(registry.adapters.values(), key=lambda a: a.name):
        if adapter.inbound:
            interfaces.append(Interface(adapter.name, journal.INBOUND))
        if adapter.subscriptions:
            interfaces.append(Interface(adapter.name, journal.OUTBOUND))
    return interfaces


def build_monitor(hub: Hub) -> InterfaceMonitor:
    def queue_depth(interface: Interface) -> int | None:
        if interface.direction != journal.INBOUND:
            return _depth(hub, hub.topology.outbound_queue(interface.adapter))
        # Ingest may be in partitions: what waits in all of them.
        depths = [_depth(hub, queue) for queue in hub.topology.ingest_queues]
        return None if None in depths else sum(d for d in depths if d is not None)

    return InterfaceMonitor(
        interfaces=LiveInterfaces(hub, interfaces_of(hub.registry)),
        rules=load_sla_rules(hub.settings.sla_file),
        activity=Activity(hub.engine),
        history=HealthHistory(hub.engine),
        queue_depth=queue_depth,
        event_types={
            name: tuple(sorted(adapter.subscriptions))
            for name, adapter in hub.registry.adapters.items()
        },
    )


def build_health_watch(hub: Hub) -> HealthWatch:
    settings = hub.settings
    notifiers: list[Notifier] = []
    if settings.alert_webhook_url:
        notifiers.append(WebhookNotifier(settings.alert_webhook_url))
    if settings.alert_smtp_host and settings.alert_email_to:
        notifiers.append(
            EmailNotifier(
                settings.alert_smtp_host,
                settings.alert_smtp_port,
                settings.alert_email_from,
                settings.alert_email_to,
            )
        )
    monitor = build_monitor(hub)
    owner = f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}"
    # Held well beyond one round, so that a slow round does not hand the watch over.
    ttl_s = max(30.0, 3 * settings.health_interval_s)
    return HealthWatch(
        monitor,
        Alerter(monitor.history, notifiers),
        claim_lease=partial(hub.store.claim_lease, HEALTH_LEASE, owner, ttl_s),
        release_lease=partial(hub.store.release_lease, HEALTH_LEASE, owner),
        backoff_s=settings.health_interval_s,
    )


def mount_monitoring(app: FastAPI, hub: Hub) -> None:
    """The dashboard under /dashboard (where / leads), and /metrics."""
    monitor = build_monitor(hub)
    app.state.dashboard_users = DashboardUsers(
        hub.engine,
        session_lifetime=timedelta(minutes=hub.settings.dashboard_session_minutes),
        throttle=hub.settings.sign_in_policy,
    )
    services = DashboardServices(
        monitor=monitor,
        journal=hub.journal,
        dead_letters=hub.dead_letters,
        replay=partial(replay, hub.dead_letters, hub.transport),
        audit=partial(_audit, hub.engine),
        throughput=Throughput(hub.engine),
        held_deliveries=hub.holds.waiting,
        secure_cookies=hub.settings.dashboard_secure_cookies,
        documents=MessageHistory(hub.engine),
        retry_schedule=partial(retry_schedule, hub),
    )
    app.include_router(dashboard_router(services))
    app.include_router(interface_control_pages(hub, list(monitor.interfaces)))
    app.include_router(metrics_router(HubCollector(monitor, partial(_queue_depths, hub))))
    app.add_api_route(
        "/", lambda: RedirectResponse("/dashboard", status_code=307), include_in_schema=False
    )


def interface_control_pages(hub: Hub, interfaces: list[Interface]) -> APIRouter:
    """The dashboard's pause and resume, retry-all and purge."""
    return interface_control_router(
        InterfaceControlServices(
            interfaces=interfaces,
            control=InterfaceControl(hub.engine),
            retry_all=lambda interface, actor: retry_all(
                hub.dead_letters, hub.transport, actor, interface
            ),
            purge=lambda interface, actor, reason: purge(
                hub.dead_letters, actor, reason, interface
            ),
        )
    )


def retry_schedule(hub: Hub, interface: str) -> tuple[RetrySchedule, bool]:
    """``interface``'s dead-letter retry schedule, and whether it is its own."""
    own = InterfaceControl(hub.engine).schedules().get(interface)
    return (own, True) if own is not None else (default_retry_schedule(hub), False)


def _audit(engine: sa.Engine, event: AuditEvent) -> None:
    with store_errors(), engine.begin() as connection:
        write_audit(connection, event)


def _queue_depths(hub: Hub) -> dict[str, int | None]:
    queues = [*hub.topology.ingest_queues, hub.topology.dead_letter_queue]
    queues += [hub.topology.outbound_queue(a) for a in sorted(hub.registry.adapters)
               if hub.registry.adapters[a].subscriptions]  # fmt: skip
    return {queue: _depth(hub, queue) for queue in queues}


def _depth(hub: Hub, queue: str) -> int | None:
    try:
        return hub.transport.queue_depth(queue)
    except Exception as error:  # a broker hiccup must not break the dashboard or a scrape
        log.warning("could not read the depth of %s: %s", queue, error)
        return None
