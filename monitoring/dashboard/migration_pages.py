"""The latest migration report of a prison, as its migration wrote it, for viewers.

    GET /dashboard/estate/{code}/migration-report        the cleansing report (HTML)
    GET /dashboard/estate/{code}/migration-report.csv    the same rows for tools

The reports are kept in the store by ``gatehouse estate migrate`` (a dry run's too), so any
api process can serve them; a prison never migrated is a 404.
"""

# No "from __future__ import annotations": FastAPI reads the Annotated dependencies at run
# time.

import re
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from core_records.estate.migration import latest_report
from monitoring.dashboard.users import SignedIn
from monitoring.dashboard.web import PREFIX, require_role

Viewer = Annotated[SignedIn, Depends(require_role("viewer"))]
_PRISON_CODE = re.compile(r"[A-Z]{3}")


def migration_report_router(engine: sa.Engine) -> APIRouter:
    router = APIRouter(prefix=f"{PREFIX}/estate", include_in_schema=False)

    @router.get("/{code}/migration-report")
    def migration_report(code: str, user: Viewer) -> Response:
        html, _ = _latest(engine, code)
        return HTMLResponse(html)

    @router.get("/{code}/migration-report.csv")
    def migration_report_csv(code: str, user: Viewer) -> Response:
        _, csv = _latest(engine, code)
        name = f"gatehouse-{code.upper()}-migration-report.csv"
        return PlainTextResponse(
            csv,
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    return router


def migration_report_path(code: str) -> str:
    """Where the dashboard serves ``code``'s latest migration report."""
    return f"{PREFIX}/estate/{code.upper()}/migration-report"


def _latest(engine: sa.Engine, code: str) -> tuple[str, str]:
    if not _PRISON_CODE.fullmatch(code.upper()):
        raise HTTPException(404, f"{code} is not a prison code")
    found = latest_report(engine, code.upper())
    if found is None:
        raise HTTPException(404, f"{code.upper()} has no migration report")
    return found
