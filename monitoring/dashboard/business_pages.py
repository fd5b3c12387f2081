"""The business page: the estate's receptions, transfers, releases and population per prison
and day, and how long movements take to reach each partner, for a period and a prison.

    GET /dashboard/business          ?from=2025-03-01&to=2025-03-07&establishment=LEI
    GET /dashboard/business.csv      the same period; &figures=deliveries for the partners'

Viewers and above; the figures come from ``monitoring.business``.
"""

# No "from __future__ import annotations": FastAPI reads the Annotated dependencies at run
# time.

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import PlainTextResponse, Response

from core_records.timestamps import utc_now
from monitoring.business import BusinessFigures, Period, period_of, totals
from monitoring.business_csv import delivery_times_csv, establishment_days_csv
from monitoring.dashboard.users import SignedIn
from monitoring.dashboard.web import PREFIX, render, require_role

MAX_DAYS = 92
"""A quarter: the longest period one page or download covers."""

Viewer = Annotated[SignedIn, Depends(require_role("viewer"))]


def business_router(figures: BusinessFigures) -> APIRouter:
    router = APIRouter(prefix=PREFIX, include_in_schema=False)

    @router.get("/business")
    def business(request: Request, user: Viewer) -> Response:
        prisons = figures.prisons()
        period = _period(request, prisons)
        rows = figures.establishment_days(period)
        return render(
            request, "business.html", user, period=period, rows=rows, totals=totals(rows),
            deliveries=figures.delivery_times(period), prisons=prisons,
            query=_query(period),
        )  # fmt: skip

    @router.get("/business.csv")
    def business_csv(request: Request, user: Viewer) -> Response:
        period = _period(request, figures.prisons())
        which = request.query_params.get("figures", "establishments")
        if which == "deliveries":
            body = delivery_times_csv(figures.delivery_times(period))
        elif which == "establishments":
            body = establishment_days_csv(figures.establishment_days(period))
        else:
            raise HTTPException(422, "figures must be establishments or deliveries")
        name = f"gatehouse-{which}-{period.first}-to-{period.last}"
        if period.establishment:
            name += f"-{period.establishment}"
        return PlainTextResponse(
            body,
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )

    return router


def _period(request: Request, prisons: dict[str, str]) -> Period:
    params = request.query_params
    try:
        return period_of(
            params.get("from"), params.get("to"), params.get("establishment"),
            today=utc_now().date(), max_days=MAX_DAYS, prisons=prisons,
        )  # fmt: skip
    except ValueError as problem:
        raise HTTPException(422, str(problem)) from None


def _query(period: Period) -> str:
    query = f"from={period.first}&to={period.last}"
    return query + (f"&establishment={period.establishment}" if period.establishment else "")
