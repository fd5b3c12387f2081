"""Reading the caller's token: ``Authorization: Bearer <token>``, from a request (the routes)
or from an ASGI scope (the rate-limit middleware, which runs before any route). What a token
may do is the credentials store's to say (``core_records.bookkeeping.credentials``)."""

from __future__ import annotations

from collections.abc import Callable

import anyio
from fastapi import Request
from fastapi.responses import JSONResponse
from starlette.types import Scope

from gatehouse.api.problems import problem


def token_of(authorization: str) -> str | None:
    """The token of an ``Authorization`` header value, or None if it is not a Bearer token."""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def bearer_token(request: Request) -> str | None:
    return token_of(request.headers.get("authorization", ""))


async def partner_of(
    request: Request, authenticate: Callable[[str], str | None]
) -> str | JSONResponse:
    """The partner whose token the request carries, or the 401 problem to answer with."""
    token = bearer_token(request)
    partner = await anyio.to_thread.run_sync(authenticate, token) if token else None
    if partner is None:
        return problem(401, "unauthorised", "a valid partner token is required")
    return partner


def bearer_token_in_scope(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            token = token_of(value.decode("latin-1"))
            if token is not None:
                return token
    return None
