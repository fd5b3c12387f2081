"""The dashboard's accounts: sign-in and sign-out, and the admins' page of users."""

from __future__ import annotations

import logging
import math
import secrets
from datetime import datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from core_records.timestamps import utc_now
from monitoring.dashboard.users import ROLES, SignedIn, UserError
from monitoring.dashboard.web import (
    PREFIX,
    SESSION_COOKIE,
    render,
    require_action,
    require_role,
    users_of,
)

log = logging.getLogger(__name__)
SIGN_IN_COOKIE = "gatehouse_sign_in"


def accounts_router(*, secure_cookies: bool) -> APIRouter:
    """Signing in and out, and the admin's page of users."""
    router = APIRouter()
    router.include_router(sign_in_router(secure_cookies=secure_cookies))
    router.include_router(users_router())
    router.include_router(content_grant_router())
    return router


def sign_in_router(*, secure_cookies: bool) -> APIRouter:
    """The sign-in form (with its own CSRF cookie), signing in, and signing out."""
    router = APIRouter()

    @router.get("/sign-in")
    def sign_in_page(request: Request, next: str = PREFIX) -> Response:
        form_token = secrets.token_urlsafe(24)
        response = render(
            request, "sign_in.html", None, next=_safe_next(next), form_token=form_token
        )
        response.set_cookie(
            SIGN_IN_COOKIE,
            form_token,
            httponly=True,
            samesite="strict",
            secure=secure_cookies,
        )
        return response

    @router.post("/sign-in")
    def sign_in(
        request: Request,
        username: Annotated[str, Form()],
        password: Annotated[str, Form()],
        csrf_token: Annotated[str, Form()],
        next: Annotated[str, Form()] = PREFIX,
    ) -> Response:
        expected = request.cookies.get(SIGN_IN_COOKIE, "")
        if not expected or not secrets.compare_digest(expected, csrf_token):
            raise HTTPException(403, "the sign-in form has expired; reload it and try again")
        users, address = users_of(request), _address(request)
        until = users.throttle.locked_until(username, address)
        if until is not None:
            users.throttle.refused(username, address, until)
            return _locked(request, next, expected, until)
        signed = users.sign_in(username, password)
        if signed is None:
            log.info("failed dashboard sign-in for %r from %s", username[:100], address)
            until = users.throttle.failed(username, address)
            if until is not None:
                return _locked(request, next, expected, until)
            return render(
                request, "sign_in.html", None, status_code=401, next=_safe_next(next),
                form_token=expected, error="That user name and password do not match.",
            )  # fmt: skip
        users.throttle.succeeded(username)
        token, session = signed
        response = RedirectResponse(_safe_next(next), status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            token,
            max_age=int((session.expires_at - utc_now()).total_seconds()),
            httponly=True,
            samesite="lax",
            secure=secure_cookies,
        )
        response.delete_cookie(SIGN_IN_COOKIE)
        return response

    @router.post("/sign-out")
    def sign_out(
        request: Request, user: Annotated[SignedIn, Depends(require_action("viewer"))]
    ) -> Response:
        users_of(request).sign_out(request.cookies.get(SESSION_COOKIE, ""))
        response = RedirectResponse(f"{PREFIX}/sign-in", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    return router


def users_router() -> APIRouter:
    """Dashboard users, listed and created by an admin."""
    router = APIRouter()

    @router.get("/users")
    def users_page(
        request: Request,
        user: Annotated[SignedIn, Depends(require_role("admin"))],
        notice: str = "",
    ) -> Response:
        users = users_of(request)
        return render(
            request, "users.html", user, users=users.list(), roles=ROLES,
            lockouts=users.throttle.lockouts(), notice=notice[:200],
        )  # fmt: skip

    @router.post("/users")
    def create_user(
        request: Request,
        user: Annotated[SignedIn, Depends(require_action("admin"))],
        username: Annotated[str, Form()],
        password: Annotated[str, Form()],
        role: Annotated[str, Form()],
    ) -> Response:
        try:
            users_of(request).create(username, password, role, actor=user.username)
            notice = f"Created {role} {username.strip()}."
        except UserError as error:
            notice = str(error)
        return RedirectResponse(f"{PREFIX}/users?notice={_q(notice)}", status_code=303)

    @router.post("/users/{username}/disable")
    def disable_user(
        request: Request,
        username: str,
        user: Annotated[SignedIn, Depends(require_action("admin"))],
    ) -> Response:
        try:
            users_of(request).disable(username, actor=user.username)
            notice = f"Disabled {username}."
        except UserError as error:
            notice = str(error)
        return RedirectResponse(f"{PREFIX}/users?notice={_q(notice)}", status_code=303)

    @router.post("/users/unlock")
    def lift_lockout(
        request: Request,
        user: Annotated[SignedIn, Depends(require_action("admin"))],
        kind: Annotated[str, Form()],
        subject: Annotated[str, Form()],
    ) -> Response:
        try:
            lifted = users_of(request).throttle.unlock(kind, subject, actor=user.username)
            notice = f"Lifted the lockout on {kind} {subject}."
            if not lifted:
                notice = f"The {kind} {subject} is not locked out."
        except ValueError as error:
            notice = str(error)
        return RedirectResponse(f"{PREFIX}/users?notice={_q(notice)}", status_code=303)

    return router


def content_grant_router() -> APIRouter:
    """An admin grants or revokes another user's reading of kept documents."""
    router = APIRouter()

    @router.post("/users/{username}/content")
    def grant_content(
        request: Request,
        username: str,
        user: Annotated[SignedIn, Depends(require_action("admin"))],
        granted: Annotated[bool, Form()],
    ) -> Response:
        # Reading documents is granted by someone else: an admin cannot give it to themselves
        # here (another admin can, or gatehouse users grant-content on the server).
        if username == user.username:
            notice = "You cannot change your own content grant; another admin can."
        else:
            try:
                users_of(request).grant_content(username, granted, actor=user.username)
                notice = (
                    f"{username} may now read kept documents."
                    if granted
                    else f"{username} may no longer read kept documents."
                )
            except UserError as error:
                notice = str(error)
        return RedirectResponse(f"{PREFIX}/users?notice={_q(notice)}", status_code=303)

    return router


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _locked(request: Request, next: str, form_token: str, until: datetime) -> Response:
    # The same words whether or not the user exists, and whether the name or the address is
    # locked: a lockout must not tell anyone which user names are real.
    when = until.strftime("%Y-%m-%d %H:%M UTC")
    response = render(
        request, "sign_in.html", None, status_code=429, next=_safe_next(next),
        form_token=form_token, locked_until=when,
        error=f"Too many failed sign-ins: signing in here is locked until {when}. "
        "An administrator can lift the lock sooner.",
    )  # fmt: skip
    wait_s = max(1, math.ceil((until - utc_now()).total_seconds()))
    response.headers["Retry-After"] = str(wait_s)
    return response


def _safe_next(target: str) -> str:
    # Only back into the dashboard: a sign-in link must not send anyone to another site.
    return target if target.startswith(PREFIX) and not target.startswith("//") else PREFIX


def _q(value: str) -> str:
    return quote(value, safe="")
