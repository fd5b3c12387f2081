"""Admin endpoints for interfaces and dead letters; an ``admin``-scoped token only.

    GET  /api/v1/admin/interfaces                          each one's pause and retry schedule
    POST /api/v1/admin/interfaces/{interface}/pause        {"reason"}: deliveries wait
    POST /api/v1/admin/interfaces/{interface}/resume       deliver what waited, in order
    PUT  /api/v1/admin/interfaces/{interface}/dead-letter-retry
                                                           {"intervalSeconds", "maxRetries"}
    GET  /api/v1/admin/dead-letters                        (status, interface, limit)
    POST /api/v1/admin/dead-letters/{id}/retry             back to the queue it came from
    POST /api/v1/admin/dead-letters/retry-all              {"interface"?}
    POST /api/v1/admin/dead-letters/purge                  {"reason", "interface"?}

An interface is named ``adapter.direction`` (``delius.outbound``). Every action is audited
with the acting admin (``admin:<name>``), as the dashboard's and the CLI's are.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from core_records.bookkeeping.credentials import Grant
from core_records.bookkeeping.dead_letters import STATUSES, DeadLetter
from core_records.bookkeeping.interface_control import (
    InterfaceControl,
    InterfaceNotPaused,
    RetrySchedule,
)
from gatehouse.api.admin import admin_api, admin_runner
from gatehouse.api.openapi import problem_responses
from gatehouse.api.problems import problem
from gatehouse.bootstrap import Hub
from gatehouse.interface_control import default_retry_schedule, interface_names, known_interface
from routing.dead_letter_schedule import interface_of, purge, retry_all, waiting
from routing.dead_letters import replay

InterfaceName = Annotated[
    str, Path(max_length=80, description="An interface, as adapter.direction: delius.outbound.")
]
Reason = Annotated[str, Body(embed=True, min_length=1, max_length=500)]
OnInterface = Annotated[str | None, Body(embed=True, max_length=80)]
LISTED = problem_responses(401, 403, 404, 422, 429)
ACTED = problem_responses(400, 401, 403, 404, 409, 422, 429)


class PauseView(BaseModel):
    interface: str
    pausedBy: str
    reason: str
    since: str


class RetryScheduleView(BaseModel):
    intervalSeconds: int
    maxRetries: int


class InterfaceView(BaseModel):
    interface: str
    pause: PauseView | None
    deadLetterRetry: RetryScheduleView


class Interfaces(BaseModel):
    interfaces: list[InterfaceView]


class DeadLetterView(BaseModel):
    id: int
    interface: str
    status: str
    messageId: str
    originQueue: str
    reason: str
    attempts: int
    deadLetteredAt: str
    actionedBy: str | None


class DeadLetters(BaseModel):
    deadLetters: list[DeadLetterView]


class Actioned(BaseModel):
    """The dead letters an action took, by id."""

    ids: list[int]


def interface_admin_router(hub: Hub, grant: Callable[[str], Grant | None]) -> APIRouter:
    """Pause and resume, retry schedules, and dead letters: list, retry, retry all, purge."""
    run = admin_runner(grant)
    control = InterfaceControl(hub.engine)
    router = admin_api()

    def interfaces(_: str) -> dict[str, Any]:
        pauses, schedules = control.pauses(), control.schedules()
        default = default_retry_schedule(hub)
        return {
            "interfaces": [
                {
                    "interface": name,
                    "pause": pauses[name].as_dict() if name in pauses else None,
                    "deadLetterRetry": schedules.get(name, default).as_dict(),
                }
                for name in interface_names(hub)
            ]
        }

    @router.get("/api/v1/admin/interfaces", response_model=Interfaces, responses=LISTED)
    async def list_interfaces(request: Request) -> Response:
        return await run(request, interfaces)

    @router.post(
        "/api/v1/admin/interfaces/{interface}/pause", response_model=PauseView, responses=ACTED
    )
    async def pause(request: Request, interface: InterfaceName, reason: Reason) -> Response:
        def act(actor: str) -> Any:
            name = known_interface(hub, interface, to_pause=True)
            if not reason.strip():
                return problem(422, "invalid_request", "say why the interface is paused")
            return control.pause(name, actor=actor, reason=reason).as_dict()

        return await run(request, act)

    @router.post(
        "/api/v1/admin/interfaces/{interface}/resume", response_model=PauseView, responses=ACTED
    )
    async def resume(request: Request, interface: InterfaceName) -> Response:
        def act(actor: str) -> Any:
            name = known_interface(hub, interface, to_pause=True)
            try:
                return control.resume(name, actor=actor).as_dict()
            except InterfaceNotPaused as error:
                return problem(409, "conflict", str(error))

        return await run(request, act)

    @router.put(
        "/api/v1/admin/interfaces/{interface}/dead-letter-retry",
        response_model=RetryScheduleView,
        responses=ACTED,
    )
    async def set_schedule(
        request: Request,
        interface: InterfaceName,
        interval_s: Annotated[int, Body(alias="intervalSeconds", ge=1, le=2**31 - 1)],
        max_retries: Annotated[int, Body(alias="maxRetries", ge=0, le=1000)],
    ) -> Response:
        def act(actor: str) -> dict[str, int]:
            schedule = RetrySchedule(interval_s, max_retries)
            control.set_schedule(known_interface(hub, interface), schedule, actor=actor)
            return schedule.as_dict()

        return await run(request, act)

    router.include_router(dead_letter_routes(hub, run))
    return router


def dead_letter_routes(hub: Hub, run: Any) -> APIRouter:
    router = admin_api()

    @router.get("/api/v1/admin/dead-letters", response_model=DeadLetters, responses=LISTED)
    async def dead_letters(
        request: Request,
        status: Annotated[str, Query(pattern="^(" + "|".join(STATUSES) + ")$")] = "waiting",
        interface: Annotated[str | None, Query(max_length=80)] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    ) -> Response:
        def listed(_: str) -> dict[str, Any]:
            if interface:
                known_interface(hub, interface)
            if status == "waiting":
                records = list(waiting(hub.dead_letters, interface))[:limit]
            else:
                records = [
                    r
                    for r in hub.dead_letters.list(status=status, limit=limit)
                    if interface is None or interface_of(r) == interface
                ]
            return {"deadLetters": [_view(r) for r in records]}

        return await run(request, listed)

    @router.post(
        "/api/v1/admin/dead-letters/{dead_letter_id}/retry",
        response_model=DeadLetterView,
        responses=ACTED,
    )
    async def retry(
        request: Request, dead_letter_id: Annotated[int, Path(ge=1, le=2**63 - 1)]
    ) -> Response:
        def act(actor: str) -> Any:
            try:
                replay(hub.dead_letters, hub.transport, dead_letter_id, actor)
            except ValueError as error:  # replayed or discarded already
                return problem(409, "conflict", str(error))
            record = hub.dead_letters.get(dead_letter_id)
            assert record is not None
            return _view(record)

        return await run(request, act)

    @router.post("/api/v1/admin/dead-letters/retry-all", response_model=Actioned, responses=ACTED)
    async def retry_everything(request: Request, interface: OnInterface = None) -> Response:
        def act(actor: str) -> dict[str, list[int]]:
            if interface:
                known_interface(hub, interface)
            return {"ids": retry_all(hub.dead_letters, hub.transport, actor, interface or None)}

        return await run(request, act)

    @router.post("/api/v1/admin/dead-letters/purge", response_model=Actioned, responses=ACTED)
    async def purge_all(
        request: Request, reason: Reason, interface: OnInterface = None
    ) -> Response:
        def act(actor: str) -> Any:
            if interface:
                known_interface(hub, interface)
            if not reason.strip():
                return problem(422, "invalid_request", "say why the dead letters are purged")
            return {"ids": purge(hub.dead_letters, actor, reason, interface or None)}

        return await run(request, act)

    return router


def _view(record: DeadLetter) -> dict[str, Any]:
    return {
        "id": record.id,
        "interface": interface_of(record),
        "status": record.status,
        "messageId": record.message_id,
        "originQueue": record.origin_queue,
        "reason": record.reason,
        "attempts": len(record.attempts),
        "deadLetteredAt": record.dead_lettered_at.isoformat(),
        "actionedBy": record.actioned_by,
    }
