"""The soak: the hub on PostgreSQL and RabbitMQ, in processes of its own, taking operators'
posts while it is broken on purpose, and then a count of what it lost.

    .venv/bin/python bench/soak.py [--messages 3000] [--clients 6] [--kill-workers 10]
        [--kill-api] [--broker-restart] [--partner-outage 10] [--seed 7]

It creates a database (dropped afterwards) and a queue namespace (deleted afterwards),
starts the API (``gatehouse serve``) and two workers (``gatehouse worker``, every role) and
serves a simulated Delius in this process. ``--clients`` threads post ``--messages``
receptions of new people and a tenth as many releases (each once its reception has been
applied) over HTTP with operator tokens; a client that times out, loses its connection or
hears 503 or 429 posts the same document again, as a partner must, so the resend rule is
used in earnest. Meanwhile, each at a random point of the posting:

- ``--kill-workers K``: SIGKILL a worker, chosen at random, K times, starting it again;
- ``--kill-api``: SIGKILL the API once and start it again (clients retry meanwhile);
- ``--broker-restart``: RabbitMQ goes away for ``--broker-down`` seconds (default 10) and
  comes back. By default every hub process reaches the broker through a TCP proxy in this
  process, which refuses and drops every connection for that time: the machine's RabbitMQ
  is shared (other test runs use it), and stopping it would break their runs. To stop the
  broker itself, pass ``--broker-command "rabbitmqctl stop_app"`` and ``--broker-start
  "rabbitmqctl start_app"``: the same faults from the hub's side, but queues and unconfirmed
  publishes are then truly at the broker's mercy;
- ``--partner-outage S``: Delius answers 503 for S seconds.

Then it waits until the hub has settled (every accepted message applied, held for identity
review or refused; no event unpublished or undelivered; nothing queued; no delivery hold)
and prints: posted and accepted, lost, applied twice, out of order (a person's release
reaching Delius before their reception, by first arrival), duplicates delivered (documents
Delius dropped because it had their event id), dead letters (and how many say someone was,
or was not, in custody: what a resend not recognised as one would cause) and holds left.
Exit 1 on any loss, double application or disorder, or if the hub does not settle.

Not in ``make bench``: it kills processes and (with ``--broker-command``) the broker.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pika
from bench_database import fresh_database
from soak_checks import Verdict, judge, settling
from soak_clients import Client, Tally, plans

from adapters.delius.simulator import DeliusReceiver, running_receiver
from gatehouse.bootstrap import Hub, amqp_partners, build_hub
from gatehouse.settings import Settings
from routing.topology import partner_topology

ROOT = Path(__file__).resolve().parents[1]
RABBITMQ_URL = os.environ.get(
    "GATEHOUSE_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/%2F"
)
POSTGRES_URL = os.environ.get(
    "GATEHOUSE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def tcp_proxy(url: str) -> Any:
    """A TCP proxy in front of the broker at ``url`` (the tests' own, borrowed by path)."""
    path = ROOT / "tests" / "integration" / "routing" / "_tcp_proxy.py"
    spec = importlib.util.spec_from_file_location("soak_tcp_proxy", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.TcpProxy.in_front_of(url)


def delete_namespace(hub: Hub) -> None:
    """Delete the run's queues and exchanges, the hub's and its AMQP partners'."""
    partners = partner_topology(amqp_partners(hub.registry), namespace=hub.settings.namespace)
    connection = pika.BlockingConnection(pika.URLParameters(hub.settings.broker_url or ""))
    try:
        channel = connection.channel()
        for topology in (hub.topology, partners):
            for queue in topology.all_queue_names:
                channel.queue_delete(queue)
            for exchange in topology.exchanges:
                channel.exchange_delete(exchange.name)
    finally:
        connection.close()


class HubProcesses:
    """The API and two workers, each startable again after a kill. Like a service manager,
    ``supervise`` starts again any that exits by itself (a worker started while the broker is
    unreachable gives up), counting those restarts."""

    def __init__(self, environment: dict[str, str], port: int, log: Path) -> None:
        self.environment, self.port, self.log = environment, port, log
        # Not the repository root: what is there (a stale build's metadata) is no business
        # of the installed hub's.
        self.cwd = Path(environment["GATEHOUSE_DATA_DIR"])
        self.cwd.mkdir(parents=True, exist_ok=True)
        self.api: subprocess.Popen[bytes] | None = None
        self.workers: list[subprocess.Popen[bytes] | None] = [None, None]
        self.kills: list[str] = []
        self.exits: list[str] = []
        """Processes that exited by themselves, with their exit status."""
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    def _start(self, *arguments: str) -> subprocess.Popen[bytes]:
        with self.log.open("ab") as output:
            return subprocess.Popen(
                [sys.executable, "-m", "gatehouse", *arguments],
                env=self.environment, cwd=self.cwd, stdout=output, stderr=subprocess.STDOUT,
            )  # fmt: skip

    def _start_api(self) -> subprocess.Popen[bytes]:
        return self._start("serve", "--host", "127.0.0.1", "--port", str(self.port))

    def start(self) -> None:
        with self._lock:
            self.api = self._start_api()
            self.workers = [self._start("worker") for _ in self.workers]
        threading.Thread(target=self._supervise, daemon=True, name="supervisor").start()

    def kill_worker(self, rng: random.Random) -> None:
        with self._lock:
            index = rng.randrange(len(self.workers))
            process = self.workers[index]
            assert process is not None
            process.send_signal(signal.SIGKILL)
            process.wait()
            self.kills.append(f"worker {index} (pid {process.pid})")
            self.workers[index] = self._start("worker")

    def kill_api(self) -> None:
        with self._lock:
            assert self.api is not None
            self.api.send_signal(signal.SIGKILL)
            self.api.wait()
            self.kills.append(f"api (pid {self.api.pid})")
            time.sleep(1.0)
            self.api = self._start_api()

    def _supervise(self) -> None:
        while not self._stopping.wait(1.0):
            with self._lock:
                if self._stopping.is_set():
                    return
                if self.api is not None and self.api.poll() is not None:
                    self.exits.append(f"api exited {self.api.returncode}")
                    self.api = self._start_api()
                for index, process in enumerate(self.workers):
                    if process is not None and process.poll() is not None:
                        self.exits.append(f"worker {index} exited {process.returncode}")
                        self.workers[index] = self._start("worker")

    def stop(self) -> None:
        self._stopping.set()
        with self._lock:
            running = [p for p in [self.api, *self.workers] if p is not None]
        for process in running:
            process.terminate()
        for process in running:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_ready(api: str, timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{api}/health/ready", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"the API at {api} was not ready within {timeout_s:.0f} s")


class Faults(threading.Thread):
    """Fires each fault once the clients have finished the fraction of their documents it
    was drawn for (between 5% and 85%), so that every fault lands mid-run."""

    def __init__(
        self, args: argparse.Namespace, hub: HubProcesses, receiver: DeliusReceiver,
        proxy: Any, tally: Tally, total: int,
    ) -> None:  # fmt: skip
        super().__init__(daemon=True, name="faults")
        self.rng = random.Random(args.seed)
        self.args, self.hub, self.receiver, self.proxy = args, hub, receiver, proxy
        self.tally, self.total = tally, total
        self.log: list[str] = []
        self.stop = threading.Event()
        draws = [("kill worker", None)] * args.kill_workers
        draws += [("kill api", None)] * args.kill_api
        draws += [("broker restart", None)] * args.broker_restart
        draws += [("partner outage", None)] * (args.partner_outage > 0)
        self.schedule = sorted((self.rng.uniform(0.05, 0.85), name) for name, _ in draws)

    def run(self) -> None:
        started = time.monotonic()
        for at, name in self.schedule:
            while self.tally.done < at * self.total:
                if self.stop.wait(0.2):
                    return
            self.log.append(f"{time.monotonic() - started:6.1f} s  {at:4.0%}  {name}")
            print(f"  fault at {at:.0%} of posting: {name}", flush=True)
            getattr(self, name.replace(" ", "_"))()

    def kill_worker(self) -> None:
        self.hub.kill_worker(self.rng)

    def kill_api(self) -> None:
        self.hub.kill_api()

    def broker_restart(self) -> None:
        if self.args.broker_command:
            subprocess.run(shlex.split(self.args.broker_command), check=True)
            time.sleep(self.args.broker_down)
            subprocess.run(shlex.split(self.args.broker_start), check=True)
            return
        assert self.proxy is not None
        self.proxy.refuse()
        time.sleep(self.args.broker_down)
        self.proxy.restore()

    def partner_outage(self) -> None:
        self.receiver.fail_until_recovered(503)
        threading.Timer(self.args.partner_outage, self.receiver.recover).start()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


@contextmanager
def broker_route(args: argparse.Namespace) -> Iterator[tuple[str, Any]]:
    """The broker URL the hub's processes use, and the proxy in front of it if any."""
    if args.broker_command:
        yield args.rabbitmq_url, None
        return
    proxy = tcp_proxy(args.rabbitmq_url)
    try:
        yield proxy.url_for(args.rabbitmq_url), proxy
    finally:
        proxy.close()


def environment(settings: Settings, delius_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "GATEHOUSE_DATABASE_URL": settings.store_url,
        "GATEHOUSE_BROKER_URL": settings.broker_url or "",
        "GATEHOUSE_NAMESPACE": settings.namespace,
        "GATEHOUSE_DATA_DIR": str(settings.data_dir),
        "GATEHOUSE_PARTNER_URLS__DELIUS": delius_url,
        # Six clients of three operators post as fast as they are answered.
        "GATEHOUSE_PARTNER_RATE_PER_S": "1000",
        "GATEHOUSE_PARTNER_RATE_BURST": "1000",
    }


def wait_settled(hub: Hub, tally: Tally, quiet_s: float) -> tuple[bool, str]:
    """Until settled twice in a row; False after ``quiet_s`` without any change."""
    last, changed, in_a_row = None, time.monotonic(), 0
    while True:
        now = settling(hub, tally)
        in_a_row = in_a_row + 1 if now.settled else 0
        if in_a_row >= 2:
            return True, str(now)
        if now != last:
            last, changed = now, time.monotonic()
        elif time.monotonic() - changed > quiet_s:
            return False, str(now)
        time.sleep(1.0)


def run(args: argparse.Namespace) -> int:
    namespace = f"soak{uuid.uuid4().hex[:6]}"
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"gatehouse-soak-{namespace}.log"
    data_dir = Path(os.environ.get("TMPDIR", "/tmp")) / f"gatehouse-soak-{namespace}"
    print(f"before: {uptime()}", flush=True)
    made = plans(args.messages, args.clients, args.seed)
    posted = sum(len(p.receptions) + len(p.releases) for p in made)
    with ExitStack() as stack:
        database_url = stack.enter_context(fresh_database(args.postgres_url, "gh_soak"))
        stack.callback(shutil.rmtree, data_dir, ignore_errors=True)
        broker_url, proxy = stack.enter_context(broker_route(args))
        delius_url, receiver = stack.enter_context(running_receiver())
        settings = Settings(
            database_url=database_url, broker_url=args.rabbitmq_url, namespace=namespace,
            data_dir=data_dir, partner_urls={"delius": delius_url},
        )  # fmt: skip
        hub = build_hub(settings)
        stack.callback(hub.close)
        stack.callback(delete_namespace, hub)
        tokens = {p.operator: hub.credentials.issue(p.operator) for p in made}
        port = args.port or free_port()
        processes = HubProcesses(
            environment(settings.model_copy(update={"broker_url": broker_url}), delius_url),
            port, log,
        )  # fmt: skip
        stack.callback(processes.stop)
        processes.start()
        api = f"http://127.0.0.1:{port}"
        wait_ready(api)
        tally = Tally()
        faults = Faults(args, processes, receiver, proxy, tally, posted)
        deadline = time.monotonic() + args.timeout
        clients = [
            Client(lambda: api, tokens[p.operator], p, hub.engine, tally, deadline) for p in made
        ]
        started = time.monotonic()
        faults.start()
        for client in clients:
            client.start()
        during = ""
        while any(client.is_alive() for client in clients):
            if not during and tally.done >= posted / 2:
                during = uptime()
            time.sleep(0.5)
        posting_s = time.monotonic() - started
        faults.stop.set()
        faults.join()
        settled, state = wait_settled(hub, tally, args.quiet)
        settled_s = time.monotonic() - started
        verdict = judge(hub, tally, posted, receiver)
        report(args, verdict, tally, faults, processes, (during, posting_s, settled_s), settled,
               state, log)  # fmt: skip
    return 1 if verdict.failed or not settled else 0


def report(
    args: argparse.Namespace, verdict: Verdict, tally: Tally, faults: Faults,
    processes: HubProcesses, timing: tuple[str, float, float], settled: bool, state: str,
    log: Path,
) -> None:  # fmt: skip
    during, posting_s, settled_s = timing
    rows = [
        ("posted", f"{verdict.posted - tally.releases_skipped} of {verdict.posted} documents"
                   f" by {args.clients} clients"
                   f" ({tally.attempts} requests, {tally.retries} retried,"
                   f" {tally.replayed} answered as resends)"),
        ("accepted", f"{verdict.accepted}  (applied {verdict.outcomes['applied']},"
                     f" held for identity review {verdict.outcomes['held']},"
                     f" refused {verdict.outcomes['refused']}; releases not posted because"
                     f" the reception was held or refused: {tally.releases_skipped})"),
        ("refused at the edge", f"{len(tally.refused)}"),
        ("lost", f"{len(verdict.lost)}"),
        ("applied twice", f"{len(verdict.applied_twice)}"),
        ("out of order", f"{len(verdict.out_of_order)}"),
        ("duplicates delivered", f"{verdict.duplicates_delivered} (dropped by Delius by event id)"),
        ("dead letters", f"{sum(verdict.dead_letters.values())}, of which {verdict.retry_caused}"
                         " say someone was or was not in custody"),
        ("holds left", f"{verdict.holds_left}"),
        ("settled", f"{'yes' if settled else 'NO'} after {settled_s:.0f} s"
                    f" (posting took {posting_s:.0f} s); {state}"),
        ("faults", "; ".join(line.split("  ")[-1] for line in faults.log) or "none"),
        ("exited by themselves", "; ".join(processes.exits) + " (started again, as a service"
                                 " manager would)" if processes.exits else "none"),
        ("broker restart by", "rabbitmqctl" if args.broker_command else "TCP proxy (see --help)"),
        ("load during", during),
        ("log", str(log)),
    ]  # fmt: skip
    print()
    for label, value in rows:
        print(f"{label:<22}{value}")
    for label, items in (
        ("lost", verdict.lost), ("applied twice", verdict.applied_twice),
        ("out of order", verdict.out_of_order), ("refused at the edge", tally.refused),
    ):  # fmt: skip
        for item in items[:10]:
            print(f"  {label}: {item}")
    for reason, count in verdict.dead_letters.most_common(5):
        print(f"  dead letter x{count}: {reason}")
    print(f"after: {uptime()}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=3000, help="receptions to post")
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--kill-workers", type=int, default=0, metavar="K")
    parser.add_argument("--kill-api", action="store_const", const=1, default=0)
    parser.add_argument("--broker-restart", action="store_const", const=1, default=0)
    parser.add_argument("--broker-down", type=float, default=10.0, metavar="SECONDS")
    parser.add_argument("--broker-command", default="", help="stops the real broker")
    parser.add_argument("--broker-start", default="rabbitmqctl start_app")
    parser.add_argument("--partner-outage", type=float, default=0.0, metavar="SECONDS")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--port", type=int, default=0, help="the API's (default: a free one)")
    parser.add_argument("--timeout", type=float, default=3600.0, help="posting deadline, s")
    parser.add_argument("--quiet", type=float, default=300.0, help="give up settling after"
                        " this many seconds without change")  # fmt: skip
    parser.add_argument("--rabbitmq-url", default=RABBITMQ_URL)
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    raise SystemExit(run(parser.parse_args()))


if __name__ == "__main__":
    main()
