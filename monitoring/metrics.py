"""Prometheus metrics at ``/metrics``, gathered from the journal, the dead-letter store and
the broker at each scrape, so every api process reports the same figures.

Names follow Prometheus's rules: the ``gatehouse_`` prefix, base units (seconds), ``_total``
on counters, and labels drawn from small fixed sets (adapters, directions, hop names,
outcomes, queue names), never from message ids or people.

``/metrics/process`` is this api process's own: each HTTP request's duration by method, route
template and status (``RequestTimer``), and prometheus_client's process, platform and
garbage-collector collectors. The worker processes serve the like at their own port
(``routing.worker_metrics``).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.responses import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core_records.timestamps import utc_now
from monitoring.health import SEVERITY, Interface
from monitoring.monitor import InterfaceMonitor

INTERFACE = ["adapter", "direction"]
SETTLING = timedelta(seconds=2)
"""Journal rows this young are counted at a later scrape (see ``Activity.step_totals``)."""


class HubCollector(Collector):
    def __init__(
        self, monitor: InterfaceMonitor, queue_depths: Callable[[], Mapping[str, int | None]]
    ) -> None:
        self._monitor = monitor
        self._queue_depths = queue_depths
        # The step counters are kept here and topped up from the journal rows added since the
        # last scrape, so a scrape stays cheap however long the journal grows.
        self._steps: Counter[tuple[Interface, str, str]] = Counter()
        self._counted_up_to = 0
        self._lock = threading.Lock()

    def collect(self) -> Iterator[Metric]:
        last = GaugeMetricFamily(
            "gatehouse_interface_last_message_timestamp_seconds",
            "Unix time of the latest hop journalled on the interface.",
            labels=INTERFACE,
        )
        status = GaugeMetricFamily(
            "gatehouse_interface_health_status",
            "The interface's health by its SLA rules: 0 green or paused, 1 amber or backing"
            " off, 2 red.",
            labels=INTERFACE,
        )
        waiting = GaugeMetricFamily(
            "gatehouse_dead_letters_waiting",
            "Dead letters of the interface waiting for an operator.",
            labels=INTERFACE,
        )
        for health in self._monitor.current_health():
            labels = [health.interface.adapter, health.interface.direction]
            signs = health.signs
            assert signs is not None
            if signs.last_message_at is not None:
                last.add_metric(labels, signs.last_message_at.timestamp())
            status.add_metric(labels, SEVERITY[health.status])
            waiting.add_metric(labels, signs.dead_letters_waiting)
        steps = CounterMetricFamily(
            "gatehouse_interface_steps",
            "Steps journalled on each interface (stored, delivered, retried...), by outcome.",
            labels=[*INTERFACE, "hop", "outcome"],
        )
        for (interface, hop, outcome), count in sorted(self._step_totals().items()):
            steps.add_metric([interface.adapter, interface.direction, hop, outcome], count)
        depth = GaugeMetricFamily(
            "gatehouse_queue_messages", "Messages ready in each work queue.", labels=["queue"]
        )
        for queue, messages in sorted(self._queue_depths().items()):
            if messages is not None:
                depth.add_metric([queue], messages)
        yield from (last, status, waiting, steps, depth)

    def _step_totals(self) -> dict[tuple[Interface, str, str], int]:
        with self._lock:
            new, self._counted_up_to = self._monitor.activity.step_totals(
                self._counted_up_to, settled_before=utc_now() - SETTLING
            )
            self._steps.update(new)
            return dict(self._steps)


DESCRIBED: dict[str, Any] = {
    "tags": ["metrics"],
    "response_class": Response,
    "responses": {
        200: {
            "description": "The Prometheus text exposition format",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        }
    },
}
"""How the OpenAPI describes a metrics route."""


def metrics_router(collector: Collector) -> APIRouter:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    router = APIRouter()

    @router.get("/metrics", **DESCRIBED)
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return router


PROCESS_REGISTRY = CollectorRegistry(auto_describe=True)
"""This process's own figures, served at ``/metrics/process``."""
for _collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
    PROCESS_REGISTRY.register(_collector)
HTTP_REQUEST_SECONDS = Histogram(
    "gatehouse_http_request_duration_seconds",
    "Time the API took to answer a request, by method, route template and status.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=PROCESS_REGISTRY,
)


class RequestTimer:
    """ASGI middleware: times each HTTP request into ``HTTP_REQUEST_SECONDS``, labelled with
    the matched route's template (``/api/v1/messages/{message_id}``), never the raw path, so
    the label set stays small; a request no route matched is ``unmatched``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # unless a response starts: an unhandled error is answered 500

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            HTTP_REQUEST_SECONDS.labels(scope["method"], route, str(status)).observe(
                time.perf_counter() - started
            )


def install_request_metrics(app: FastAPI) -> None:
    """Time every request of ``app`` and serve this process's figures at
    ``/metrics/process``."""
    router = APIRouter()

    @router.get("/metrics/process", **DESCRIBED)
    def process_metrics() -> Response:
        return Response(generate_latest(PROCESS_REGISTRY), media_type=CONTENT_TYPE_LATEST)

    app.include_router(router)
    app.add_middleware(RequestTimer)
