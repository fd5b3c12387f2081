"""The data share: ``GET /api/v1/share/people/{prison_number}``, a partner's read of a
person's record, cut down by its sharing policy (``adapters.data_share``).

    401  no token, or one Gatehouse does not know
    403  the partner's policy shares no person fields
    400  not a prison number
    404  not on record, or outside the partner's rows: the same answer, word for word
    200  the fields the partner may see

Every answered read is audited with the record it touched (``read`` does that).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from adapters.data_share import may_use_data_share, shared_view
from adapters.registry import AdapterRegistry
from adapters.transports.inbound_http import Authenticate, bearer_token, problem
from core_records.errors import InvalidIdentifier, NotPermitted
from core_records.identifiers import NOMS, Identifier, parse_identifier

View = dict[str, Any]
Read = Callable[[Identifier, str, Callable[[View | None], View | None]], View | None]
"""(identifier, partner, decide) -> what ``decide`` let through; audits the read."""


def data_share_router(
    *, registry: AdapterRegistry, authenticate: Authenticate, read: Read
) -> APIRouter:
    router = APIRouter()

    @router.get("/api/v1/share/people/{prison_number}")
    async def person(prison_number: str, request: Request) -> JSONResponse:
        token = bearer_token(request)
        partner = await anyio.to_thread.run_sync(authenticate, token) if token else None
        if partner is None:
            return problem(401, "unauthorised", "a valid partner token is required")
        try:
            scope = registry.scope_for_partner(partner)
            adapter = registry.adapter(scope.adapter)
            may_use_data_share(adapter, scope)
            identifier = parse_identifier(NOMS, prison_number)
        except NotPermitted as error:
            return problem(403, "forbidden", error.reason)
        except LookupError:
            return problem(403, "forbidden", f"{partner} has no access to the data share")
        except InvalidIdentifier as error:
            return problem(400, "invalid_identifier", error.reason)
        decide = partial(shared_view, adapter, scope)
        shown = await anyio.to_thread.run_sync(read, identifier, partner, decide)
        if shown is None:
            return problem(404, "not_found", f"no person {identifier.value} is known to you")
        return JSONResponse(shown)

    return router
