"""The API's error answers, every one an RFC 9457 problem (``application/problem+json``):

    {"type": "/problems/not-found", "title": "Not found", "status": 404,
     "detail": "no message 6f1c... from serco", "instance": "/api/v1/messages/6f1c...",
     "error": "not_found", "reason": "no message 6f1c... from serco", ...}

``type`` is a path this API serves: ``/problems`` lists every problem type with its title
and meaning (``PROBLEM_TYPES``, the one registry), ``/problems/<slug>`` describes one.
``instance`` is the request's path. Extension members: ``error`` (the type's short code)
and ``reason`` (the same text as ``detail``), kept for partners that read them, and where
they apply ``rule``, ``line`` and ``element`` (what in the document was wrong), and
``messageId``, ``reference``, ``statusUrl``.

Routes answer with ``problem(status, error, reason, **members)``; the app's exception
handlers (``install_problem_handlers``) turn routing's 404 and 405, request validation's 422
(raised before any route runs, so before it authenticates) and the dashboard's
``HTTPException`` into the same shape.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from gatehouse.api.models import ProblemTypes, ProblemTypeView

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
TYPES_PATH = "/problems"


@dataclass(frozen=True)
class ProblemType:
    """One kind of refusal: ``error`` is its short code, ``title`` the same for every
    occurrence, ``meaning`` what it tells a partner and what to do."""

    error: str
    title: str
    meaning: str

    @property
    def slug(self) -> str:
        return self.error.replace("_", "-")

    @property
    def uri(self) -> str:
        return f"{TYPES_PATH}/{self.slug}"

    def as_dict(self) -> dict[str, str]:
        return {"type": self.uri, "error": self.error, "title": self.title, "meaning": self.meaning}


_TYPES = (
    ProblemType("bad_request", "Bad request", "The request could not be read as sent."),
    ProblemType(
        "invalid_xml",
        "Unreadable XML document",
        "The body is not well-formed XML, or is hostile (a DTD, entities): `line` and `rule` "
        "say where and which rule. Fix the document; sending it again unchanged will fail.",
    ),
    ProblemType(
        "invalid_json",
        "Unreadable JSON document",
        "The body is not JSON, or nests too deep: `line` and `rule` say where and which rule.",
    ),
    ProblemType(
        "invalid_idempotency_key",
        "Invalid Idempotency-Key",
        "The Idempotency-Key header is not a usable reference: `rule` names what it broke.",
    ),
    ProblemType(
        "purpose_required",
        "Purpose required",
        "A read of people's records must say why: add ?purpose=... (it is audited).",
    ),
    ProblemType(
        "purpose_not_granted",
        "Purpose not granted",
        "The token was issued to read for the purposes `purposes` lists, not this one.",
    ),
    ProblemType(
        "invalid_identifier",
        "Invalid identifier",
        "A person's identifier (prison number, PNC id, CRO number...) is not of its form.",
    ),
    ProblemType("invalid_date", "Invalid date", "A date is not YYYY-MM-DD."),
    ProblemType(
        "unauthorised",
        "Unauthorised",
        "No bearer token, or one Gatehouse does not know, has revoked or that has expired.",
    ),
    ProblemType(
        "forbidden",
        "Forbidden",
        "The token is valid but may not do this: another adapter's messages, a prison its "
        "partner does not run, a scope it was not given.",
    ),
    ProblemType("not_found", "Not found", "Nothing is recorded under that name or id."),
    ProblemType(
        "unknown_message_type",
        "Unknown message type",
        "The adapter has no such message type; `detail` lists the ones it has.",
    ),
    ProblemType("no_route", "No such route", "No route of the API answers this path (see /docs)."),
    ProblemType(
        "method_not_allowed",
        "Method not allowed",
        "The path exists but not for this method; the Allow header lists the methods it takes.",
    ),
    ProblemType(
        "conflict",
        "Conflict",
        "The request contradicts what is recorded (a case decided already, for example).",
    ),
    ProblemType(
        "legacy_feed_refused",
        "Legacy feed refused",
        "The prison is live on the case-management API: its legacy system (LIDS) may no "
        "longer send. Record the event through /api/v1/establishments/{code}/... instead.",
    ),
    ProblemType(
        "establishment_not_live",
        "Establishment not live",
        "The case-management API takes a prison's events only once it is live; `detail` names "
        "its state (legacy or migrating). Until then its legacy system sends them.",
    ),
    ProblemType(
        "unknown_establishment",
        "Unknown establishment",
        "No prison has this code (see the establishments in the reference data).",
    ),
    ProblemType(
        "unknown_schema",
        "Unknown schema",
        "No published JSON Schema has this name.",
    ),
    ProblemType(
        "reference_reused",
        "Message reference reused",
        "The partner's reference was used before for a different document: `messageId` "
        "names the original. Give each message its own reference.",
    ),
    ProblemType(
        "too_large",
        "Body too large",
        "The body is over the size limit (GATEHOUSE_MAX_BODY_BYTES); `detail` says the limit.",
    ),
    ProblemType(
        "unsupported_media_type",
        "Unsupported media type",
        "The body's Content-Type is not one this route reads.",
    ),
    ProblemType(
        "invalid_request",
        "Invalid request",
        "A path or query parameter, header or body field is missing or not of its form: "
        "`element` names the first (e.g. query.surname), `rule` the check it failed, and "
        "`detail` lists every one.",
    ),
    ProblemType(
        "invalid_message",
        "Invalid message",
        "A well-formed document breaks the adapter's schema (XSD, JSON Schema) or rules: "
        "`element`, `line` and `rule` say where and which.",
    ),
    ProblemType(
        "rate_limited",
        "Too many requests",
        "The partner is over its request rate: wait the Retry-After header's seconds.",
    ),
    ProblemType(
        "internal_error",
        "Internal error",
        "The hub failed while answering; it is logged. Nothing can be assumed accepted.",
    ),
    ProblemType(
        "unavailable",
        "Service unavailable",
        "The message could not be stored durably: nothing was accepted; send it again after "
        "the Retry-After header's seconds.",
    ),
    ProblemType(
        "unconfirmed",
        "Not confirmed",
        "The broker did not confirm the message: it may have been stored. Send it again with "
        "the same reference (it is answered as the first post) or read `statusUrl`.",
    ),
)
PROBLEM_TYPES: Mapping[str, ProblemType] = {kind.error: kind for kind in _TYPES}
"""Every problem type the API answers with, by its ``error`` code."""

# The code of an HTTPException raised without one (routing, the dashboard), by status.
_BY_STATUS = {
    400: "bad_request",
    401: "unauthorised",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}
_RESERVED = frozenset({"type", "title", "status", "detail", "instance", "error", "reason"})

_request_path: ContextVar[str | None] = ContextVar("problem_instance", default=None)


def problem_body(
    status: int, error: str, reason: str, *, instance: str | None = None, **members: Any
) -> dict[str, Any]:
    """The problem document; ``members`` that are None are left out. ``instance`` defaults
    to the path of the request being answered (``ProblemInstance``)."""
    clash = _RESERVED.intersection(members)
    if clash:
        raise ValueError(f"{', '.join(sorted(clash))} is a member problem() sets itself")
    kind = PROBLEM_TYPES.get(error)
    body: dict[str, Any] = {
        # A code no one registered still answers by the RFC: about:blank and the status.
        "type": kind.uri if kind else "about:blank",
        "title": kind.title if kind else _phrase(status),
        "status": status,
        "detail": reason,
    }
    instance = instance or _request_path.get()
    if instance:
        body["instance"] = instance
    body.update(error=error, reason=reason)
    body.update({name: value for name, value in members.items() if value is not None})
    return body


def problem(status: int, error: str, reason: str, **members: Any) -> JSONResponse:
    """An error answer, ``application/problem+json`` (see the module). A 401 names the
    Bearer scheme in ``WWW-Authenticate``."""
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(
        problem_body(status, error, reason, **members),
        status_code=status,
        headers=headers,
        media_type=PROBLEM_JSON,
    )


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class ProblemInstance:
    """ASGI middleware: the request's path, for every problem answered while it runs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = _request_path.set(scope.get("path") or None)
        try:
            await self.app(scope, receive, send)
        finally:
            _request_path.reset(token)


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    if error.status_code < 400:  # the dashboard's "sign in first" redirect
        return await http_exception_handler(request, error)
    routing = error.detail == _phrase(error.status_code)  # Starlette's own 404 and 405
    code = _BY_STATUS.get(error.status_code, "")
    if routing and error.status_code == 404:
        code = "no_route"
    reason = str(error.detail)
    if routing and error.status_code == 404:
        reason = f"no route answers {request.url.path}"
    elif routing and error.status_code == 405:
        reason = f"{request.url.path} does not take {request.method}"
    response = problem(error.status_code, code, reason, instance=request.url.path)
    for name, value in (error.headers or {}).items():
        response.headers[name] = value
    return response


async def _invalid_request(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    faults = [
        (".".join(str(part) for part in fault.get("loc", ())), fault.get("type"), fault["msg"])
        for fault in error.errors()
    ]
    reason = "; ".join(f"{where or 'the request'}: {message}" for where, _, message in faults)
    first = faults[0] if faults else ("", None, "")
    return problem(
        422,
        "invalid_request",
        reason or "the request is not valid",
        instance=request.url.path,
        element=first[0] or None,
        rule=first[1],
    )


async def _internal_error(request: Request, error: Exception) -> Response:
    # Starlette logs the exception itself once this answer is sent.
    return problem(
        500, "internal_error", "the hub failed answering this request", instance=request.url.path
    )


def install_problem_handlers(app: FastAPI) -> None:
    """Every error the app answers, whichever route or layer raised it, as a problem; and
    the problem types' pages."""
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(Exception, _internal_error)
    app.include_router(problem_types_router())
    app.add_middleware(ProblemInstance)


def problem_types_router() -> APIRouter:
    """``/problems`` (JSON, or an HTML page for a browser) and ``/problems/<slug>``."""
    router = APIRouter(tags=["problems"])
    by_slug = {kind.slug: kind for kind in _TYPES}

    @router.get(
        TYPES_PATH,
        response_model=ProblemTypes,
        responses={200: {"content": {"text/html": {"schema": {"type": "string"}}}}},
    )
    async def problem_types(request: Request) -> Response:
        if "text/html" in request.headers.get("accept", ""):
            return HTMLResponse(_page(_TYPES))
        return JSONResponse({"problemTypes": [kind.as_dict() for kind in _TYPES]})

    @router.get(
        TYPES_PATH + "/{slug}",
        response_model=ProblemTypeView,
        responses={
            200: {"content": {"text/html": {"schema": {"type": "string"}}}},
            404: {
                "description": "No such problem type",
                "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
            },
        },
    )
    async def problem_type(slug: str, request: Request) -> Response:
        kind = by_slug.get(slug)
        if kind is None:
            return problem(404, "not_found", f"no problem type {slug!r}; {TYPES_PATH} lists them")
        if "text/html" in request.headers.get("accept", ""):
            return HTMLResponse(_page((kind,)))
        return JSONResponse(kind.as_dict())

    return router


def _page(kinds: tuple[ProblemType, ...]) -> str:
    rows = "\n".join(
        f'<tr id="{kind.slug}"><td><code>{kind.uri}</code></td><td><code>{kind.error}</code>'
        f"</td><td>{html.escape(kind.title)}</td><td>{html.escape(kind.meaning)}</td></tr>"
        for kind in kinds
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>Gatehouse problem types</title></head><body><h1>Problem types</h1>"
        "<p>Every error Gatehouse answers is <code>application/problem+json</code> (RFC 9457) "
        "with one of these <code>type</code>s.</p><table><thead><tr><th>type</th><th>error</th>"
        f"<th>title</th><th>meaning</th></tr></thead><tbody>\n{rows}\n</tbody></table>"
        "</body></html>"
    )
