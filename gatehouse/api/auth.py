"""Reading the caller's token: ``Authorization: Bearer <token>``, from a request (the routes)
or from an ASGI scope (the rate-limit middleware, which runs before any route). What a token
may do is the credentials store's to say (``core_records.bookkeeping.credentials``)."""

from __future__ import annotations

from fastapi import Request
from starlette.types import Scope


def token_of(authorization: str) -> str | None:
    """The token of an ``Authorization`` header value, or None if it is not a Bearer token."""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def bearer_token(request: Request) -> str | None:
    return token_of(request.headers.get("authorization", ""))


def bearer_token_in_scope(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            token = token_of(value.decode("latin-1"))
            if token is not None:
                return token
    return None
