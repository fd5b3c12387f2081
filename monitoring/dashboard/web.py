"""What every dashboard page shares: the templates, who is signed in, roles and CSRF.

Another router can join the dashboard by using these::

    @router.get("/dashboard/identity-review")
    def review(request: Request, user: Annotated[SignedIn, Depends(require_role("operator"))]):
        return render(request, "identity_review.html", user, ...)

with its template extending ``base.html`` (``add_template_directory`` makes its own
folder of templates visible). Actions (POST) use ``require_action(role)``, which checks the
form's CSRF token too.
"""

# No "from __future__ import annotations": FastAPI reads the closures' Annotated dependencies
# at run time, and those name a local (the role).

import secrets
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import jinja2
from fastapi import Depends, HTTPException, Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from monitoring.dashboard.users import DashboardUsers, SignedIn

SESSION_COOKIE = "gatehouse_session"
PREFIX = "/dashboard"
templates = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))


def add_template_directory(directory: Path) -> None:
    """Let templates in ``directory`` extend ``base.html`` and be rendered by ``render``."""
    current = templates.env.loader
    assert current is not None
    templates.env.loader = jinja2.ChoiceLoader([current, jinja2.FileSystemLoader(directory)])


def users_of(request: Request) -> DashboardUsers:
    return request.app.state.dashboard_users  # type: ignore[no-any-return]


def signed_in(request: Request) -> SignedIn:
    """The signed-in user; anyone else is sent to the sign-in page, and back afterwards."""
    token = request.cookies.get(SESSION_COOKIE)
    user = users_of(request).session(token) if token else None
    if user is None:
        back = quote(
            request.url.path + (f"?{request.url.query}" if request.url.query else ""), safe=""
        )
        raise HTTPException(
            303, "sign in first", headers={"Location": f"{PREFIX}/sign-in?next={back}"}
        )
    return user


def require_role(role: str) -> Callable[[SignedIn], SignedIn]:
    """A dependency admitting users with ``role`` or a higher one."""

    def dependency(user: Annotated[SignedIn, Depends(signed_in)]) -> SignedIn:
        if not user.may(role):
            raise HTTPException(
                403, f"this needs the {role} role; {user.username} is a {user.role}"
            )
        return user

    return dependency


def require_action(role: str) -> Callable[..., Coroutine[Any, Any, SignedIn]]:
    """For a POST: the user needs ``role``, and the form must carry their CSRF token."""

    async def dependency(
        request: Request, user: Annotated[SignedIn, Depends(require_role(role))]
    ) -> SignedIn:
        form = await request.form()
        sent = form.get("csrf_token")
        if not isinstance(sent, str) or not secrets.compare_digest(sent, user.csrf_token):
            raise HTTPException(
                403,
                "the form did not carry this session's CSRF token; reload the page and try again",
            )
        return user

    return dependency


def render(
    request: Request, template: str, user: SignedIn | None, status_code: int = 200, **context: Any
) -> Response:
    return templates.TemplateResponse(
        request, template, {"user": user, "prefix": PREFIX, **context}, status_code=status_code
    )
