"""A whole hub running in the test process: store, transport, every worker loop.

Used by end-to-end and fault tests, on either backend: the embedded default (SQLite and the
embedded transport) or production's (PostgreSQL and RabbitMQ).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from core_records import tables
from gatehouse.bootstrap import Hub, amqp_partners, build_hub
from gatehouse.settings import Settings
from gatehouse.worker_loops import ROLES, build_loops
from routing.topology import partner_topology
from routing.worker import WorkerRunner
from tests.support import remember_topology

FAST_TIERS_MS = (200, 500, 1_000)


def hub_settings(
    *,
    database_url: str,
    broker_url: str | None,
    namespace: str,
    data_dir: Path,
    delius_url: str,
    **overrides: object,
) -> Settings:
    """Settings for a test hub: its own namespace, short delay tiers, few attempts."""
    values: dict[str, object] = {
        "database_url": database_url,
        "broker_url": broker_url,
        "namespace": namespace,
        "data_dir": data_dir,
        "partner_urls": {"delius": delius_url},
        "delay_tiers_ms": FAST_TIERS_MS,
        "max_attempts": 4,
        "delivery_attempts": 2,
        "delivery_timeout_s": 2.0,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@contextmanager
def running_hub(settings: Settings, *, roles: Iterable[str] = ROLES) -> Iterator[Hub]:
    """A hub with its worker loops running in threads; stopped (as by SIGTERM) on exit."""
    hub = build_hub(settings)
    remember_topology(hub.topology)
    remember_topology(
        partner_topology(amqp_partners(hub.registry), namespace=hub.topology.namespace)
    )
    stop = threading.Event()
    runner = threading.Thread(
        target=WorkerRunner(build_loops(hub, roles), idle_sleep_s=0.02).run,
        args=(stop,),
        name="test-hub-workers",
    )
    runner.start()
    try:
        yield hub
    finally:
        stop.set()
        runner.join(timeout=60)
        hub.close()
        assert not runner.is_alive(), "the worker loops did not stop within 60 s"


def unpublished_events(hub: Hub) -> int:
    """Events in the outbox the relay has not published yet."""
    with hub.engine.connect() as connection:
        return int(
            connection.execute(
                sa.select(sa.func.count())
                .select_from(tables.outbox)
                .where(tables.outbox.c.published_at.is_(None))
            ).scalar_one()
        )


def eventually(
    condition: Callable[[], object], what: str, *, timeout_s: float = 30.0, every_s: float = 0.05
) -> None:
    """Wait until ``condition()`` is true, failing with ``what`` after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")
        time.sleep(every_s)
