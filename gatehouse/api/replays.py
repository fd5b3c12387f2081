"""Admin endpoints for replays and resends; an ``admin``-scoped token only.

    POST /api/v1/admin/interfaces/{interface}/replays   {"since", "until"} or {"person"} or
                                                        {"eventId"}, with "reason", "mode"
                                                        (rerender|stored), "ratePerSecond",
                                                        "dryRun": a dry run answers the count
                                                        (by person); else the run, pending
    GET  /api/v1/admin/interfaces/{interface}/replays   the interface's recent runs
    GET  /api/v1/admin/replays/{id}                     one run, with its progress

A run asked for here is worked by the ``replays`` worker role, at its rate, in order per
person, each document marked ``X-Gatehouse-Replay: <id>``; its start and end are audited
with the acting admin.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from core_records.bookkeeping.credentials import Grant
from core_records.bookkeeping.replays import MODES, RERENDER, ReplayRun, ReplayRuns, ReplayWindow
from gatehouse.api.admin import admin_api, admin_runner
from gatehouse.api.openapi import problem_responses
from gatehouse.api.problems import problem
from gatehouse.bootstrap import Hub

InterfaceName = Annotated[
    str, Path(max_length=80, description="An outbound interface: delius.outbound.")
]
LISTED = problem_responses(401, 403, 404, 422, 429)
ACTED = problem_responses(400, 401, 403, 404, 422, 429)


class ReplayRequest(BaseModel):
    """What to send again: delivered in [since, until), a person's, or one event's."""

    since: datetime | None = None
    until: datetime | None = None
    person: str | None = Field(default=None, max_length=16)
    eventId: str | None = Field(default=None, max_length=128)
    mode: str = Field(default=RERENDER, pattern="^(" + "|".join(MODES) + ")$")
    reason: str = Field(default="", max_length=500)
    ratePerSecond: float | None = Field(default=None, gt=0, le=10_000)
    dryRun: bool = False


class ReplayCount(BaseModel):
    interface: str
    mode: str
    documents: int
    byPerson: dict[str, int]


class ReplayView(BaseModel):
    id: str
    interface: str
    status: str
    mode: str
    reason: str
    actor: str
    since: str | None
    until: str | None
    person: str | None
    eventId: str | None
    ratePerSecond: float
    selected: int
    sent: int
    filtered: int
    missing: int
    failed: int
    createdAt: str
    finishedAt: str | None
    detail: str | None


class ReplayList(BaseModel):
    replays: list[ReplayView]


def replay_router(hub: Hub, grant: Callable[[str], Grant | None]) -> APIRouter:
    run = admin_runner(grant)
    runs = ReplayRuns(hub.engine)
    router = admin_api()

    def outbound(interface: str) -> str:
        adapter, _, direction = interface.partition(".")
        if direction != "outbound" or adapter not in outbound_adapters(hub):
            raise LookupError(f"no outbound interface {interface}")
        return adapter

    @router.post(
        "/api/v1/admin/interfaces/{interface}/replays",
        response_model=ReplayView | ReplayCount,
        status_code=202,
        responses={200: {"model": ReplayCount, "description": "A dry run's count"}, **ACTED},
    )
    async def replay(request: Request, interface: InterfaceName, body: ReplayRequest) -> Response:
        def act(actor: str) -> Any:
            if (body.since is None) != (body.until is None):
                return problem(422, "invalid_request", "since and until go together")
            try:
                window = ReplayWindow(
                    outbound(interface),
                    since=_utc(body.since),
                    until=_utc(body.until),
                    person_key=body.person.strip().upper() if body.person else None,
                    event_id=body.eventId,
                )
            except ValueError as error:
                return problem(422, "invalid_request", str(error))
            by_person = runs.count(window)
            if body.dryRun:
                return {"interface": interface, "mode": body.mode,
                        "documents": sum(by_person.values()), "byPerson": by_person}  # fmt: skip
            if not body.reason.strip():
                return problem(422, "invalid_request", "say why the documents are sent again")
            started = runs.start(
                window, mode=body.mode, reason=body.reason, actor=actor,
                rate_per_s=body.ratePerSecond or hub.settings.replay_rate_per_s,
            )  # fmt: skip
            return JSONResponse(view(started), status_code=202)

        return await run(request, act)

    @router.get(
        "/api/v1/admin/interfaces/{interface}/replays",
        response_model=ReplayList,
        responses=LISTED,
    )
    async def recent(request: Request, interface: InterfaceName) -> Response:
        return await run(
            request, lambda _: {"replays": [view(r) for r in runs.recent(outbound(interface))]}
        )

    @router.get("/api/v1/admin/replays/{replay_id}", response_model=ReplayView, responses=LISTED)
    async def one(request: Request, replay_id: Annotated[str, Path(max_length=32)]) -> Response:
        def found(_: str) -> dict[str, Any]:
            replay = runs.get(replay_id)
            if replay is None:
                raise LookupError(f"no replay {replay_id}")
            return view(replay)

        return await run(request, found)

    return router


def outbound_adapters(hub: Hub) -> set[str]:
    """The adapters that deliver to a partner: those whose interfaces may be replayed."""
    return {a.name for a in hub.registry.adapters.values() if a.subscriptions and a.delivery}


def view(run: ReplayRun) -> dict[str, Any]:
    def when(at: datetime | None) -> str | None:
        return at.isoformat() if at else None

    return {
        "id": run.id, "interface": f"{run.adapter}.outbound", "status": run.status,
        "mode": run.mode, "reason": run.reason, "actor": run.actor, "since": when(run.since),
        "until": when(run.until), "person": run.person_key, "eventId": run.event_id,
        "ratePerSecond": run.rate_per_s, "selected": run.selected, "sent": run.sent,
        "filtered": run.filtered, "missing": run.missing, "failed": run.failed,
        "createdAt": run.created_at.isoformat(), "finishedAt": when(run.finished_at),
        "detail": run.detail,
    }  # fmt: skip


def _utc(at: datetime | None) -> datetime | None:
    """A time without a zone is taken as UTC."""
    return at.replace(tzinfo=UTC) if at is not None and at.tzinfo is None else at
