"""The hub on a three-node RabbitMQ cluster while the node leading the ingest queue stops.

Shared by the cluster failover test (tests/integration/routing/test_cluster_failover.py) and
``bench/cluster_failover.py``: the one asserts on what ``run_failover`` measures, the other
prints it with more messages.

Two worker processes (``gatehouse worker``, every role: ingest, relay, delivery) run on the
cluster with every node's URL, and quorum queues replicated on all three nodes. A publisher
thread streams receptions of new people to the inbound exchange in small batches, as the
edge would, sending a batch again under the same message ids when the broker did not
confirm it (a partner resends the same way). Once a share of them has been applied, the node
leading the ingest queue is stopped. Then everything is waited for, for as long as it keeps
moving: every reception applied, every event delivered to Delius, and the figures taken
from the store (inbox, people, movements, outbox) and from Delius's own record of what
arrived.
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

import sqlalchemy as sa

from adapters.delius.simulator import DeliusReceiver
from adapters.private_prisons.simulator import OperatorSimulator
from core_records import tables
from core_records.errors import TransportUnavailable
from gatehouse.bootstrap import Hub, build_hub
from gatehouse.settings import Settings
from routing.inbound import Submission, inbound_message
from routing.messages import Message
from routing.topology import ingest_queue_name
from tests.rabbitmq_cluster import RabbitCluster
from tests.running_hub import unpublished_events

SERCO_PRISONS = ["DNI", "TSI", "LGI", "ASI", "DGI"]


@dataclass
class FailoverFigures:
    """What one run measured. Rates are receptions applied a second."""

    messages: int
    applied: int = 0
    lost: int = 0
    """Receptions published and confirmed that never reached the store."""
    applied_twice: int = 0
    """Movements (one per reception) beyond one per applied reception, plus people beyond one
    per reception: what a reception applied twice would leave."""
    events: int = 0
    delivered: int = 0
    """Distinct events Delius received."""
    undelivered: int = 0
    delivered_again: int = 0
    """Documents Delius received a second time under an event id it had (and dropped, as a
    partner must): at-least-once delivery at work, not a loss or a double application."""
    batches_resent: int = 0
    members: list[str] = field(default_factory=list)
    stopped_node: str = ""
    leader_after: str = ""
    ingest_pause_s: float = 0.0
    """The longest time between two receptions applied, over the whole run."""
    delivery_pause_s: float = 0.0
    """The longest time between two documents arriving at Delius, over the whole run."""
    ingest_rate_before: float = 0.0
    ingest_rate_after: float = 0.0
    load_average: tuple[float, float, float] = (0.0, 0.0, 0.0)
    worker_exit_codes: list[int] = field(default_factory=list)


def receptions(count: int, seed: int) -> list[Message]:
    operator = OperatorSimulator("serco", SERCO_PRISONS, seed=seed)
    now = datetime.now(UTC)
    return [
        inbound_message(
            Submission(
                "private_prisons",
                "reception",
                "serco",
                operator.reception(operator.person(sex="M", known_to_prisons=False)),
                now,
                None,
            )
        )
        for _ in range(count)
    ]


class StreamPublisher(threading.Thread):
    """Publishes ``messages`` in batches of ``batch`` every ``every_s``; a batch the broker
    did not confirm (its node stopped under it) is sent again, same ids, until it is."""

    def __init__(self, hub: Hub, messages: Sequence[Message], batch: int, every_s: float):
        super().__init__(name="failover-publisher", daemon=True)
        self._hub, self._messages, self._batch, self._every_s = hub, messages, batch, every_s
        self.resent = 0
        self.failure: BaseException | None = None

    def run(self) -> None:
        exchange = self._hub.topology.inbound_exchange
        try:
            for start in range(0, len(self._messages), self._batch):
                batch = list(self._messages[start : start + self._batch])
                deadline = time.monotonic() + 120
                while True:
                    try:
                        self._hub.transport.publish(exchange, batch)
                        break
                    except TransportUnavailable:
                        if time.monotonic() > deadline:
                            raise
                        self.resent += 1
                        time.sleep(0.2)
                time.sleep(self._every_s)
        except BaseException as error:  # reported by the run, which fails on it
            self.failure = error


def worker_process(settings: Settings, log: Path) -> subprocess.Popen[bytes]:
    environment = {
        **os.environ,
        "GATEHOUSE_DATABASE_URL": settings.store_url,
        "GATEHOUSE_BROKER_URL": settings.broker_url or "",
        "GATEHOUSE_BROKER_QUORUM_GROUP_SIZE": str(settings.broker_quorum_group_size or ""),
        "GATEHOUSE_NAMESPACE": settings.namespace,
        "GATEHOUSE_DATA_DIR": str(settings.data_dir),
        "GATEHOUSE_PARTNER_URLS__DELIUS": settings.partner_urls["delius"],
        "GATEHOUSE_DELAY_TIERS_MS": "[200, 500, 1000]",
        "GATEHOUSE_MAX_ATTEMPTS": "30",
    }
    if not settings.broker_quorum_group_size:
        del environment["GATEHOUSE_BROKER_QUORUM_GROUP_SIZE"]
    with log.open("ab") as output:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "gatehouse", "worker"],
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def wait_while_moving(
    done: Callable[[], int], target: int, what: str, stalled_after_s: float
) -> None:
    """Wait until ``done()`` reaches ``target``, for as long as it keeps rising: fail only
    when it has not moved for ``stalled_after_s``. A loaded machine makes the hub slow, not
    stuck; a stall (something lost, or waiting on what never comes) fails all the same."""
    last, moved_at = -1, time.monotonic()
    while (now_done := done()) < target:
        if now_done != last:
            last, moved_at = now_done, time.monotonic()
        elif time.monotonic() - moved_at > stalled_after_s:
            raise TimeoutError(f"{what}: stuck at {now_done} of {target} for {stalled_after_s:g} s")
        time.sleep(0.2)


def run_failover(
    cluster: RabbitCluster,
    settings: Settings,
    receiver: DeliusReceiver,
    log: Path,
    *,
    messages: int,
    stop_when_applied: float = 0.35,
    batch: int = 25,
    every_s: float = 0.05,
    seed: int = 1,
    timeout_s: float = 240,
) -> FailoverFigures:
    """Run the hub on ``cluster`` under a stream of ``messages`` receptions, stop the node
    leading the ingest queue once ``stop_when_applied`` of them are applied, and measure.
    ``timeout_s``: how long the run may make no progress (nothing applied, nothing
    delivered, a batch not published) before it counts as stuck."""
    figures = FailoverFigures(messages=messages)
    ingest = ingest_queue_name(settings.namespace)
    documents = receptions(messages, seed)
    hub = build_hub(settings)
    workers: list[subprocess.Popen[bytes]] = []
    try:
        leader, figures.members = cluster.queue_members(ingest)
        workers = [worker_process(settings, log), worker_process(settings, log)]
        publisher = StreamPublisher(hub, documents, batch, every_s)
        publisher.start()
        wait_while_moving(
            lambda: _count(hub, tables.inbox),
            math.ceil(messages * stop_when_applied),
            f"{stop_when_applied:.0%} of the receptions applied",
            timeout_s,
        )
        leader, _ = cluster.queue_members(ingest)  # it may have moved since the start
        figures.stopped_node = leader
        stopped_at = datetime.now(UTC)
        cluster.stop_node(cluster.node(leader))
        survivor = next(node for node in cluster.nodes if node.name != leader)
        figures.leader_after, _ = cluster.queue_members(ingest, asked=survivor)

        publisher.join(timeout_s)
        if publisher.failure is not None:
            raise RuntimeError(f"publishing failed: {publisher.failure!r}")
        figures.batches_resent = publisher.resent
        wait_while_moving(
            lambda: _count(hub, tables.inbox), messages, "every reception applied", timeout_s
        )
        outbox = _outbox_ids(hub)
        try:
            wait_while_moving(
                lambda: len(outbox & _delivered_ids(receiver)),
                len(outbox),
                "every event delivered to Delius",
                timeout_s,
            )
        except TimeoutError as error:
            raise TimeoutError(
                f"{error}\n{_where_undelivered(cluster, hub, receiver, log)}"
            ) from None
        _measure(figures, hub, receiver, {m.message_id for m in documents}, stopped_at)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                figures.worker_exit_codes.append(worker.wait(timeout=60))
            except subprocess.TimeoutExpired:
                worker.kill()
                figures.worker_exit_codes.append(worker.wait(timeout=10))
        hub.close()
    figures.load_average = os.getloadavg()
    return figures


def _measure(
    figures: FailoverFigures,
    hub: Hub,
    receiver: DeliusReceiver,
    published: set[str],
    stopped_at: datetime,
) -> None:
    with hub.engine.connect() as connection:
        rows = connection.execute(sa.select(tables.inbox.c.message_id, tables.inbox.c.applied_at))
        applied = {message_id: at for message_id, at in rows}
    people, movements = _count(hub, tables.person), _count(hub, tables.movement)
    figures.applied = len(applied)
    figures.lost = len(published - applied.keys())
    figures.applied_twice = max(0, movements - len(applied)) + max(0, people - len(published))
    outbox = _outbox_ids(hub)
    delivered = _delivered_ids(receiver)
    figures.events = len(outbox)
    figures.delivered = len(delivered & outbox)
    figures.undelivered = len(outbox - delivered)
    figures.delivered_again = len(receiver.duplicates)

    applied_times = sorted(_utc(at) for at in applied.values())
    figures.ingest_pause_s = _longest_gap(applied_times)
    figures.delivery_pause_s = _longest_gap(sorted(d.received_at for d in receiver.received))
    before = [t for t in applied_times if t <= stopped_at]
    after = [t for t in applied_times if t > stopped_at]
    figures.ingest_rate_before = _rate(before)
    figures.ingest_rate_after = _rate(after)


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _longest_gap(times: Sequence[datetime]) -> float:
    return max(((b - a).total_seconds() for a, b in pairwise(times)), default=0.0)


def _rate(times: Sequence[datetime]) -> float:
    if len(times) < 2:
        return 0.0
    return (len(times) - 1) / max((times[-1] - times[0]).total_seconds(), 1e-6)


def _count(hub: Hub, table: sa.Table) -> int:
    with hub.engine.connect() as connection:
        return int(connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def _outbox_ids(hub: Hub) -> set[str]:
    with hub.engine.connect() as connection:
        return set(connection.execute(sa.select(tables.outbox.c.event_id)).scalars())


def _where_undelivered(
    cluster: RabbitCluster, hub: Hub, receiver: DeliusReceiver, log: Path
) -> str:
    """What a failed wait for delivery needs to be understood: where the undelivered events
    are (unpublished, or their journal hops), the cluster's queues, the workers' last lines."""
    missing = sorted(_outbox_ids(hub) - _delivered_ids(receiver))
    lines = [f"{len(missing)} events undelivered"]
    lines.append(f"{unpublished_events(hub)} events never published by the relay")
    with hub.engine.connect() as connection:
        for event_id in missing[:5]:
            hops = connection.execute(
                sa.select(tables.journal.c.hop, tables.journal.c.at, tables.journal.c.detail)
                .where(tables.journal.c.message_id == event_id)
                .order_by(tables.journal.c.id)
            ).all()
            lines.append(
                f"event {event_id}: "
                + "; ".join(f"{h} at {a:%H:%M:%S.%f} {d or ''}" for h, a, d in hops)
            )
    for node in cluster.nodes:
        try:
            lines.append(
                cluster.ctl(
                    node,
                    "list_queues",
                    "name",
                    "messages",
                    "messages_ready",
                    "messages_unacknowledged",
                    "leader",
                    timeout_s=30,
                )
            )
            break
        except (subprocess.SubprocessError, OSError):
            continue
    lines.append("workers' log, last 40 lines:")
    lines.extend(log.read_text(errors="replace").splitlines()[-40:])
    return "\n".join(lines)


def _delivered_ids(receiver: DeliusReceiver) -> set[str]:
    return {d.headers["x-gatehouse-event-id"] for d in receiver.received}
