"""Monitoring endpoints: a message's status and hops, liveness and readiness."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import anyio
from fastapi import APIRouter, Request, Security
from fastapi.responses import JSONResponse

from core_records.bookkeeping.journal import Journal
from core_records.errors import GatehouseError
from gatehouse.api.auth import partner_of
from gatehouse.api.models import Live, MessageStatus, Readiness
from gatehouse.api.openapi import bearer, problem_responses
from gatehouse.api.problems import problem
from monitoring.trace import trace_of


def messages_router(*, journal: Journal, authenticate: Callable[[str], str | None]) -> APIRouter:
    router = APIRouter(tags=["messages"], dependencies=[Security(bearer)])

    @router.get(
        "/api/v1/messages/{message_id}",
        response_model=MessageStatus,
        responses=problem_responses(401, 404, 429),
    )
    async def message_status(message_id: str, request: Request) -> JSONResponse:
        partner = await partner_of(request, authenticate)
        if isinstance(partner, JSONResponse):
            return partner
        trace = trace_of(message_id, await anyio.to_thread.run_sync(journal.trace, message_id))
        # A partner sees only its own messages; anyone else's is "not found", so as not to
        # reveal that it exists.
        if trace is None or trace.partner != partner:
            return problem(404, "not_found", f"no message {message_id} from {partner}")
        return JSONResponse(trace.as_dict())

    return router


def health_router(checks: Mapping[str, Callable[[], None]]) -> APIRouter:
    """``/health/live`` answers while the process runs; ``/health/ready`` runs each check
    (the store, the broker) and answers 503 naming any that failed."""
    router = APIRouter(tags=["health"])

    @router.get("/health/live", response_model=Live)
    async def live() -> dict[str, str]:
        return {"status": "live"}

    @router.get(
        "/health/ready",
        response_model=Readiness,
        responses={503: {"model": Readiness, "description": "A check failed"}},
    )
    async def ready() -> JSONResponse:
        results: dict[str, str] = {}
        for name, check in checks.items():
            try:
                with anyio.fail_after(5):
                    await anyio.to_thread.run_sync(check, abandon_on_cancel=True)
                results[name] = "ok"
            except TimeoutError:
                results[name] = "timed out"
            except GatehouseError as error:
                results[name] = error.reason
            except Exception as error:
                results[name] = f"{type(error).__name__}: {error}"
        ok = all(result == "ok" for result in results.values())
        return JSONResponse(
            {"status": "ready" if ok else "unavailable", "checks": results},
            status_code=200 if ok else 503,
        )

    return router
