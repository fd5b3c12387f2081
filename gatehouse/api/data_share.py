"""The data share over HTTP: read-only, for partners whose token has the ``data-share`` scope.

    GET /api/v1/people/{identifier}?purpose=...
        one person by prison number, CRN, PNC id or CRO number
    GET /api/v1/people?surname=...&forenames=...&dateOfBirth=YYYY-MM-DD&purpose=...
        people who may be the one described, best first

    401  no token, or one unknown, revoked or expired
    403  the token lacks the data-share scope, or the partner's policy shares no fields
    400  no purpose given and none to take from the grant (the problem names the
         choices when there are several), or a bad identifier or date
    404  not on record, or outside the caller's rows (its policy's ``rows = "own_prisons"``):
         the same answer, word for word, so that a refusal does not reveal a person
    200  the person (or people) with only the fields the caller's policy allows

Every read is audited (``core_records.custody.data_share``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Query, Request, Security
from fastapi.responses import JSONResponse

from adapters.base import OWN_PRISONS
from adapters.registry import AdapterRegistry
from core_records.bookkeeping.credentials import DATA_SHARE, Grant
from core_records.custody.data_share import DataShare, Reader, identifier_from_text
from core_records.errors import InvalidIdentifier
from gatehouse.api.auth import bearer_token
from gatehouse.api.models import People
from gatehouse.api.openapi import bearer, problem_responses
from gatehouse.api.problems import problem

Purpose = Annotated[str | None, Query(max_length=200, description="Why the caller reads.")]


def data_share_router(
    *, registry: AdapterRegistry, grant: Callable[[str], Grant | None], share: DataShare
) -> APIRouter:
    router = APIRouter(tags=["data share"], dependencies=[Security(bearer)])

    async def reader_with_purpose(
        request: Request, purpose: str | None
    ) -> tuple[Reader, str] | JSONResponse:
        return await _reader_with_purpose(request, purpose, registry, grant)

    @router.get(
        "/api/v1/people/{identifier:path}",
        response_model=dict[str, Any],
        responses=problem_responses(400, 401, 403, 404, 422, 429),
        description="The person, with only the fields the caller's policy shares.",
    )
    async def read_person(
        identifier: str, request: Request, purpose: Purpose = None
    ) -> JSONResponse:
        allowed = await reader_with_purpose(request, purpose)
        if isinstance(allowed, JSONResponse):
            return allowed
        reader, why = allowed
        try:
            wanted = identifier_from_text(identifier)
        except InvalidIdentifier as error:
            return problem(400, "invalid_identifier", error.reason)
        view = await anyio.to_thread.run_sync(share.read, reader, wanted, why)
        if view is None:
            return problem(404, "not_found", f"no person {identifier} is on record")
        return JSONResponse(view)

    @router.get(
        "/api/v1/people",
        response_model=People,
        responses=problem_responses(400, 401, 403, 422, 429),
    )
    async def search_people(
        request: Request,
        surname: Annotated[str, Query(min_length=1, max_length=100)],
        date_of_birth: Annotated[str, Query(alias="dateOfBirth")],
        forenames: Annotated[str, Query(max_length=200)] = "",
        purpose: Purpose = None,
    ) -> JSONResponse:
        allowed = await reader_with_purpose(request, purpose)
        if isinstance(allowed, JSONResponse):
            return allowed
        reader, why = allowed
        try:
            born = date.fromisoformat(date_of_birth)
        except ValueError:
            return problem(400, "invalid_date", f"dateOfBirth {date_of_birth!r} is not YYYY-MM-DD")
        people = await anyio.to_thread.run_sync(share.search, reader, surname, forenames, born, why)
        return JSONResponse({"people": people})

    return router


async def _reader_for(
    request: Request, registry: AdapterRegistry, grant: Callable[[str], Grant | None]
) -> Reader | JSONResponse:
    token = bearer_token(request)
    found = await anyio.to_thread.run_sync(grant, token) if token else None
    if found is None:
        return problem(401, "unauthorised", "a valid partner token is required")
    if DATA_SHARE not in found.scopes:
        return problem(403, "forbidden", f"this token of {found.partner} has no data-share scope")
    try:
        scope = registry.scope_for_partner(found.partner)
        policy = registry.adapter(scope.adapter).policy
    except LookupError:
        return problem(403, "forbidden", f"{found.partner} has no data-share access")
    if not policy.person_fields:
        return problem(403, "forbidden", f"{found.partner}'s policy shares no person fields")
    # The row scope is the policy's: an operator reads the people in its own prisons
    # (none at all if it runs none), anyone else reads everyone.
    prisons = scope.establishments if policy.rows == OWN_PRISONS else None
    return Reader(found.partner, policy.person_fields, prisons, policy.purposes)


async def _reader_with_purpose(
    request: Request,
    purpose: str | None,
    registry: AdapterRegistry,
    grant: Callable[[str], Grant | None],
) -> tuple[Reader, str] | JSONResponse:
    """The reader and the purpose of the read, or the problem to answer: every read of
    core case information names why it is made, for the audit trail. A read without
    ``?purpose=`` is made for the one purpose the caller's grant names (so that an event's
    ``detailUrl`` can be called as given); with several, the caller must choose."""
    reader = await _reader_for(request, registry, grant)
    if isinstance(reader, JSONResponse):
        return reader
    if purpose and purpose.strip():
        return reader, purpose.strip()
    if len(reader.purposes) == 1:
        [granted] = reader.purposes
        return reader, granted
    choices = sorted(reader.purposes)
    if choices:
        return problem(
            400,
            "purpose_required",
            f"say why you read: ?purpose= one of {', '.join(choices)}",
            purposes=choices,
        )
    return problem(400, "purpose_required", "say why you read: ?purpose=...")
