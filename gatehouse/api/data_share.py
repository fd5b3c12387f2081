"""The data share over HTTP: read-only, for partners whose token has the ``data-share`` scope.

    GET /api/v1/people/{identifier}?purpose=...
        one person by prison number, CRN, PNC id or CRO number
    GET /api/v1/people?surname=...&forenames=...&dateOfBirth=YYYY-MM-DD&purpose=...
        people who may be the one described, best first

    401  no token, or one unknown, revoked or expired
    403  the token lacks the data-share scope, the partner's policy shares no fields, or
         the purpose given is not one the token's grant names
    400  no purpose given and none to take from the grant or the policy (the problem
         names the choices when there are several), or a bad identifier or date
    404  not on record, or outside the caller's rows (its policy's ``rows = "own_prisons"``):
         the same answer, word for word, so that a refusal does not reveal a person
    200  the person (or people) with only the fields the caller's policy allows

An event subscriber (``subscribers.<name>``, a row in the store) reads under its own
policy, looked up at each request, as an adapter's partner reads under its adapter's.
Every read is audited (``core_records.custody.data_share``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Query, Request, Security
from fastapi.responses import JSONResponse

from adapters.base import OWN_PRISONS, SharingPolicy
from adapters.registry import AdapterRegistry
from adapters.subscribers import PREFIX as SUBSCRIBER_PREFIX
from core_records.bookkeeping.credentials import DATA_SHARE, Grant
from core_records.custody.data_share import DataShare, Reader, identifier_from_text
from core_records.errors import InvalidIdentifier
from gatehouse.api.auth import bearer_token
from gatehouse.api.models import People
from gatehouse.api.openapi import bearer, problem_responses
from gatehouse.api.problems import problem

Purpose = Annotated[str | None, Query(max_length=200, description="Why the caller reads.")]
SubscriberPolicy = Callable[[str], SharingPolicy | None]
"""The sharing policy of the event subscriber of that name; None when there is none."""


def _no_subscribers(name: str) -> SharingPolicy | None:
    return None


def data_share_router(
    *,
    registry: AdapterRegistry,
    grant: Callable[[str], Grant | None],
    share: DataShare,
    subscriber_policy: SubscriberPolicy = _no_subscribers,
) -> APIRouter:
    router = APIRouter(tags=["data share"], dependencies=[Security(bearer)])

    async def reader_with_purpose(
        request: Request, purpose: str | None
    ) -> tuple[Reader, str] | JSONResponse:
        found = await _reader_for(request, registry, grant, subscriber_policy)
        if isinstance(found, JSONResponse):
            return found
        return _with_purpose(*found, purpose)

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
    request: Request,
    registry: AdapterRegistry,
    grant: Callable[[str], Grant | None],
    subscriber_policy: SubscriberPolicy,
) -> tuple[Reader, Grant] | JSONResponse:
    token = bearer_token(request)
    found = await anyio.to_thread.run_sync(grant, token) if token else None
    if found is None:
        return problem(401, "unauthorised", "a valid partner token is required")
    if DATA_SHARE not in found.scopes:
        return problem(403, "forbidden", f"this token of {found.partner} has no data-share scope")
    if found.partner.startswith(SUBSCRIBER_PREFIX):
        name = found.partner.removeprefix(SUBSCRIBER_PREFIX)
        policy = await anyio.to_thread.run_sync(subscriber_policy, name)
        # A subscriber runs no prisons: "own_prisons" leaves it no one to read.
        establishments: frozenset[str] = frozenset()
    else:
        try:
            scope = registry.scope_for_partner(found.partner)
            policy = registry.adapter(scope.adapter).policy
        except LookupError:
            policy = None
        else:
            establishments = scope.establishments
    if policy is None:
        return problem(403, "forbidden", f"{found.partner} has no data-share access")
    if not policy.person_fields:
        return problem(403, "forbidden", f"{found.partner}'s policy shares no person fields")
    # The row scope is the policy's: an operator reads the people in its own prisons
    # (none at all if it runs none), anyone else reads everyone.
    prisons = establishments if policy.rows == OWN_PRISONS else None
    return Reader(found.partner, policy.person_fields, prisons, policy.purposes), found


def _with_purpose(
    reader: Reader, found: Grant, purpose: str | None
) -> tuple[Reader, str] | JSONResponse:
    """The reader and the purpose of the read, or the problem to answer: every read of
    core case information names why it is made, for the audit trail. A read without
    ``?purpose=`` is made for the one purpose the token's grant names, or else the one its
    partner's policy names (so that an event's ``detailUrl`` can be called as given); with
    several, the caller must choose. A grant that names purposes allows those alone."""
    granted = found.purposes
    if purpose and purpose.strip():
        why = purpose.strip()
        if granted and why not in granted:
            choices = sorted(granted)
            return problem(
                403,
                "purpose_not_granted",
                f"this token may read for {', '.join(choices)} only, not {why!r}",
                purposes=choices,
            )
        return reader, why
    choices = sorted(granted or reader.purposes)
    if len(choices) == 1:
        return reader, choices[0]
    if choices:
        return problem(
            400,
            "purpose_required",
            f"say why you read: ?purpose= one of {', '.join(choices)}",
            purposes=choices,
        )
    return problem(400, "purpose_required", "say why you read: ?purpose=...")
