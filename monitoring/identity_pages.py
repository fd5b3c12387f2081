"""The identity review pages, in the dashboard: possible-match cases to decide, and the merge
history.

    GET  /dashboard/identity/cases                   open cases, candidates with evidence
    POST /dashboard/identity/cases/{id}/link         form: prison_number
    POST /dashboard/identity/cases/{id}/new
    GET  /dashboard/identity/merges                  merges, newest first
    POST /dashboard/identity/merges/{id}/unmerge

The same decisions as the admin JSON API (``gatehouse.api.admin``), for a person at a
browser signed in to the dashboard. Operators review and decide cases; undoing a merge
reshapes two records already shared with partners, so it takes an admin. Every action
carries the session's CSRF token (``require_action``) and is audited under the user's name.
"""

# No "from __future__ import annotations": FastAPI reads the Annotated dependencies at run
# time.

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from core_records.errors import BusinessRuleViolation
from core_records.identity.merges import Merges
from core_records.identity.review import IdentityReview
from monitoring.dashboard.users import SignedIn
from monitoring.dashboard.web import (
    PREFIX,
    add_template_directory,
    render,
    require_action,
    require_role,
)

PAGES = f"{PREFIX}/identity"
REVIEWER = "operator"
UNMERGER = "admin"

add_template_directory(Path(__file__).with_name("identity_templates"))

Reviewer = Annotated[SignedIn, Depends(require_role(REVIEWER))]
Deciding = Annotated[SignedIn, Depends(require_action(REVIEWER))]
Unmerging = Annotated[SignedIn, Depends(require_action(UNMERGER))]


def identity_pages_router(*, review: IdentityReview, merges: Merges) -> APIRouter:
    router = APIRouter(prefix=PAGES)

    async def show_cases(request: Request, user: SignedIn, error: str | None = None) -> Response:
        cases = await anyio.to_thread.run_sync(lambda: review.cases("open", 200))
        return render(
            request,
            "identity_cases.html",
            user,
            200 if error is None else 409,
            cases=[c.as_dict() for c in cases],
            error=error,
        )

    async def show_merges(request: Request, user: SignedIn, error: str | None = None) -> Response:
        history = await anyio.to_thread.run_sync(lambda: merges.history(500))
        return render(
            request,
            "identity_merges.html",
            user,
            200 if error is None else 409,
            merges=[m.as_dict() for m in history],
            may_unmerge=user.may(UNMERGER),
            error=error,
        )

    async def act(
        action: Callable[[], object], done: str, refused: Callable[[str], Awaitable[Response]]
    ) -> Response:
        """Do ``action`` and go back to ``done``; a refusal shows the page with the reason."""
        try:
            await anyio.to_thread.run_sync(action)
        except (BusinessRuleViolation, LookupError) as error:
            return await refused(getattr(error, "reason", str(error)))
        return RedirectResponse(done, status_code=303)

    @router.get("/cases")
    async def cases(request: Request, user: Reviewer) -> Response:
        return await show_cases(request, user)

    @router.post("/cases/{case_id}/link")
    async def link(
        request: Request, case_id: int, user: Deciding, prison_number: str = Form(...)
    ) -> Response:
        number = prison_number.strip().upper()
        return await act(
            lambda: review.link(case_id, number, actor=user.username),
            f"{PAGES}/cases",
            lambda error: show_cases(request, user, error),
        )

    @router.post("/cases/{case_id}/new")
    async def new(request: Request, case_id: int, user: Deciding) -> Response:
        return await act(
            lambda: review.new_person(case_id, actor=user.username),
            f"{PAGES}/cases",
            lambda error: show_cases(request, user, error),
        )

    @router.get("/merges")
    async def merge_history(request: Request, user: Reviewer) -> Response:
        return await show_merges(request, user)

    @router.post("/merges/{merge_id}/unmerge")
    async def unmerge(request: Request, merge_id: int, user: Unmerging) -> Response:
        return await act(
            lambda: merges.unmerge(merge_id, actor=user.username),
            f"{PAGES}/merges",
            lambda error: show_merges(request, user, error),
        )

    return router
