"""The estate page: every prison with its deployment state, and go-live for an operator.

    GET  /dashboard/estate                  viewers and above
    POST /dashboard/estate/{code}/go-live   operators, with the session's CSRF token:
                                            applies the prison's held legacy messages in
                                            order and makes it live (audited as the user)

The figures are ``monitoring.estate``'s; the move is ``routing.estate_release.go_live``,
handed in by the composition root.
"""

# No "from __future__ import annotations": FastAPI reads the Annotated dependencies at run
# time.

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from core_records import estate
from core_records.errors import UnknownReferenceCode
from core_records.estate import StateChangeRefused
from monitoring.dashboard.users import SignedIn
from monitoring.dashboard.web import PREFIX, render, require_action, require_role
from monitoring.estate import EstateRow

Viewer = Annotated[SignedIn, Depends(require_role("viewer"))]
Operator = Annotated[SignedIn, Depends(require_action("operator"))]


def estate_router(
    overview: Callable[[], list[EstateRow]], go_live: Callable[[str, str], object]
) -> APIRouter:
    """``overview()``: every prison's row; ``go_live(code, actor)``: make a migrating prison
    live, raising ``StateChangeRefused`` when it may not be."""
    router = APIRouter(prefix=PREFIX, include_in_schema=False)

    @router.get("/estate")
    def estate_page(request: Request, user: Viewer) -> Response:
        rows = overview()
        counts: dict[str, int] = {}
        for row in rows:
            counts[row.state] = counts.get(row.state, 0) + 1
        return render(
            request, "estate.html", user, rows=rows, counts=counts, migrating=estate.MIGRATING,
            live=estate.LIVE, done=request.query_params.get("live"),
        )  # fmt: skip

    @router.post("/estate/{code}/go-live")
    def go_live_now(code: str, user: Operator) -> Response:
        try:
            go_live(code.upper(), user.username)
        except StateChangeRefused as error:
            raise HTTPException(409, error.reason) from error
        except UnknownReferenceCode as error:
            raise HTTPException(404, error.reason) from error
        return RedirectResponse(f"{PREFIX}/estate?live={code.upper()}", status_code=303)

    return router
