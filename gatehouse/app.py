"""The ASGI application: the inbound edge, message status and health, on one FastAPI app;
every error it answers is an RFC 9457 problem (``gatehouse.api.problems``)."""

from __future__ import annotations

from functools import partial

from fastapi import FastAPI

from core_records.bookkeeping.replays import ReplayRuns
from core_records.custody.data_share import DataShare
from core_records.identity.merges import Merges
from core_records.identity.review import IdentityReview
from gatehouse.api.admin import audit_router, identity_admin_router
from gatehouse.api.case_management import case_management_router
from gatehouse.api.data_share import data_share_router
from gatehouse.api.inbound import inbound_router
from gatehouse.api.interface_admin import interface_admin_router
from gatehouse.api.kiosks import kiosk_router
from gatehouse.api.messages import health_router, messages_router
from gatehouse.api.openapi import install_openapi, package_version
from gatehouse.api.problems import install_problem_handlers
from gatehouse.api.rate_limit import PartnerRateLimit, RateLimits
from gatehouse.api.replays import outbound_adapters, replay_router
from gatehouse.bootstrap import Hub, build_hub, rate_limiter
from gatehouse.event_catalogue import mount_event_catalogue
from gatehouse.information_governance import mount_information_governance
from gatehouse.partner_policies import subscriber_policies
from gatehouse.service_monitoring import mount_monitoring
from monitoring.business import BusinessFigures
from monitoring.dashboard.business_pages import business_router
from monitoring.dashboard.estate_pages import estate_router
from monitoring.dashboard.migration_pages import migration_report_router
from monitoring.dashboard.replay_pages import replay_pages_router
from monitoring.estate import estate_overview
from monitoring.identity_pages import identity_pages_router
from monitoring.metrics import install_request_metrics
from routing.estate_gate import EstateGate
from routing.estate_release import go_live
from routing.inbound import publish_inbound


def create_app(hub: Hub) -> FastAPI:
    app = FastAPI(
        title="Gatehouse",
        summary="Integration hub for a prison case management system",
        version=package_version(),
    )
    install_openapi(app)
    app.include_router(
        inbound_router(
            registry=hub.registry,
            authenticate=hub.credentials.authenticate,
            publish=partial(publish_inbound, hub.transport, hub.topology),
            record_hops=hub.journal.record,
            max_body_bytes=hub.settings.max_body_bytes,
            may_post=hub.credentials.may_post,
            submissions=hub.submissions,
            refusal=EstateGate(hub.engine, hub.registry).refusal,
        )
    )
    app.include_router(
        case_management_router(
            registry=hub.registry,
            authenticate=hub.credentials.authenticate,
            publish=partial(publish_inbound, hub.transport, hub.topology),
            record_hops=hub.journal.record,
            engine=hub.engine,
            max_body_bytes=hub.settings.max_body_bytes,
            submissions=hub.submissions,
        )
    )
    app.include_router(
        messages_router(journal=hub.journal, authenticate=hub.credentials.authenticate)
    )
    app.include_router(health_router({"store": hub.store.ping, "broker": hub.transport.ping}))
    include_identity(app, hub)
    app.include_router(
        kiosk_router(
            registry=hub.registry, authenticate=hub.credentials.authenticate, engine=hub.engine
        )
    )
    app.state.hub = hub
    mount_monitoring(app, hub)
    mount_information_governance(app, hub)
    mount_event_catalogue(app, hub)
    app.include_router(business_router(BusinessFigures(hub.engine)))
    app.include_router(migration_report_router(hub.engine))
    app.include_router(
        estate_router(partial(estate_overview, hub.engine, hub.registry), partial(_go_live, hub))
    )
    app.include_router(
        replay_pages_router(
            ReplayRuns(hub.engine), partial(outbound_adapters, hub), hub.settings.replay_rate_per_s
        )
    )
    install_request_metrics(app)  # outermost middleware: times every request, 429s too
    # Last, so that every error of every route (the dashboard's too) is a problem document.
    install_problem_handlers(app)
    return app


def include_identity(app: FastAPI, hub: Hub) -> None:
    """The data share, the identity admin API and per-partner rate limits."""
    settings = hub.settings
    app.include_router(
        data_share_router(
            registry=hub.registry,
            grant=hub.credentials.grant,
            share=DataShare(hub.engine, hub.store.match_rules),
            subscriber_policy=subscriber_policies(hub),
        )
    )
    app.include_router(audit_router(engine=hub.engine, grant=hub.credentials.grant))
    app.include_router(interface_admin_router(hub, hub.credentials.grant))
    app.include_router(replay_router(hub, hub.credentials.grant))
    app.include_router(
        identity_admin_router(
            engine=hub.engine,
            grant=hub.credentials.grant,
            review=IdentityReview(hub.store),
            merges=Merges(hub.engine),
        )
    )
    app.include_router(  # HTML pages, not part of the API's description
        identity_pages_router(review=IdentityReview(hub.store), merges=Merges(hub.engine)),
        include_in_schema=False,
    )
    limiter = rate_limiter(settings, hub.engine)
    hub.on_close(limiter.close)
    limits = RateLimits(
        settings.partner_rate_per_s,
        settings.partner_rate_burst,
        settings.partner_rate_overrides,
        limiter=limiter,
    )
    app.add_middleware(PartnerRateLimit, limits=limits, identify=hub.credentials.authenticate)


def _go_live(hub: Hub, code: str, actor: str) -> object:
    """The dashboard's go-live: the held legacy messages applied, then the prison live."""
    return go_live(
        hub.store, hub.registry, code, actor=actor, max_body_bytes=hub.settings.max_body_bytes
    )


def app_from_environment() -> FastAPI:
    """For ``uvicorn --factory gatehouse.app:app_from_environment``."""
    return create_app(build_hub())
