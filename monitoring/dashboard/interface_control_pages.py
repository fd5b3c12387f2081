"""The dashboard's interface controls (operator role, CSRF-checked, audited by the store):
pause and resume an outbound interface, set an interface's schedule of automatic dead-letter
retries, and retry or purge its waiting dead letters, or everyone's. The interface page shows
the pause and the schedule; the dead-letter page offers both dead-letter actions."""

# No "from __future__ import annotations": FastAPI reads the Annotated dependencies at run time.

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException
from fastapi.responses import RedirectResponse, Response

from core_records.bookkeeping.interface_control import InterfaceControl, RetrySchedule
from monitoring.dashboard.users import SignedIn
from monitoring.dashboard.web import PREFIX, require_action
from monitoring.health import Interface

Operator = Annotated[SignedIn, Depends(require_action("operator"))]
Reason = Annotated[str, Form(max_length=500)]
# The admin API's bounds (gatehouse.api.interface_admin), so the two refuse alike.
EverySeconds = Annotated[int, Form(ge=1, le=2**31 - 1)]
MaxRetries = Annotated[int, Form(ge=0, le=1000)]


@dataclass
class InterfaceControlServices:
    interfaces: list[Interface]
    control: InterfaceControl
    retry_all: Callable[[str | None, str], list[int]]
    """Send every waiting dead letter (of an interface, or all) back, as the named user."""
    purge: Callable[[str | None, str, str], list[int]]
    """Discard every waiting dead letter (of an interface, or all), as the user, saying why."""


def interface_control_router(services: InterfaceControlServices) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def outbound(adapter: str, direction: str) -> Interface:
        interface = Interface(adapter, direction)
        if interface not in services.interfaces:
            raise HTTPException(404, f"no interface {interface.key}")
        if direction != "outbound":
            raise HTTPException(422, "only an outbound interface's deliveries can be paused")
        return interface

    @router.post(PREFIX + "/interfaces/{adapter}/{direction}/pause")
    def pause(adapter: str, direction: str, user: Operator, reason: Reason = "") -> Response:
        interface = outbound(adapter, direction)
        if not reason.strip():
            raise HTTPException(422, "say why the interface is paused")
        services.control.pause(interface.key, actor=user.username, reason=reason)
        return _back_to(interface)

    @router.post(PREFIX + "/interfaces/{adapter}/{direction}/resume")
    def resume(adapter: str, direction: str, user: Operator) -> Response:
        interface = outbound(adapter, direction)
        if services.control.paused(interface.key) is not None:
            services.control.resume(interface.key, actor=user.username)
        return _back_to(interface)

    @router.post(PREFIX + "/interfaces/{adapter}/{direction}/dead-letter-retry")
    def set_retry_schedule(
        adapter: str,
        direction: str,
        user: Operator,
        every_s: EverySeconds,
        max_retries: MaxRetries,
    ) -> Response:
        interface = Interface(adapter, direction)
        if interface not in services.interfaces:
            raise HTTPException(404, f"no interface {interface.key}")
        schedule = RetrySchedule(every_s, max_retries)
        services.control.set_schedule(interface.key, schedule, actor=user.username)
        return _back_to(interface)

    @router.post(PREFIX + "/dead-letters/retry-all")
    def retry_all(user: Operator, interface: Annotated[str, Form()] = "") -> Response:
        sent = services.retry_all(_known(services, interface), user.username)
        return _notice(f"{len(sent)} dead letter(s) sent back to their queues.")

    @router.post(PREFIX + "/dead-letters/purge")
    def purge(
        user: Operator, reason: Reason = "", interface: Annotated[str, Form()] = ""
    ) -> Response:
        if not reason.strip():
            return _notice("Say why the dead letters are purged; nothing was purged.")
        purged = services.purge(_known(services, interface), user.username, reason)
        return _notice(f"{len(purged)} dead letter(s) purged: {reason.strip()}")

    return router


def _known(services: InterfaceControlServices, interface: str) -> str | None:
    if not interface:
        return None
    if interface not in {i.key for i in services.interfaces}:
        raise HTTPException(404, f"no interface {interface}")
    return interface


def _back_to(interface: Interface) -> Response:
    return RedirectResponse(
        f"{PREFIX}/interfaces/{interface.adapter}/{interface.direction}", status_code=303
    )


def _notice(text: str) -> Response:
    return RedirectResponse(
        f"{PREFIX}/dead-letters?notice={quote(text[:200], safe='')}", status_code=303
    )
