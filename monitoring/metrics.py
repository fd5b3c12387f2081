"""Prometheus metrics at ``/metrics``, gathered from the journal, the dead-letter store and
the broker at each scrape, so every api process reports the same figures.

Names follow Prometheus's rules: the ``gatehouse_`` prefix, base units (seconds), ``_total``
on counters, and labels drawn from small fixed sets (adapters, directions, hop names,
outcomes, queue names), never from message ids or people.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from datetime import timedelta

from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

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
            "The interface's health by its SLA rules: 0 green, 1 amber, 2 red.",
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


def metrics_router(collector: Collector) -> APIRouter:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    router = APIRouter()

    @router.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return router
