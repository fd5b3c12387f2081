"""What a kiosk reads from the hub: a person's balance, and what became of an order or an
application it sent (``GET /api/v1/kiosks/...``, JSON; see ``adapters/kiosks/README.md``).

    401  no token, or an unknown or revoked one
    403  the token is not a kiosk system's
    404  no such person, order or application at the kiosk's prison, or no outcome yet:
         a kiosk cannot learn whether someone exists at another prison
    200  the answer

Every balance read is audited (``canteen_account.read``, subject ``person:<prison number>``):
a person's money is case information.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import anyio
import sqlalchemy as sa
from fastapi import APIRouter, Request, Security
from fastapi.responses import JSONResponse

from adapters.base import PartnerScope
from adapters.registry import AdapterRegistry
from core_records.bookkeeping.audit import AuditEvent, write_audit
from core_records.canteen import ledger as canteen_ledger
from core_records.custody.applications import application_status
from gatehouse.api.auth import partner_of
from gatehouse.api.models import KioskAccount, KioskApplication, KioskOrder
from gatehouse.api.openapi import bearer, problem_responses
from gatehouse.api.problems import problem

KIOSKS = "kiosks"


def kiosk_router(
    *, registry: AdapterRegistry, authenticate: Callable[[str], str | None], engine: sa.Engine
) -> APIRouter:
    router = APIRouter(tags=["kiosks"], dependencies=[Security(bearer)])
    refusals = problem_responses(401, 403, 404, 429)

    async def kiosk_scope(request: Request) -> PartnerScope | JSONResponse:
        partner = await partner_of(request, authenticate)
        if isinstance(partner, JSONResponse):
            return partner
        try:
            scope = registry.scope_for_partner(partner)
        except LookupError:
            scope = None
        if scope is None or scope.adapter != KIOSKS:
            return problem(403, "forbidden", f"partner {partner} is not a kiosk system")
        return scope

    @router.get(
        "/api/v1/kiosks/accounts/{prison_number}", response_model=KioskAccount, responses=refusals
    )
    async def account(prison_number: str, request: Request) -> JSONResponse:
        scope = await kiosk_scope(request)
        if isinstance(scope, JSONResponse):
            return scope
        number = prison_number.upper()
        view = await anyio.to_thread.run_sync(
            canteen_ledger.account_of, engine, number, datetime.now(UTC)
        )
        if view is None or view.establishment not in scope.establishments:
            return problem(404, "not_found", f"no one with prison number {number} is held here")
        await anyio.to_thread.run_sync(_audit_read, engine, scope.partner, number)
        return JSONResponse(
            {
                "prisonNumber": number,
                "prisonId": view.establishment,
                "balancePence": view.balance_pence,
                "weeklySpendLimitPence": view.spend_limit_pence,
                "availableSpendsPence": view.available_spends_pence,
            }
        )

    @router.get(
        "/api/v1/kiosks/orders/{order_reference}", response_model=KioskOrder, responses=refusals
    )
    async def order(order_reference: str, request: Request) -> JSONResponse:
        scope = await kiosk_scope(request)
        if isinstance(scope, JSONResponse):
            return scope
        outcome = await anyio.to_thread.run_sync(
            canteen_ledger.transaction_outcome, engine, order_reference
        )
        visible = outcome is not None and (
            await anyio.to_thread.run_sync(held_here, engine, outcome.prison_number, scope)
            or outcome.reason == "UNKNOWN_PRISONER"
        )
        if outcome is None or not visible:
            return problem(404, "not_found", f"no outcome for order {order_reference} yet")
        return JSONResponse(order_outcome(order_reference, outcome))

    @router.get(
        "/api/v1/kiosks/applications/{application_reference}",
        response_model=KioskApplication,
        responses=refusals,
    )
    async def application(application_reference: str, request: Request) -> JSONResponse:
        scope = await kiosk_scope(request)
        if isinstance(scope, JSONResponse):
            return scope
        status = await anyio.to_thread.run_sync(application_status, engine, application_reference)
        if status is None or status["prisonId"] not in scope.establishments:
            return problem(
                404, "not_found", f"no application {application_reference} is recorded here"
            )
        return JSONResponse(status)

    return router


def held_here(engine: sa.Engine, prison_number: str | None, scope: PartnerScope) -> bool:
    """Whether the person is held at one of the kiosk system's prisons."""
    if prison_number is None:
        return False
    view = canteen_ledger.account_of(engine, prison_number, datetime.now(UTC))
    return view is not None and view.establishment in scope.establishments


def order_outcome(order_reference: str, outcome: Any) -> dict[str, Any]:
    """The kiosk's view of an order's outcome: the balance after it, or why it was refused."""
    body: dict[str, Any] = {
        "orderReference": order_reference,
        "status": "ACCEPTED" if outcome.accepted else "REFUSED",
        "prisonNumber": outcome.prison_number,
        "amountPence": outcome.amount_pence,
    }
    if outcome.accepted:
        body["balancePence"] = outcome.balance_after_pence
    else:
        body.update(reason=outcome.reason, detail=outcome.detail)
    return body


def _audit_read(engine: sa.Engine, partner: str, prison_number: str) -> None:
    with engine.begin() as connection:
        write_audit(
            connection,
            AuditEvent(
                at=datetime.now(UTC),
                actor=partner,
                action="canteen_account.read",
                subject=f"person:{prison_number}",
            ),
        )
