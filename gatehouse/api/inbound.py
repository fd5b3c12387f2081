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
    409  the partner speaks for a prison that has gone live, whose legacy feed is refused
         (``legacy_feed_refused``); or the partner's reference for the message (its
         ``MessageReference``, or the ``Idempotency-Key`` header) was used before for a
         different document: the original message id and the reference
    503  with ``Retry-After``: the message could not be published (the broker refused it,
         or could not be reached): nothing was accepted, send it again; or the broker's
         confirm was lost (its channel closed first): the message may have been stored,
         and a resend with the same reference is answered as the first post
    202  accepted: the message id, and ``Location: /api/v1/messages/{id}``, given only
         after the broker confirmed the message durable; a resend of a document already
         accepted (same partner, reference and body) gets the same answer, with the
         original message id, and makes no second message

Resends. Every document a partner posts carries its own reference, unique per message
(``InboundType.reference``; for a format with none, an ``Idempotency-Key`` header). The edge
claims (partner, reference) in the store before publishing
(``core_records.bookkeeping.submissions``),
so a partner that lost the answer (a timeout, a dropped connection, a 503) can and should
send the same document again: it is answered as the first was. When the broker's confirm is
lost, the edge publishes once more under the same message id (the ingest inbox applies a
message id once) before answering 503; a later resend does the same.

The edge knows no transport: it builds a ``routing.inbound.Submission``, and the composition
root hands it a ``publish`` function that returns once the message is durable, and a
``record_hops`` function for the journal.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from typing import Any

import anyio
from fastapi import APIRouter, Request, Security
from fastapi.responses import JSONResponse

from adapters.base import InboundType, PartnerScope
from adapters.registry import AdapterRegistry
from core_records.bookkeeping import journal
from core_records.bookkeeping.journal import Hop
from core_records.bookkeeping.submissions import MAX_REFERENCE_LENGTH, Submissions
from core_records.errors import (
    ConfirmUncertain,
    GatehouseError,
    InvalidMessage,
    TransientError,
)
from gatehouse.api.auth import bearer_token
from gatehouse.api.document_checks import read_document
from gatehouse.api.models import Accepted
from gatehouse.api.openapi import bearer, inbound_request_body, problem_responses
from gatehouse.api.problems import problem
from gatehouse.api.resends import publish_once
from routing.inbound import Publish, Submission
from routing.log_context import bound

log = logging.getLogger(__name__)

IDEMPOTENCY_KEY = "Idempotency-Key"
"""The header that carries the partner's reference where the document has none."""
RETRY_AFTER_S = "5"


Authenticate = Callable[[str], str | None]
RecordHops = Callable[[Sequence[Hop]], None]


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


def partner_reference(inbound_type: InboundType, document: Any, request: Request) -> str | None:
    """The partner's reference for the message: the document's own, or where the format has
    none, the ``Idempotency-Key`` header; None if neither (then resends are not recognised).
    ``InvalidMessage`` for a header that cannot be a reference."""
    if inbound_type.reference_at is not None:
        return inbound_type.reference(document)
    key = request.headers.get(IDEMPOTENCY_KEY)
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_REFERENCE_LENGTH or not key.isprintable():
        raise InvalidMessage(
            f"the {IDEMPOTENCY_KEY} header must be 1 to {MAX_REFERENCE_LENGTH} printable "
            "characters",
            rule="idempotency-key",
        )
    return key


RESPONSES: dict[int | str, dict[str, Any]] = {
    202: {
        "description": "Accepted, once the broker confirmed it durable (a resend of an "
        "accepted document: the same answer, with Idempotent-Replayed: true)",
        "headers": {
            "Location": {"description": "The message's status URL", "schema": {"type": "string"}}
        },
    },
    **problem_responses(400, 401, 403, 404, 409, 413, 422, 429, 503),
}


def _described(registry: AdapterRegistry) -> dict[str, Any]:
    """The route's description in the OpenAPI: its answers, its body and its headers."""
    return {
        "status_code": 202,
        "response_model": Accepted,
        "responses": RESPONSES,
        "openapi_extra": _openapi_extra(registry),
    }


def _openapi_extra(registry: AdapterRegistry) -> dict[str, Any]:
    """The request body, and the headers the edge reads besides the token."""
    headers = [
        {
            "name": IDEMPOTENCY_KEY,
            "in": "header",
            "required": False,
            "description": "The partner's reference for a message whose format has none.",
            "schema": {"type": "string", "maxLength": MAX_REFERENCE_LENGTH},
        },
        {
            "name": "X-Correlation-Id",
            "in": "header",
            "required": False,
            "description": "Carried through the journal with everything the message causes.",
            "schema": {"type": "string"},
        },
    ]
    return {**inbound_request_body(registry), "parameters": headers}


def inbound_router(
    *,
    registry: AdapterRegistry,
    authenticate: Authenticate,
    publish: Publish,
    record_hops: RecordHops,
    max_body_bytes: int,
    may_post: Callable[[str, str], bool] | None = None,
    submissions: Submissions | None = None,
    refusal: Callable[[str, PartnerScope], str | None] | None = None,
) -> APIRouter:
    """``may_post(token, message_type)``: whether the token's grant covers the message type
    (a token may be scoped to some of its adapter's types, or to the data share only).
    ``submissions``: where references are claimed (None: resends are not recognised).
    ``refusal(adapter, scope)``: why to refuse a live prison's legacy feed (409), or None."""
    router = APIRouter(tags=["inbound"], dependencies=[Security(bearer)])
    answer = partial(accept, publish=publish, submissions=submissions, record_hops=record_hops)

    @router.post("/api/v1/inbound/{adapter_name}/{message_type}", **_described(registry))
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
        if (refused := await _refused_feed(refusal, adapter.name, scope)) is not None:
            return refused
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
        checked = read_document(inbound_type, body, scope, max_body_bytes)
        if isinstance(checked, JSONResponse):
            return checked
        document = checked.document
        try:
            reference = partner_reference(inbound_type, document, request)
        except InvalidMessage as error:
            return problem(400, "invalid_idempotency_key", error.reason, rule=error.rule)

        submission = Submission(
            adapter.name,
            message_type,
            partner,
            body,
            datetime.now(UTC),
            request.headers.get("x-correlation-id", "").strip()[:100] or None,
            inbound_type.content_type,
            message_id=str(uuid.uuid4()),
            person_key=checked.person_key,
            schema_checked=True,
        )
        return await answer(submission, reference)

    return router


async def _refused_feed(
    refusal: Callable[[str, PartnerScope], str | None] | None, adapter: str, scope: PartnerScope
) -> JSONResponse | None:
    """409 for a partner whose feed is refused outright (``routing.estate_gate``)."""
    why = None if refusal is None else await anyio.to_thread.run_sync(refusal, adapter, scope)
    return None if why is None else problem(409, "legacy_feed_refused", why)


async def accept(
    submission: Submission,
    reference: str | None,
    *,
    publish: Publish,
    submissions: Submissions | None,
    record_hops: RecordHops,
) -> JSONResponse:
    """Publish an accepted document (once per reference) and answer the partner."""
    # Every record logged while the edge handles the post names the message.
    message_id = submission.message_id
    with bound(message_id=message_id, correlation_id=submission.correlation_id or message_id):
        what = f"{submission.adapter}/{submission.message_type}"
        try:
            outcome = await anyio.to_thread.run_sync(
                publish_once, publish, submissions, submission, reference
            )
        except ConfirmUncertain as error:
            log.warning("inbound %s %s not confirmed: %s", what, submission.message_id, error)
            return not_confirmed(submission, reference)
        except TransientError as error:
            log.warning("inbound %s not accepted: %s", what, error)
            response = problem(
                503,
                "unavailable",
                "the message could not be stored durably: nothing was accepted; send it again",
            )
            response.headers["Retry-After"] = RETRY_AFTER_S
            return response
        if outcome.conflict:
            return problem(
                409,
                "reference_reused",
                f"{submission.partner} already sent a different message with the reference "
                f"{reference!r}: message {outcome.message_id}; give each message its own "
                "reference",
                messageId=outcome.message_id,
                reference=reference,
            )
        if outcome.published:
            await journal_receipt(record_hops, replace(submission, message_id=outcome.message_id))
        location = f"/api/v1/messages/{outcome.message_id}"
        headers = {"Location": location}
        if outcome.repeat:
            headers["Idempotent-Replayed"] = "true"
        return JSONResponse(
            {"messageId": outcome.message_id, "status": "accepted", "statusUrl": location},
            status_code=202,
            headers=headers,
        )


async def journal_receipt(record_hops: RecordHops, submission: Submission) -> None:
    message_id = submission.message_id or ""
    hop = Hop(
        message_id=message_id,
        hop=journal.RECEIVED,
        at=submission.received_at,
        correlation_id=submission.correlation_id or message_id,
        adapter=submission.adapter,
        partner=submission.partner,
        direction=journal.INBOUND,
        message_type=submission.message_type,
    )
    try:
        await anyio.to_thread.run_sync(record_hops, [hop])
    except GatehouseError as error:
        log.warning("journal unavailable for %s: %s", message_id, error)
    except Exception:  # the message is durable and will be processed; only the hop is lost
        log.exception("could not journal the receipt of %s", message_id)


def not_confirmed(submission: Submission, reference: str | None) -> JSONResponse:
    """503 for a message the broker may hold: never "nothing was stored"."""
    if reference is not None:
        advice = (
            f"send the same document again (reference {reference!r}): it will be answered as "
            "this post would have been, and stored once"
        )
    else:
        advice = (
            f"a resend may be stored twice unless it carries an {IDEMPOTENCY_KEY} header; "
            f"the status URL says whether message {submission.message_id} arrived"
        )
    location = f"/api/v1/messages/{submission.message_id}"
    response = problem(
        503,
        "unconfirmed",
        f"the broker did not confirm the message: it may have been stored; {advice}",
        messageId=submission.message_id,
        reference=reference,
        statusUrl=location,
    )
    response.headers["Retry-After"] = RETRY_AFTER_S
    return response
