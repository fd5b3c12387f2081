"""The replay page of an outbound interface: count a window's or a person's delivered
documents first (a dry run), then confirm to send them to the partner again.

    GET  /dashboard/interfaces/{adapter}/outbound/replay   ?since=&until=&person=&mode=
    POST /dashboard/interfaces/{adapter}/outbound/replay   the confirmed form, with its reason

Operators and above; the POST carries the session's CSRF token. A run asked for here is
worked by the ``replays`` worker role at its bounded rate, in order per person, each document
marked ``X-Gatehouse-Replay``; its start and end are audited with the operator's name.
"""

# No "from __future__ import annotations": FastAPI reads the Annotated dependencies at run
# time.

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from core_records.bookkeeping.replays import MODES, RERENDER, ReplayRuns, ReplayWindow
from monitoring.dashboard.users import SignedIn
from monitoring.dashboard.web import PREFIX, render, require_action, require_role

Operator = Annotated[SignedIn, Depends(require_role("operator"))]
Acting = Annotated[SignedIn, Depends(require_action("operator"))]


def replay_pages_router(
    runs: ReplayRuns, outbound: Callable[[], set[str]], default_rate_per_s: float
) -> APIRouter:
    """``outbound``: the adapters that deliver to a partner (the ones a replay may name)."""
    router = APIRouter(prefix=PREFIX, include_in_schema=False)

    def known(adapter: str) -> None:
        if adapter not in outbound():
            raise HTTPException(404, f"no interface {adapter}.outbound")

    @router.get("/interfaces/{adapter}/outbound/replay")
    def replay_page(
        request: Request,
        user: Operator,
        adapter: str,
        since: str = "",
        until: str = "",
        person: str = "",
        mode: str = RERENDER,
        notice: str = "",
    ) -> Response:
        known(adapter)
        window, problem = _window(adapter, since, until, person, mode)
        by_person = runs.count(window) if window else None
        return render(
            request, "replay.html", user, adapter=adapter, since=since, until=until,
            person=person, mode=mode, modes=MODES, by_person=by_person,
            total=sum(by_person.values()) if by_person else 0, problem=problem,
            notice=notice[:300], recent=runs.recent(adapter, 10), rate=default_rate_per_s,
        )  # fmt: skip

    @router.post("/interfaces/{adapter}/outbound/replay")
    def start_replay(
        user: Acting,
        adapter: str,
        reason: Annotated[str, Form(max_length=500)] = "",
        since: Annotated[str, Form()] = "",
        until: Annotated[str, Form()] = "",
        person: Annotated[str, Form()] = "",
        mode: Annotated[str, Form()] = RERENDER,
    ) -> Response:
        known(adapter)
        window, problem = _window(adapter, since, until, person, mode)
        query = {"since": since, "until": until, "person": person, "mode": mode}
        if window is None or not reason.strip():
            notice = problem or "Say why the documents are sent again."
        else:
            run = runs.start(window, mode=mode, reason=reason, actor=user.username,
                             rate_per_s=default_rate_per_s)  # fmt: skip
            notice = f"Replay {run.id} started: {run.selected} documents, {mode}."
            query = {}
        page = f"{PREFIX}/interfaces/{adapter}/outbound/replay"
        return RedirectResponse(f"{page}?{urlencode({**query, 'notice': notice})}", 303)

    return router


def _window(
    adapter: str, since: str, until: str, person: str, mode: str
) -> tuple[ReplayWindow | None, str]:
    """The window the form describes, or None and what is wrong with it ("" when empty)."""
    if mode not in MODES:
        return None, f"The mode must be one of {', '.join(MODES)}."
    if not (since or until or person):
        return None, ""
    try:
        return ReplayWindow(
            adapter,
            since=_when(since),
            until=_when(until),
            person_key=person.strip().upper() or None,
        ), ""
    except ValueError as error:
        return None, f"{str(error).capitalize()}."


def _when(text: str) -> datetime | None:
    if not text:
        return None
    at = datetime.fromisoformat(text)
    return at if at.tzinfo else at.replace(tzinfo=UTC)
