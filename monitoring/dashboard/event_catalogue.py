"""The event catalogue, published: the AsyncAPI document and the dashboard's events page.

    GET /asyncapi.json       the catalogue as AsyncAPI 3.0, without sign-in (as /openapi.json)
    GET /dashboard/events    each event type: description, schema, who receives it, and where
                             its naming differs from the justice domain's (viewers and above)

Who receives an event type is each adapter whose subscriptions and policy let it, and each
event subscriber whose patterns and policy do, read from the store on every request so that
a subscriber added a moment ago shows.
"""

# No "from __future__ import annotations": FastAPI reads the Annotated dependencies at run
# time.

import json
from collections.abc import Callable, Iterable
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from adapters.base import Adapter
from monitoring.dashboard.users import SignedIn
from monitoring.dashboard.web import PREFIX, render, require_role
from schemas.asyncapi import asyncapi_document
from schemas.catalogue import catalogue, event_types

Viewer = Annotated[SignedIn, Depends(require_role("viewer"))]


def recipients(adapters: Iterable[Adapter]) -> dict[str, list[str]]:
    """Event type to the adapters (and subscribers) that receive it."""
    found: dict[str, list[str]] = {t: [] for t in event_types()}
    for adapter in adapters:
        for event_type in found:
            if event_type in adapter.subscriptions and adapter.policy.allows(event_type):
                found[event_type].append(adapter.name)
    return {t: sorted(names) for t, names in found.items()}


def event_catalogue_router(adapters: Callable[[], list[Adapter]], version: str) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/asyncapi.json")
    def asyncapi() -> Response:
        return JSONResponse(asyncapi_document(version=version, recipients=recipients(adapters())))

    @router.get(f"{PREFIX}/events")
    def events_page(request: Request, user: Viewer) -> Response:
        receiving = recipients(adapters())
        entries = [
            {
                **entry,
                "recipients": receiving.get(entry["eventType"], []),
                "schemaText": json.dumps(entry["schema"], indent=2) if entry["schema"] else "",
            }
            for entry in catalogue()
        ]
        return render(request, "events.html", user, entries=entries)

    return router
