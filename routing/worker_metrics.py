"""What a worker process tells Prometheus about its own work, at its ``/metrics``
(``GATEHOUSE_WORKER_METRICS_PORT``; ``serve_worker_metrics``).

The figures live in the process's default registry, beside prometheus_client's process,
platform and garbage-collector collectors, so each worker reports its own; the api's
``/metrics`` (``monitoring.metrics``) reports the hub's figures from the journal instead.
Labels come from small fixed sets: the role is a loop's name (``ingest``, ``relay``,
``delivery:delius``, ``dead-letters``...), the partner an outbound adapter's name.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from prometheus_client import Counter, Histogram, start_http_server

log = logging.getLogger(__name__)

BATCH_SIZES = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
LATENCY = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600)

MESSAGES = Counter(
    "gatehouse_worker_messages",
    "Messages a worker loop settled, by role and outcome (applied, retry, dead_letter, "
    "delivered, held, filtered, published, filed...).",
    ["role", "outcome"],
)
BATCH_SIZE = Histogram(
    "gatehouse_worker_batch_size",
    "Messages in each batch a worker loop handled (idle polls are not counted).",
    ["role"],
    buckets=BATCH_SIZES,
)
BATCH_SECONDS = Histogram(
    "gatehouse_worker_batch_seconds",
    "Time a worker loop took over one batch, from fetch to settlement.",
    ["role"],
    buckets=SECONDS,
)
BATCH_ERRORS = Counter(
    "gatehouse_worker_batch_errors",
    "Batches a worker loop failed and handed back, by role.",
    ["role"],
)
DELIVERY_LATENCY = Histogram(
    "gatehouse_delivery_latency_seconds",
    "Time from an event's publication by the relay to its delivery to the partner.",
    ["partner"],
    buckets=LATENCY,
)
DELIVERY_REQUEST_SECONDS = Histogram(
    "gatehouse_delivery_request_seconds",
    "Time one successful delivery to the partner took (all its recipients).",
    ["partner"],
    buckets=SECONDS,
)


def count(role: str, outcome: str, messages: int = 1) -> None:
    """``messages`` more settled by ``role`` with ``outcome``."""
    if messages:
        MESSAGES.labels(role, outcome).inc(messages)


def serve_worker_metrics(port: int, host: str = "0.0.0.0") -> bool:
    """Serve the default registry at ``http://host:port/metrics`` from a daemon thread;
    ``port`` 0 serves nothing. A port already taken (a second worker on one host) is said
    in the log and the worker carries on without: whether it serves or not."""
    if not port:
        return False
    try:
        start_http_server(port, addr=host)
    except OSError as error:
        log.warning("worker metrics not served on %s:%d: %s", host, port, error)
        return False
    log.info("worker metrics on http://%s:%d/metrics", host, port)
    return True


def delivered(partner: str, published_at: datetime | None, request_s: float) -> None:
    """One event delivered to ``partner``: its request took ``request_s``, and it was
    published at ``published_at`` (when known)."""
    DELIVERY_REQUEST_SECONDS.labels(partner).observe(request_s)
    if published_at is not None:
        since = (datetime.now(UTC) - published_at).total_seconds()
        DELIVERY_LATENCY.labels(partner).observe(max(since, 0.0))
