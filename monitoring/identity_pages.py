"""The identity review pages: possible-match cases to decide, and the merge history.

    GET  /admin/identity/cases                   open cases, candidates with their evidence
    POST /admin/identity/cases/{id}/link         form: prison_number
    POST /admin/identity/cases/{id}/new
    GET  /admin/identity/merges                  merges, newest first
    POST /admin/identity/merges/{id}/unmerge
    GET|POST /admin/identity/sign-in             an admin token, kept in a cookie

The same decisions as the admin JSON API (``monitoring.identity_api``), for a person at a
browser. Sign-in takes an ``admin``-scoped token and keeps it in an HttpOnly, SameSite=Strict
cookie, checked against the store on every request (a revoked token is out at once);
SameSite=Strict keeps other sites from posting the forms. The templates stand alone; when
the dashboard (issue 5) is merged they can extend its ``base.html`` instead.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from core_records.credentials import ADMIN, Grant
from core_records.errors import BusinessRuleViolation
from core_records.identity_review import IdentityReview
from core_records.merges import Merges

COOKIE = "gatehouse_identity_admin"
PREFIX = "/admin/identity"
templates = Jinja2Templates(directory=str(Path(__file__).with_name("identity_templates")))


def identity_pages_router(
    *, grant: Callable[[str], Grant | None], review: IdentityReview, merges: Merges
) -> APIRouter:
    router = APIRouter(prefix=PREFIX)

    async def admin(request: Request) -> str | None:
        token = request.cookies.get(COOKIE)
        found = await anyio.to_thread.run_sync(grant, token) if token else None
        return found.partner if found is not None and ADMIN in found.scopes else None

    def page(request: Request, template: str, status: int = 200, **context: Any) -> Response:
        return templates.TemplateResponse(request, template, context, status_code=status)

    def to_sign_in() -> Response:
        return RedirectResponse(f"{PREFIX}/sign-in", status_code=303)

    @router.get("/sign-in")
    async def sign_in_form(request: Request) -> Response:
        return page(request, "sign_in.html", admin="")

    @router.post("/sign-in")
    async def sign_in(request: Request, token: str = Form("")) -> Response:
        found = await anyio.to_thread.run_sync(grant, token.strip()) if token.strip() else None
        if found is None or ADMIN not in found.scopes:
            return page(request, "sign_in.html", 401, admin="", error="not a valid admin token")
        response = RedirectResponse(f"{PREFIX}/cases", status_code=303)
        response.set_cookie(
            COOKIE,
            token.strip(),
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path=PREFIX,
        )
        return response

    async def show_cases(request: Request, actor: str, error: str | None = None) -> Response:
        cases = await anyio.to_thread.run_sync(lambda: review.cases("open", 200))
        status = 200 if error is None else 409
        return page(
            request,
            "cases.html",
            status,
            admin=actor,
            cases=[c.as_dict() for c in cases],
            error=error,
        )

    @router.get("/cases")
    async def cases(request: Request) -> Response:
        actor = await admin(request)
        return to_sign_in() if actor is None else await show_cases(request, actor)

    @router.post("/cases/{case_id}/link")
    async def link(request: Request, case_id: int, prison_number: str = Form(...)) -> Response:
        actor = await admin(request)
        if actor is None:
            return to_sign_in()
        number = prison_number.strip().upper()
        return await decide(request, actor, lambda: review.link(case_id, number, actor=actor))

    @router.post("/cases/{case_id}/new")
    async def new(request: Request, case_id: int) -> Response:
        actor = await admin(request)
        if actor is None:
            return to_sign_in()
        return await decide(request, actor, lambda: review.new_person(case_id, actor=actor))

    async def decide(request: Request, actor: str, action: Callable[[], object]) -> Response:
        try:
            await anyio.to_thread.run_sync(action)
        except (BusinessRuleViolation, LookupError) as error:
            return await show_cases(request, actor, getattr(error, "reason", str(error)))
        return RedirectResponse(f"{PREFIX}/cases", status_code=303)

    async def show_merges(request: Request, actor: str, error: str | None = None) -> Response:
        history = await anyio.to_thread.run_sync(lambda: merges.history(500))
        return page(
            request,
            "merges.html",
            200 if error is None else 409,
            admin=actor,
            merges=[m.as_dict() for m in history],
            error=error,
        )

    @router.get("/merges")
    async def merge_history(request: Request) -> Response:
        actor = await admin(request)
        return to_sign_in() if actor is None else await show_merges(request, actor)

    @router.post("/merges/{merge_id}/unmerge")
    async def unmerge(request: Request, merge_id: int) -> Response:
        actor = await admin(request)
        if actor is None:
            return to_sign_in()
        try:
            await anyio.to_thread.run_sync(lambda: merges.unmerge(merge_id, actor=actor))
        except (BusinessRuleViolation, LookupError) as error:
            return await show_merges(request, actor, getattr(error, "reason", str(error)))
        return RedirectResponse(f"{PREFIX}/merges", status_code=303)

    return router
