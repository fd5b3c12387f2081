"""The case-management API for live prisons: staff applications record what happens to the
people a prison holds.

    POST /api/v1/establishments/{code}/movements          (movement-v1)
    POST /api/v1/establishments/{code}/credits            (credit-v1)
    GET  /schemas/case_management/{name}           the published JSON Schemas

Each body is JSON, checked against its published schema. The answers are the inbound
edge's (``gatehouse.api.inbound``), and besides:

    403  the token is not this prison's staff application (a token is issued to one prison)
    404  no prison has that code
    409  the prison is not live: it is on its legacy system, being migrated, or run by its
         operator; the problem names its state
    422  the document breaks its schema or a rule: ``element`` is the JSON path at fault

An accepted document is published on the inbound path as a ``case_management`` message, so
that it meets the same ingest, identity matching and sharing policies as every partner's.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

import anyio
import sqlalchemy as sa
from fastapi import APIRouter, Request, Security
from fastapi.responses import JSONResponse

from adapters.base import PartnerScope
from adapters.case_management import NAME, RESOURCES
from adapters.registry import AdapterRegistry
from core_records import estate
from core_records.bookkeeping.submissions import Submissions
from core_records.errors import UnknownReferenceCode
from core_records.store.database import store_errors
from gatehouse.api.auth import partner_of
from gatehouse.api.document_checks import read_document
from gatehouse.api.inbound import (
    BodyTooLarge,
    RecordHops,
    accept,
    read_capped,
)
from gatehouse.api.models import Accepted
from gatehouse.api.openapi import bearer, problem_responses
from gatehouse.api.problems import problem
from routing.inbound import Publish, Submission
from schemas.json_documents import json_schema_file

SCHEMAS = "case_management"
SCHEMA_JSON = "application/schema+json"


def schema_path(message_type: str) -> str:
    return f"{SCHEMAS}/{message_type}-v1.schema.json"


def _described(message_type: str) -> dict[str, Any]:
    schema = json.loads(json_schema_file(schema_path(message_type)).read_text(encoding="utf-8"))
    return {
        "status_code": 202,
        "response_model": Accepted,
        "responses": {
            202: {"description": "Accepted, once the broker confirmed it durable"},
            **problem_responses(400, 401, 403, 404, 409, 413, 422, 429, 503),
        },
        "openapi_extra": {
            "requestBody": {
                "required": True,
                "description": f"Checked against /schemas/{schema_path(message_type)}",
                "content": {"application/json": {"schema": schema}},
            }
        },
    }


def case_management_router(
    *,
    registry: AdapterRegistry,
    authenticate: Callable[[str], str | None],
    publish: Publish,
    record_hops: RecordHops,
    engine: sa.Engine,
    max_body_bytes: int,
    submissions: Submissions | None = None,
) -> APIRouter:
    router = APIRouter(tags=["case management"])
    adapter = registry.adapter(NAME)
    answer = partial(accept, publish=publish, submissions=submissions, record_hops=record_hops)

    async def receive(code: str, message_type: str, request: Request) -> JSONResponse:
        allowed = await _may_record(code, request, registry, authenticate, engine)
        if isinstance(allowed, JSONResponse):
            return allowed
        partner, scope = allowed
        try:
            body = await read_capped(request, max_body_bytes)
        except BodyTooLarge:
            return problem(413, "too_large", f"the body is over the {max_body_bytes} byte limit")
        inbound_type = adapter.inbound[message_type]
        checked = read_document(inbound_type, body, scope, max_body_bytes)
        if isinstance(checked, JSONResponse):
            return checked
        submission = Submission(
            NAME,
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
        return await answer(submission, inbound_type.reference(checked.document))

    for resource, message_type in RESOURCES.items():
        router.add_api_route(
            f"/api/v1/establishments/{{code}}/{resource}",
            _endpoint(receive, message_type),
            methods=["POST"],
            dependencies=[Security(bearer)],
            name=f"record_{message_type.replace('-', '_')}",
            summary=f"Record a {message_type.replace('-', ' ')} at a live prison",
            **_described(message_type),
        )

    @router.get(
        "/schemas/case_management/{name}",
        responses={
            200: {"description": "The JSON Schema", "content": {SCHEMA_JSON: {}}},
            **problem_responses(404),
        },
    )
    def published_schema(name: str) -> JSONResponse:
        """A published JSON Schema of the case-management API (no token needed)."""
        known = {schema_path(t).split("/", 1)[1] for t in RESOURCES.values()}
        if name not in known:
            return problem(404, "unknown_schema", f"no case-management schema {name!r}")
        text = json_schema_file(f"{SCHEMAS}/{name}").read_text(encoding="utf-8")
        return JSONResponse(json.loads(text), media_type=SCHEMA_JSON)

    return router


async def _may_record(
    code: str,
    request: Request,
    registry: AdapterRegistry,
    authenticate: Callable[[str], str | None],
    engine: sa.Engine,
) -> tuple[str, PartnerScope] | JSONResponse:
    """The partner and its scope when it may record at ``code`` now; else the problem."""
    partner = await partner_of(request, authenticate)
    if isinstance(partner, JSONResponse):
        return partner
    try:
        scope = registry.scope_for_partner(partner)
    except LookupError:
        scope = None
    if scope is None or scope.adapter != NAME or code not in scope.establishments:
        return problem(
            403, "forbidden", f"partner {partner} may not record for establishment {code}"
        )
    state = await anyio.to_thread.run_sync(_state_of, engine, code)
    if state is None:
        return problem(404, "unknown_establishment", f"no prison has the code {code!r}")
    if state.state != estate.LIVE:
        return problem(
            409,
            "establishment_not_live",
            f"{code} ({state.name}) is {_described_state(state)}, not live: it records"
            " through the case-management API only once it has gone live",
            establishment=code,
            state=state.state,
        )
    return partner, scope


def _state_of(engine: sa.Engine, code: str) -> estate.EstablishmentState | None:
    try:
        with store_errors(), engine.connect() as connection:
            return estate.state_of(connection, code)
    except UnknownReferenceCode:
        return None


def _endpoint(receive: Any, message_type: str) -> Callable[..., Any]:
    async def endpoint(code: str, request: Request) -> JSONResponse:
        return await receive(code, message_type, request)  # type: ignore[no-any-return]

    return endpoint


def _described_state(state: estate.EstablishmentState) -> str:
    if state.state == estate.RUN_BY_OPERATOR:
        return "run by its operator"
    if state.state == estate.MIGRATING:
        return "being migrated"
    return f"on its {state.state} system"
