"""The inbound HTTP edge: ``POST /api/v1/inbound/{adapter}/{message_type}``.

A partner posts a document with ``Authorization: Bearer <token>``. The edge answers at once:

    401  no token, or one Gatehouse does not know (or has revoked)
    403  the token's partner may not send this adapter's messages, or asks about a prison
         it does not run
    404  the adapter has no such message type
    413  the body is over the size limit
    400  not XML, or hostile XML (a DTD, entities), or for a JSON type not JSON: the
         reason, line and rule (``invalid_xml`` / ``invalid_json``)
    422  a well-formed document that breaks the adapter's schema (XSD, or JSON Schema for
         a JSON type) or rules: the element (or JSON path), line and rule
    503  the broker did not confirm the message (nothing was accepted; send it again)
    202  accepted: the message id, and ``Location: /api/v1/messages/{id}``, given only
         after the broker confirmed the message durable

The edge does not import ``routing``: the composition root hands it a ``publish`` function
that returns once the message is durable, and a ``record_hops`` function for the journal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from adapters.registry import AdapterRegistry
from core_records import journal
from core_records.errors import (
    GatehouseError,
    InvalidIdentifier,
    InvalidMessage,
    NotPermitted,
    PermanentError,
    TransientError,
)
from core_records.journal import Hop

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Submission:
    """A document the edge accepted, to be published to the inbound exchange."""

    adapter: str
    message_type: str
    partner: str
    body: bytes
    received_at: datetime
    correlation_id: str | None
    content_type: str = "application/xml"
    message_id: str | None = None
    """Set by an edge whose messages have natural ids (an order file's lines); else new."""


Publish = Callable[[Submission], str]
"""Publishes a submission and returns its message id once the broker holds it durably;
raises ``TransientError`` when it cannot."""
Authenticate = Callable[[str], str | None]
RecordHops = Callable[[Sequence[Hop]], None]


def problem(status: int, error: str, reason: str, **detail: Any) -> JSONResponse:
    body = {"error": error, "reason": reason, **{k: v for k, v in detail.items() if v is not None}}
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, headers=headers)


def bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


class BodyTooLarge(Exception):
    pass


async def read_capped(request: Request, max_bytes: int) -> bytes:
    """The request body, refusing more than ``max_bytes`` without reading it all."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def inbound_router(
    *,
    registry: AdapterRegistry,
    authenticate: Authenticate,
    publish: Publish,
    record_hops: RecordHops,
    max_body_bytes: int,
    may_post: Callable[[str, str], bool] | None = None,
) -> APIRouter:
    """``may_post(token, message_type)``: whether the token's grant covers the message type
    (a token may be scoped to some of its adapter's types, or to the data share only)."""
    router = APIRouter()

    @router.post("/api/v1/inbound/{adapter_name}/{message_type}", status_code=202)
    async def receive(adapter_name: str, message_type: str, request: Request) -> JSONResponse:
        token = bearer_token(request)
        partner = await anyio.to_thread.run_sync(authenticate, token) if token else None
        if partner is None:
            return problem(401, "unauthorised", "a valid partner token is required")
        try:
            scope = registry.scope_for_partner(partner)
            adapter = registry.adapter(adapter_name) if adapter_name == scope.adapter else None
        except LookupError:
            adapter = None
        if adapter is None:
            return problem(
                403, "forbidden", f"partner {partner} may not send {adapter_name} messages"
            )
        if message_type not in adapter.inbound:
            known = ", ".join(sorted(adapter.inbound)) or "none"
            return problem(
                404,
                "unknown_message_type",
                f"{adapter.name} has no message type {message_type!r} (it has: {known})",
            )
        if may_post is not None and not await anyio.to_thread.run_sync(
            may_post, token, message_type
        ):
            return problem(
                403, "forbidden", f"this token of {partner} may not send {message_type} messages"
            )
        try:
            body = await read_capped(request, max_body_bytes)
        except BodyTooLarge:
            return problem(413, "too_large", f"the body is over the {max_body_bytes} byte limit")

        inbound_type = adapter.inbound[message_type]
        try:
            document = inbound_type.parse(body, max_bytes=max_body_bytes)
        except InvalidMessage as error:
            unreadable = f"invalid_{inbound_type.format}"
            return problem(400, unreadable, error.reason, line=error.line, rule=error.rule)
        try:
            inbound_type.validate(document)
            inbound_type.translate(document, scope)
        except InvalidMessage as error:
            return problem(
                422,
                "invalid_message",
                error.reason,
                element=error.element,
                line=error.line,
                rule=error.rule,
            )
        except InvalidIdentifier as error:
            return problem(422, "invalid_identifier", error.reason, rule="identifier")
        except NotPermitted as error:
            return problem(403, "forbidden", error.reason)
        except PermanentError as error:
            return problem(422, "invalid_message", error.reason)

        received_at = datetime.now(UTC)
        correlation_id = request.headers.get("x-correlation-id", "").strip()[:100] or None
        submission = Submission(
            adapter.name,
            message_type,
            partner,
            body,
            received_at,
            correlation_id,
            inbound_type.content_type,
        )
        try:
            message_id = await anyio.to_thread.run_sync(publish, submission)
        except TransientError as error:
            log.warning("inbound %s/%s not accepted: %s", adapter.name, message_type, error)
            response = problem(
                503, "unavailable", "the message could not be stored durably; send it again"
            )
            response.headers["Retry-After"] = "5"
            return response

        hop = Hop(
            message_id=message_id,
            hop=journal.RECEIVED,
            at=received_at,
            correlation_id=correlation_id or message_id,
            adapter=adapter.name,
            partner=partner,
            direction=journal.INBOUND,
            message_type=message_type,
        )
        try:
            await anyio.to_thread.run_sync(record_hops, [hop])
        except GatehouseError as error:
            log.warning("journal unavailable for %s: %s", message_id, error)
        except Exception:  # the message is durable and will be processed; only the hop is lost
            log.exception("could not journal the receipt of %s", message_id)
        location = f"/api/v1/messages/{message_id}"
        return JSONResponse(
            {"messageId": message_id, "status": "accepted", "statusUrl": location},
            status_code=202,
            headers={"Location": location},
        )

    return router
