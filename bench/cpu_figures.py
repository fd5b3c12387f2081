"""CPU per reception, by process, for the pipeline benchmark, with the machine's load.

On a shared machine a wall-clock rate moves with whatever else runs; the CPU time each
process spent on a run's receptions does not, much. So the pipeline benchmark reports, for
each hub process (the ingest worker, the relay and delivery worker) and for them together,
the CPU milliseconds per reception (user + system, from ``/proc`` through psutil), the
same for the PostgreSQL backends serving the benchmark's own database and for RabbitMQ, and
the load average before and after, against the targets:

- the hub workers' CPU per reception, every partner receiving: at most 3 ms;
- latency at half load, publish to the last partner's delivery: p99 at most 250 ms.

RabbitMQ is one ``beam.smp`` for the whole machine, so its figure includes whatever else
used the broker during the run; PostgreSQL's counts only the backends connected to the
benchmark's database (a backend that closes during the run takes its CPU time with it, so
that figure is a floor).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import psutil
import sqlalchemy as sa

HUB_WORKERS = ("ingest worker", "relay+delivery worker")
"""The process groups that are the hub's own workers (the benchmark's other groups are the
database, the broker and the simulated partners)."""
WORKERS_TARGET_MS = 3.0
P99_TARGET_MS = 250.0


def backends_of(database_url: str) -> str:
    """What the command line of a PostgreSQL backend serving ``database_url``'s database
    holds (``postgres: <user> <database> <client> <state>``)."""
    return f" {sa.engine.make_url(database_url).database} "


@dataclass
class LoadAverages:
    """The one-minute load average at named moments of a run."""

    taken: list[tuple[str, float]] = field(default_factory=list)

    def take(self, moment: str) -> None:
        self.taken.append((moment, os.getloadavg()[0]))

    def line(self) -> str:
        return ", ".join(f"{moment} {load:.1f}" for moment, load in self.taken)


def ms_per(seconds: float, receptions: int) -> float:
    return seconds / receptions * 1000


def cpu_lines(cpu_seconds: dict[str, float], receptions: int, baseline_s: float) -> list[str]:
    """CPU milliseconds per reception: each group, the hub's workers together against their
    target, everything measured, and raw pika's message for scale."""
    lines = [f"CPU per reception during (b), ms (user + system, over {os.cpu_count()} cores):"]
    for group, seconds in cpu_seconds.items():
        lines.append(f"    {group:<28}{ms_per(seconds, receptions):8.2f}")
    workers = ms_per(sum(cpu_seconds.get(g, 0.0) for g in HUB_WORKERS), receptions)
    verdict = "met" if workers <= WORKERS_TARGET_MS else "MISSED"
    lines.append(
        f"    {'hub workers together':<28}{workers:8.2f}   target <= {WORKERS_TARGET_MS:.0f}: "
        f"{verdict}"
    )
    everything = ms_per(sum(cpu_seconds.values()), receptions)
    lines.append(f"    {'all of the above':<28}{everything:8.2f}")
    lines.append(f"    {'(a) raw pika and RabbitMQ':<28}{ms_per(baseline_s, receptions):8.2f}")
    return lines


def p99_line(p99_ms: float) -> str:
    verdict = "met" if p99_ms <= P99_TARGET_MS else "MISSED"
    return f"p99 at half load {p99_ms:.0f} ms, target <= {P99_TARGET_MS:.0f} ms: {verdict}"


Snapshot = dict[int, tuple[str, float]]
"""CPU seconds so far (user + system) of each process in a group, by pid."""


def listening_pid(port: int) -> int | None:
    """The process listening on TCP ``port`` here (the broker, among RabbitMQ nodes that
    tests start and stop on other ports), or None if it cannot be told."""
    try:
        for connection in psutil.net_connections(kind="tcp"):
            if connection.status == psutil.CONN_LISTEN and connection.laddr.port == port:
                return connection.pid
    except psutil.AccessDenied:
        pass
    return None


def snapshot(groups: dict[str, str], only: dict[str, int | None]) -> Snapshot:
    """Every process whose command line holds a group's marker (the first group that
    matches), with its CPU seconds; for a group in ``only``, just that pid."""
    taken: Snapshot = {}
    for process in psutil.process_iter(["cmdline"]):
        command = " ".join(process.info["cmdline"] or [])
        group = next((g for g, marker in groups.items() if marker in command), None)
        if group is None or (only.get(group) is not None and process.pid != only[group]):
            continue
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        taken[process.pid] = (group, times.user + times.system)
    return taken


def used_between(first: Snapshot, last: Snapshot, groups: dict[str, str]) -> dict[str, float]:
    """CPU seconds each group used from ``first`` to ``last``, process by process: one that
    started in between counts from nothing, one that ended in between is not counted."""
    used = dict.fromkeys(groups, 0.0)
    for pid, (group, seconds) in last.items():
        before = first.get(pid)
        used[group] += seconds - (before[1] if before and before[0] == group else 0.0)
    return used
