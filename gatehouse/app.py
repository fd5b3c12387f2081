"""The ASGI application: the inbound edge, message status and health, on one FastAPI app."""

from __future__ import annotations

from functools import partial

from fastapi import FastAPI

from adapters.transports.data_share_http import data_share_router
from adapters.transports.inbound_http import inbound_router
from adapters.transports.kiosk_http import kiosk_router
from core_records.shared_reads import read_for_partner
from gatehouse.bootstrap import Hub, build_hub
from gatehouse.service_monitoring import mount_monitoring
from monitoring.api import health_router, messages_router
from routing.inbound import publish_inbound


def create_app(hub: Hub) -> FastAPI:
    app = FastAPI(
        title="Gatehouse",
        summary="Integration hub for a prison case management system",
        version="0.1.0",
    )
    app.include_router(
        inbound_router(
            registry=hub.registry,
            authenticate=hub.credentials.authenticate,
            publish=partial(publish_inbound, hub.transport, hub.topology),
            record_hops=hub.journal.record,
            max_body_bytes=hub.settings.max_body_bytes,
        )
    )
    app.include_router(
        messages_router(journal=hub.journal, authenticate=hub.credentials.authenticate)
    )
    app.include_router(
        data_share_router(
            registry=hub.registry,
            authenticate=hub.credentials.authenticate,
            read=partial(read_for_partner, hub.engine),
        )
    )
    app.include_router(health_router({"store": hub.store.ping, "broker": hub.transport.ping}))
    app.include_router(
        kiosk_router(
            registry=hub.registry, authenticate=hub.credentials.authenticate, engine=hub.engine
        )
    )
    app.state.hub = hub
    mount_monitoring(app, hub)
    return app


def app_from_environment() -> FastAPI:
    """For ``uvicorn --factory gatehouse.app:app_from_environment``."""
    return create_app(build_hub())
