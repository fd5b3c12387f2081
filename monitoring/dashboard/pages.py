"""The dashboard's pages: overview, interface, message search and trace, dead letters, and
the management-information report; sign-in and sign-out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response

from core_records.bookkeeping.audit import AuditEvent
from core_records.bookkeeping.dead_letters import STATUSES, DeadLetterStore
from core_records.bookkeeping.delivery_holds import HeldDelivery
from core_records.bookkeeping.interface_control import RetrySchedule
from core_records.bookkeeping.journal import OUTCOMES, Journal, JournalQuery
from core_records.bookkeeping.message_history import MessageHistory
from core_records.timestamps import utc_now
from monitoring.activity import interface_of_queue
from monitoring.dashboard.accounts import accounts_router
from monitoring.dashboard.charts import bar_chart
from monitoring.dashboard.documents import beside_hops, document_pages
from monitoring.dashboard.users import SignedIn
from monitoring.dashboard.web import (
    PREFIX,
    render,
    require_action,
    require_role,
)
from monitoring.health import Interface
from monitoring.monitor import InterfaceMonitor
from monitoring.reports import PERIODS, ReportRow, report_csv
from monitoring.throughput import Throughput

Viewer = Annotated[SignedIn, Depends(require_role("viewer"))]
HOP_NAMES = [
    "received",
    "stored",
    "duplicate",
    "rejected",
    "event_published",
    "delivered",
    "filtered",
    "retry_scheduled",
    "delivery_held",
    "hold_released",
    "dead_lettered",
    "replayed",
    "discarded",
    "resent",
    "held_until_live",
]


@dataclass
class DashboardServices:
    monitor: InterfaceMonitor
    journal: Journal
    dead_letters: DeadLetterStore
    replay: Callable[[int, str], object]
    """Send a waiting dead letter back to its queue, as the named user."""
    audit: Callable[[AuditEvent], None]
    """Record an audit event in a transaction of its own."""
    throughput: Throughput
    held_deliveries: Callable[[str], list[HeldDelivery]] = lambda _adapter: []
    """The adapter's delivery holds, oldest first."""
    secure_cookies: bool = False
    documents: MessageHistory | None = None
    """The kept partner documents, for users with the content grant (``documents``)."""
    retry_schedule: Callable[[str], tuple[RetrySchedule, bool]] | None = None
    """An interface's dead-letter retry schedule, and whether it is its own (not the
    hub's default)."""


def dashboard_router(services: DashboardServices) -> APIRouter:
    """Every page of the dashboard, under ``PREFIX`` (HTML: not in the OpenAPI)."""
    router = APIRouter(include_in_schema=False)
    for pages in (
        accounts_router(secure_cookies=services.secure_cookies),
        health_pages(services),
        message_pages(services),
        dead_letter_pages(services),
        report_pages(services),
    ):
        router.include_router(pages, prefix=PREFIX)
    if services.documents is not None:
        router.include_router(document_pages(services.documents, services.audit), prefix=PREFIX)
    return router


def health_pages(services: DashboardServices) -> APIRouter:
    """The overview of every interface, and one interface's figures and changes."""
    router = APIRouter()
    monitor = services.monitor

    @router.get("")
    def overview(request: Request, user: Viewer) -> Response:
        healths = monitor.current_health()
        return render(
            request, "overview.html", user, healths=healths, refresh=15,
            changes=monitor.history.changes(limit=15),
        )  # fmt: skip

    @router.get("/interfaces/{adapter}/{direction}")
    def interface_page(
        request: Request, user: Viewer, adapter: str, direction: str, period: str = "hour"
    ) -> Response:
        interface = Interface(adapter, direction)
        if interface not in monitor.interfaces:
            raise HTTPException(404, f"no interface {interface.key}")
        if period not in PERIODS:
            raise HTTPException(422, f"period must be one of {', '.join(PERIODS)}")
        span, width = PERIODS[period]
        now = utc_now()
        start = _floor(now - span, width) + width
        count = int(span / width)
        summary = services.throughput.summaries(interface, start, width, count)
        labels = [f"{b.start:%d %b %H:%M}" for b in summary]  # type: ignore[str-format]
        charts = [
            bar_chart([b.messages for b in summary], labels, title="Messages"),
            bar_chart([b.failed for b in summary], labels, title="Failed", colour="#d4351c"),
            bar_chart([b.p95_s for b in summary], labels, title="Latency p95", unit=" s",
                      colour="#f47738"),
        ]  # fmt: skip
        health = next(h for h in monitor.current_health() if h.interface == interface)
        return render(
            request, "interface.html", user, interface=interface, health=health, period=period,
            periods=list(PERIODS), charts=charts, refresh=30,
            changes=monitor.history.changes(interface, limit=30),
            held=services.held_deliveries(adapter) if direction == "outbound" else [],
            retry=services.retry_schedule(interface.key) if services.retry_schedule else None,
        )  # fmt: skip

    return router


def message_pages(services: DashboardServices) -> APIRouter:
    """The journal's message search, and the trace of one correlation id."""
    router = APIRouter()
    monitor = services.monitor

    @router.get("/messages")
    def messages(request: Request, user: Viewer) -> Response:
        params = request.query_params
        error = None
        page = None
        try:
            query = _journal_query(params)
        except ValueError as problem:
            query, error = None, str(problem)
        if query is not None and any(params.get(k) for k in _SEARCH_FIELDS):
            if query.identifier:
                # Looking a person up is a read of case information: who did, and when.
                services.audit(
                    AuditEvent(utc_now(), user.username, "journal.searched",
                               f"person:{query.identifier[:64]}")
                )  # fmt: skip
            page = services.journal.search(query)
        next_url = None
        if page and page.next_before_id:
            kept = {k: v for k, v in params.items() if k != "before" and v}
            kept["before"] = str(page.next_before_id)
            next_url = f"{PREFIX}/messages?" + "&".join(f"{k}={_q(v)}" for k, v in kept.items())
        return render(
            request, "messages.html", user, params=params, page=page, error=error,
            next_url=next_url, interfaces=monitor.interfaces, statuses=HOP_NAMES + list(OUTCOMES),
        )  # fmt: skip

    @router.get("/trace/{correlation_id}")
    def trace(request: Request, user: Viewer, correlation_id: str) -> Response:
        hops = services.journal.correlation(correlation_id)
        if not hops:
            raise HTTPException(404, f"no hops with correlation id {correlation_id}")
        start = hops[0].at
        total = max((hops[-1].at - start).total_seconds(), 0.001)
        timeline = [
            {"hop": h, "offset_s": (h.at - start).total_seconds(),
             "position": 100 * (h.at - start).total_seconds() / total}
            for h in hops
        ]  # fmt: skip
        person = next((h.person_key for h in hops if h.person_key), None)
        documents = (  # hops only, for a user without the content grant
            beside_hops(hops, services.documents.documents_for(correlation_id=correlation_id))
            if services.documents is not None and user.may_view_content
            else {}
        )
        return render(
            request, "trace.html", user, correlation_id=correlation_id, timeline=timeline,
            person=person, total_s=(hops[-1].at - start).total_seconds(), documents=documents,
        )  # fmt: skip

    return router


def dead_letter_pages(services: DashboardServices) -> APIRouter:
    """Dead letters by status, replayed or discarded by an operator."""
    router = APIRouter()

    @router.get("/dead-letters")
    def dead_letters(
        request: Request, user: Viewer, status: str = "waiting", notice: str = ""
    ) -> Response:
        if status not in STATUSES:
            raise HTTPException(422, f"status must be one of {', '.join(STATUSES)}")
        records = services.dead_letters.list(status=status, limit=200)
        if status != "waiting":
            records.reverse()
        rows = [(r, interface_of_queue(r.origin_queue, r.headers)) for r in records]
        return render(
            request, "dead_letters.html", user, rows=rows, status=status, statuses=STATUSES,
            notice=notice[:200], refresh=30 if status == "waiting" else None,
        )  # fmt: skip

    @router.post("/dead-letters/{dead_letter_id}/replay")
    def replay(
        dead_letter_id: int, user: Annotated[SignedIn, Depends(require_action("operator"))]
    ) -> Response:
        return _act(
            lambda: services.replay(dead_letter_id, user.username), dead_letter_id, "replayed"
        )

    @router.post("/dead-letters/{dead_letter_id}/discard")
    def discard(
        dead_letter_id: int, user: Annotated[SignedIn, Depends(require_action("operator"))]
    ) -> Response:
        return _act(
            lambda: services.dead_letters.mark_discarded(dead_letter_id, user.username),
            dead_letter_id,
            "discarded",
        )

    return router


def report_pages(services: DashboardServices) -> APIRouter:
    """The management-information report, as a page and as CSV."""
    router = APIRouter()
    monitor = services.monitor

    @router.get("/reports")
    def reports(request: Request, user: Viewer, days: int = 7) -> Response:
        return render(request, "reports.html", user, rows=_report(days), days=_days(days))

    @router.get("/reports.csv")
    def reports_csv(user: Viewer, days: int = 7) -> Response:
        return PlainTextResponse(
            report_csv(_report(days)),
            media_type="text/csv",
            headers={
                "Content-Disposition": f'attachment; filename="gatehouse-{_days(days)}-days.csv"'
            },
        )

    def _report(days: int) -> list[ReportRow]:
        today = utc_now().date()
        return [
            ReportRow(interface, day)
            for interface in monitor.interfaces
            for day in services.throughput.daily(interface, _days(days), today)
        ]

    return router


def _act(action: Callable[[], object], dead_letter_id: int, done: str) -> Response:
    try:
        action()
        notice = f"Dead letter {dead_letter_id} {done}."
    except (LookupError, ValueError) as error:
        notice = str(error)
    return RedirectResponse(f"{PREFIX}/dead-letters?notice={_q(notice)}", status_code=303)


_SEARCH_FIELDS = (
    "identifier", "message_id", "correlation_id", "adapter", "message_type", "status",
    "since", "until",
)  # fmt: skip


def _journal_query(params: Any) -> JournalQuery:
    adapter, _, direction = (params.get("adapter") or "").partition(".")
    before = params.get("before")
    return JournalQuery(
        message_id=(params.get("message_id") or "").strip() or None,
        correlation_id=(params.get("correlation_id") or "").strip() or None,
        identifier=(params.get("identifier") or "").strip() or None,
        adapter=adapter or None,
        direction=direction or None,
        message_type=(params.get("message_type") or "").strip() or None,
        status=params.get("status") or None,
        since=_when(params.get("since"), "since"),
        until=_when(params.get("until"), "until"),
        before_id=int(before) if before and before.isdigit() else None,
    )


def _when(text: str | None, name: str) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError as error:
        raise ValueError(
            f"{name} must be a date and time such as 2025-03-04T09:30, not {text!r}"
        ) from error
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _floor(at: datetime, width: timedelta) -> datetime:
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return epoch + ((at - epoch) // width) * width


def _days(days: int) -> int:
    return min(max(days, 1), 31)


def _q(value: str) -> str:
    return quote(value, safe="")
