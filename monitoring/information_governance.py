"""The information-governance page, in the dashboard: each kind of personal data held, how
long it is kept, how much there is and how old, its partitions (PostgreSQL), and when it
was last pruned (``core_records.bookkeeping.retention``).

    GET  /dashboard/information-governance

Any signed-in user (viewer role) may read it: it shows counts and dates, no one's data.
"""

# No "from __future__ import annotations": FastAPI reads the Annotated dependencies at run
# time.

from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from core_records.bookkeeping.retention import Retention
from monitoring.dashboard.users import SignedIn
from monitoring.dashboard.web import PREFIX, render, require_role

PAGE = f"{PREFIX}/information-governance"

Viewer = Annotated[SignedIn, Depends(require_role("viewer"))]


def information_governance_router(retention: Retention) -> APIRouter:
    router = APIRouter()

    @router.get(PAGE)
    async def information_governance(request: Request, user: Viewer) -> Response:
        holdings = await anyio.to_thread.run_sync(retention.status)
        return render(request, "information_governance.html", user, holdings=holdings)

    return router
