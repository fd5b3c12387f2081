"""Admin endpoints for identity and the audit trail; an ``admin``-scoped token only.

    GET  /api/v1/admin/audit                 the trail, newest first (filters: action,
                                             actor, subject, since, until, limit)
    GET  /api/v1/admin/audit.csv             the same as CSV, for export
    GET  /api/v1/admin/identity/cases        possible-match cases (status=open|linked|new|all)
    GET  /api/v1/admin/identity/cases/{id}
    POST /api/v1/admin/identity/cases/{id}/link    {"prisonNumber": "A1234BC"}
    POST /api/v1/admin/identity/cases/{id}/new
    GET  /api/v1/admin/identity/merges       merge history, newest first
    POST /api/v1/admin/identity/merges       {"survivor", "absorbed", "reason"}
    POST /api/v1/admin/identity/merges/{id}/unmerge
    GET  /api/v1/admin/identity/merge-candidates   what ``gatehouse identity dedupe`` found

The acting admin (``admin:<name>``) is recorded on every decision, merge and unmerge.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any

import anyio
import sqlalchemy as sa
from fastapi import APIRouter, Body, Depends, Path, Query, Request, Security
from fastapi.responses import JSONResponse, Response

from core_records.bookkeeping.audit_export import as_csv, audit_rows
from core_records.bookkeeping.credentials import ADMIN, Grant
from core_records.errors import BusinessRuleViolation
from core_records.identity.dedupe import merge_candidates
from core_records.identity.merges import Merges
from core_records.identity.review import IdentityReview
from core_records.store.database import READ_ONLY
from gatehouse.api.auth import bearer_token
from gatehouse.api.models import (
    AuditTrail,
    Decision,
    IdentityCases,
    IdentityCaseView,
    MergeCandidates,
    MergeHistory,
    MergeView,
)
from gatehouse.api.openapi import bearer, problem_responses
from gatehouse.api.problems import problem

Handler = Callable[[str], Any]
"""An admin action, given the acting admin's name."""
RunAsAdmin = Callable[[Request, Handler], Awaitable[Response]]

RowId = Annotated[int, Path(ge=-(2**31), le=2**31 - 1, description="A row's id (32-bit).")]
"""A case's or merge's id: one the store's integer column can hold (beyond it: 422, not a
failed query)."""

# What every admin route may answer besides its own: no admin token, or over the rate.
REFUSED = problem_responses(401, 403, 429)
INVALID = problem_responses(401, 403, 422, 429)
DECIDED = problem_responses(401, 403, 404, 409, 422, 429)
WITH_BODY = problem_responses(400, 401, 403, 404, 409, 422, 429)  # 400: a body not JSON
CSV = {
    200: {
        "description": "The trail as CSV, newest first",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}


def admin_api() -> APIRouter:
    return APIRouter(tags=["admin"], dependencies=[Security(bearer)])


def audit_filters(
    action: str | None = None,
    actor: str | None = None,
    subject: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[str, Any]:
    """The audit trail's filters, as both the JSON and the CSV endpoint take them."""
    return dict(action_prefix=action, actor=actor, subject=subject, since=since, until=until)


def admin_runner(grant: Callable[[str], Grant | None]) -> RunAsAdmin:
    """Runs an action (in a thread) as the request's admin, whose name it is given; answers
    401 or 403 for a token that is not an admin's, 404 for a ``LookupError`` and 409 for a
    ``BusinessRuleViolation``. An action returns a ``Response``, or what becomes JSON."""

    async def admin(request: Request) -> str | JSONResponse:
        token = bearer_token(request)
        found = await anyio.to_thread.run_sync(grant, token) if token else None
        if found is None:
            return problem(401, "unauthorised", "a valid admin token is required")
        if ADMIN not in found.scopes:
            return problem(403, "forbidden", f"{found.partner} is not an admin")
        return found.partner

    async def run(request: Request, action: Handler) -> Response:
        actor = await admin(request)
        if isinstance(actor, JSONResponse):
            return actor
        try:
            result = await anyio.to_thread.run_sync(action, actor)
        except LookupError as error:
            return problem(404, "not_found", str(error.args[0]))
        except BusinessRuleViolation as error:
            return problem(409, "conflict", error.reason)
        return result if isinstance(result, Response) else JSONResponse(result)

    return run


def audit_router(*, engine: sa.Engine, grant: Callable[[str], Grant | None]) -> APIRouter:
    """The audit trail, as JSON and as CSV."""
    router = admin_api()
    run = admin_runner(grant)

    def rows(**filters: Any) -> list[Any]:
        with engine.connect() as connection:
            return audit_rows(connection.execution_options(**READ_ONLY), **filters)

    @router.get("/api/v1/admin/audit", response_model=AuditTrail, responses=INVALID)
    async def audit(
        request: Request,
        filters: Annotated[dict[str, Any], Depends(audit_filters)],
        limit: Annotated[int, Query(ge=1, le=100_000)] = 1000,
    ) -> Response:
        return await run(
            request, lambda _: {"events": [r.as_dict() for r in rows(**filters, limit=limit)]}
        )

    @router.get("/api/v1/admin/audit.csv", response_class=Response, responses={**CSV, **INVALID})
    async def audit_csv(
        request: Request,
        filters: Annotated[dict[str, Any], Depends(audit_filters)],
        limit: Annotated[int, Query(ge=1, le=1_000_000)] = 100_000,
    ) -> Response:
        return await run(
            request,
            lambda _: Response(
                as_csv(rows(**filters, limit=limit)),
                media_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": 'attachment; filename="gatehouse-audit.csv"'},
            ),
        )

    return router


def identity_admin_router(
    *,
    engine: sa.Engine,
    grant: Callable[[str], Grant | None],
    review: IdentityReview,
    merges: Merges,
) -> APIRouter:
    """Possible-match cases and their decisions, merges, and the merge candidates."""
    run = admin_runner(grant)
    router = APIRouter()
    router.include_router(case_routes(run, review))
    router.include_router(merge_routes(run, engine, merges))
    return router


def case_routes(run: RunAsAdmin, review: IdentityReview) -> APIRouter:
    """Possible-match cases and their decisions."""
    router = admin_api()

    @router.get("/api/v1/admin/identity/cases", response_model=IdentityCases, responses=REFUSED)
    async def cases(request: Request, status: str = "open") -> Response:
        wanted = None if status == "all" else status
        return await run(
            request, lambda _: {"cases": [c.as_dict() for c in review.cases(wanted, 500)]}
        )

    @router.get(
        "/api/v1/admin/identity/cases/{case_id}",
        response_model=IdentityCaseView,
        responses=problem_responses(401, 403, 404, 422, 429),
    )
    async def case(request: Request, case_id: RowId) -> Response:
        def find(_: str) -> dict[str, Any]:
            found = review.case(case_id)
            if found is None:
                raise LookupError(f"no identity case {case_id}")
            return found.as_dict()

        return await run(request, find)

    @router.post(
        "/api/v1/admin/identity/cases/{case_id}/link", response_model=Decision, responses=WITH_BODY
    )
    async def link(
        request: Request,
        case_id: RowId,
        prison_number: Annotated[str, Body(alias="prisonNumber", embed=True)],
    ) -> Response:
        return await run(
            request,
            lambda actor: _outcome(
                review.link(case_id, prison_number.strip().upper(), actor=actor)
            ),
        )

    @router.post(
        "/api/v1/admin/identity/cases/{case_id}/new", response_model=Decision, responses=DECIDED
    )
    async def new(request: Request, case_id: RowId) -> Response:
        return await run(request, lambda actor: _outcome(review.new_person(case_id, actor=actor)))

    return router


def merge_routes(run: RunAsAdmin, engine: sa.Engine, merges: Merges) -> APIRouter:
    """Merges, unmerges and the merge candidates."""
    router = admin_api()

    @router.get("/api/v1/admin/identity/merges", response_model=MergeHistory, responses=REFUSED)
    async def history(request: Request) -> Response:
        return await run(request, lambda _: {"merges": [m.as_dict() for m in merges.history(500)]})

    @router.post(
        "/api/v1/admin/identity/merges",
        status_code=201,
        response_model=MergeView,
        responses=WITH_BODY,
    )
    async def merge(
        request: Request,
        survivor: Annotated[str, Body(embed=True)],
        absorbed: Annotated[str, Body(embed=True)],
        reason: Annotated[str, Body(embed=True, min_length=1, max_length=255)],
    ) -> Response:
        return await run(
            request,
            lambda actor: merges.merge(
                survivor.strip().upper(), absorbed.strip().upper(), actor=actor, reason=reason
            ).as_dict(),
        )

    @router.post(
        "/api/v1/admin/identity/merges/{merge_id}/unmerge",
        response_model=MergeView,
        responses=DECIDED,
    )
    async def unmerge(request: Request, merge_id: RowId) -> Response:
        return await run(request, lambda actor: merges.unmerge(merge_id, actor=actor).as_dict())

    @router.get(
        "/api/v1/admin/identity/merge-candidates",
        response_model=MergeCandidates,
        responses=REFUSED,
    )
    async def candidates(request: Request) -> Response:
        def listed(_: str) -> dict[str, Any]:
            with engine.connect() as connection:
                return {"candidates": merge_candidates(connection)}

        return await run(request, listed)

    return router


def _outcome(outcome: Any) -> dict[str, Any]:
    return {
        "messageId": outcome.message_id,
        "status": outcome.status,
        "prisonNumber": outcome.person_key,
    }
