"""A three-node RabbitMQ cluster of a test's own, on this machine, from the installed RabbitMQ.

Production runs the broker as a cluster with quorum queues replicated on three nodes; the
cluster failover test and ``bench/cluster_failover.py`` run the hub on one of these and stop
a node under it. Each node runs from the installed RabbitMQ's scripts (``/usr/lib/rabbitmq/bin``)
as the user running the tests, under a node name, AMQP and distribution ports, directories and
an Erlang cookie of the cluster's own, with no plugins (so no management or Prometheus port to
clash): the machine's own RabbitMQ (``rabbit@localhost``, 5672) is never touched. Only epmd,
the Erlang port mapper, is shared, as it is meant to be.

Nodes 2 and 3 join node 1 (``stop_app``, ``join_cluster``, ``start_app``). ``stop`` stops every
node, kills whatever is left by the process groups and pid files recorded under the cluster's
directory, and removes the directory; it works from another process too (the command line
below), so a cluster whose test died is still cleaned up.

    python -m tests.rabbitmq_cluster start /tmp/gh-cluster    # prints the broker URLs
    python -m tests.rabbitmq_cluster status /tmp/gh-cluster
    python -m tests.rabbitmq_cluster stop /tmp/gh-cluster
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

RABBITMQ_SCRIPTS = Path(os.environ.get("GATEHOUSE_TEST_RABBITMQ_SCRIPTS", "/usr/lib/rabbitmq/bin"))
STARTUP_TIMEOUT_S = 120
STATE_FILE = "cluster.json"


def rabbitmq_installed() -> bool:
    return (RABBITMQ_SCRIPTS / "rabbitmq-server").exists() and shutil.which("erl") is not None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class ClusterNode:
    """One node: its Erlang node name, AMQP port and distribution (inter-node) port."""

    name: str
    amqp_port: int
    dist_port: int

    @property
    def short(self) -> str:
        return self.name.split("@")[0]

    def url(self, user: str = "guest", password: str = "guest") -> str:
        return f"amqp://{user}:{password}@127.0.0.1:{self.amqp_port}/%2F"


class RabbitCluster:
    """Three (``size``) clustered nodes under ``directory``; ``start`` then ``stop``."""

    def __init__(self, directory: Path, *, size: int = 3, nodes: list[ClusterNode] | None = None):
        self.directory = directory
        if nodes is None:
            tag = secrets.token_hex(3)  # two clusters at once on one machine never share names
            nodes = [
                ClusterNode(f"gh{i}-{tag}@localhost", _free_port(), _free_port())
                for i in range(1, size + 1)
            ]
        self.nodes = nodes
        self._processes: dict[str, subprocess.Popen[bytes]] = {}

    @classmethod
    def at(cls, directory: Path) -> RabbitCluster:
        """The cluster that ``start`` recorded under ``directory`` (from another process)."""
        state = json.loads((directory / STATE_FILE).read_text())
        return cls(directory, nodes=[ClusterNode(**node) for node in state["nodes"]])

    @property
    def broker_url(self) -> str:
        """Every node's URL, comma-separated, as ``GATEHOUSE_BROKER_URL`` takes them."""
        return ",".join(node.url() for node in self.nodes)

    def node(self, name: str) -> ClusterNode:
        return next(node for node in self.nodes if node.name == name)

    # --- start ----------------------------------------------------------------------------

    def start(self) -> None:
        """Start every node, join them into one cluster, and wait until all run; on any
        failure, stop what was started and raise with the failing node's log."""
        self.directory.mkdir(parents=True, exist_ok=True)
        cookie = self.directory / ".erlang.cookie"
        cookie.write_text(secrets.token_hex(20))
        cookie.chmod(0o400)
        (self.directory / "enabled_plugins").write_text("[].\n")
        (self.directory / "rabbitmq-env.conf").write_text("ERL_EPMD_ADDRESS=127.0.0.1\n")
        self._record()
        try:
            for node in self.nodes:
                self._launch(node)
            for node in self.nodes:
                self._wait_until_booted(node)
            first = self.nodes[0]
            for node in self.nodes[1:]:
                self.ctl(node, "stop_app")
                self.ctl(node, "join_cluster", first.name)
                self.ctl(node, "start_app")
            self.ctl(first, "await_online_nodes", str(len(self.nodes)))
        except BaseException:
            self.stop()
            raise

    def _record(self) -> None:
        state = {"nodes": [node.__dict__ for node in self.nodes]}
        (self.directory / STATE_FILE).write_text(json.dumps(state, indent=2))

    def _node_dir(self, node: ClusterNode) -> Path:
        return self.directory / node.short

    def _env(self, node: ClusterNode) -> dict[str, str]:
        d, home = self._node_dir(node), self.directory
        return {
            **os.environ,
            "HOME": str(home),  # the cluster's .erlang.cookie, which rabbitmqctl reads too
            "RABBITMQ_NODENAME": node.name,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(node.amqp_port),
            "RABBITMQ_DIST_PORT": str(node.dist_port),
            # Our own files, so that /etc/rabbitmq (the machine's node) is not read.
            "RABBITMQ_CONF_ENV_FILE": str(home / "rabbitmq-env.conf"),
            "RABBITMQ_CONFIG_FILE": str(d / "rabbitmq.conf"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(d / "advanced.config"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(home / "enabled_plugins"),
            "RABBITMQ_MNESIA_BASE": str(d / "mnesia"),
            "RABBITMQ_LOG_BASE": str(d / "log"),
            "RABBITMQ_PID_FILE": str(d / "node.pid"),
        }

    def _launch(self, node: ClusterNode) -> None:
        d = self._node_dir(node)
        d.mkdir(parents=True, exist_ok=True)
        (d / "rabbitmq.conf").write_text(
            f"listeners.tcp.default = 127.0.0.1:{node.amqp_port}\n"
            # As production should: a node cut off from the majority stops serving.
            "cluster_partition_handling = pause_minority\n"
        )
        with (d / "server.out").open("wb") as log:  # the node keeps its own copy of the fd
            process = subprocess.Popen(
                [str(RABBITMQ_SCRIPTS / "rabbitmq-server")],
                env=self._env(node),
                cwd=d,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group, to kill whole if need be
            )
        self._processes[node.name] = process
        (d / "group.pid").write_text(str(process.pid))

    def _wait_until_booted(self, node: ClusterNode) -> None:
        pid_file = self._node_dir(node) / "node.pid"
        try:
            # ``wait`` waits for the pid file, then for the node to boot (or die).
            self.ctl(node, "wait", str(pid_file), "--timeout", str(STARTUP_TIMEOUT_S))
        except subprocess.CalledProcessError as error:
            output = (self._node_dir(node) / "server.out").read_text(errors="replace")[-3000:]
            raise RuntimeError(
                f"RabbitMQ node {node.name} did not start: {error.stderr}\n{output}"
            ) from None

    # --- use ------------------------------------------------------------------------------

    def ctl(self, node: ClusterNode, *arguments: str, timeout_s: float = 150) -> str:
        """Run ``rabbitmqctl`` against ``node``; its output."""
        return self._cli("rabbitmqctl", node, *arguments, timeout_s=timeout_s)

    def _cli(self, tool: str, node: ClusterNode, *arguments: str, timeout_s: float) -> str:
        done = subprocess.run(
            [str(RABBITMQ_SCRIPTS / tool), "-n", node.name, *arguments],
            env=self._env(node),
            text=True,
            capture_output=True,
            check=False,
            timeout=timeout_s,
        )
        if done.returncode != 0:
            raise subprocess.CalledProcessError(
                done.returncode, done.args, done.stdout, done.stderr
            )
        return done.stdout

    def running_nodes(self, asked: ClusterNode | None = None) -> list[str]:
        """The nodes that ``asked`` (the first by default) sees running."""
        output = self.ctl(asked or self.nodes[0], "cluster_status", "--formatter", "json")
        return sorted(json.loads(output)["running_nodes"])

    def queue_members(self, queue: str, asked: ClusterNode | None = None) -> tuple[str, list[str]]:
        """The leader of quorum queue ``queue`` and its members, as ``asked`` sees them."""
        output = self.ctl(
            asked or self.nodes[0],
            "list_queues",
            "name",
            "leader",
            "members",
            "--formatter",
            "json",
        )
        for row in json.loads(output):
            if row["name"] == queue:
                return row["leader"], sorted(row["members"])
        raise KeyError(f"no queue named {queue!r} on the cluster")

    def stop_node(self, node: ClusterNode) -> None:
        """Stop one node cleanly, as an operator (or a host shutting down) would."""
        self.ctl(node, "stop")
        self._reap(node)

    # --- stop -----------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop every node, kill what is left of them, and remove the cluster's directory."""
        for node in self.nodes:
            if (self._node_dir(node) / "group.pid").exists():
                with contextlib.suppress(subprocess.SubprocessError, OSError):
                    self.ctl(node, "stop", timeout_s=60)
                self._reap(node)
        shutil.rmtree(self.directory, ignore_errors=True)

    def _reap(self, node: ClusterNode, grace_s: float = 30) -> None:
        """Wait for the node's processes to go; kill those left, by their recorded ids."""
        d = self._node_dir(node)
        process = self._processes.pop(node.name, None)  # None when stopped from elsewhere
        group = _read_pid(d / "group.pid")
        beam = _read_pid(d / "node.pid")
        deadline = time.monotonic() + grace_s
        while time.monotonic() < deadline and any(map(_alive, (group, beam))):
            if process is not None:
                process.poll()  # reaps it once it has exited, so that it stops looking alive
            time.sleep(0.2)
        if beam is not None and _alive(beam):
            with contextlib.suppress(ProcessLookupError):
                os.kill(beam, signal.SIGKILL)
        if group is not None and _alive(group):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(group, signal.SIGKILL)
        if process is not None:
            process.wait(timeout=10)
        (d / "group.pid").unlink(missing_ok=True)


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def _alive(pid: int | None) -> bool:
    if pid is None:
        return False
    with contextlib.suppress(ChildProcessError):
        if os.waitpid(pid, os.WNOHANG)[0] == pid:  # our child, now reaped
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def main(argv: list[str]) -> int:
    usage = "usage: python -m tests.rabbitmq_cluster start|status|stop DIRECTORY"
    if len(argv) != 2 or argv[0] not in ("start", "status", "stop"):
        print(usage, file=sys.stderr)
        return 2
    command, directory = argv[0], Path(argv[1])
    if command == "start":
        cluster = RabbitCluster(directory)
        began = time.monotonic()
        cluster.start()
        print(f"started {len(cluster.nodes)} nodes in {time.monotonic() - began:.0f} s")
        for node in cluster.nodes:
            print(f"{node.name}  {node.url()}")
        print(f"GATEHOUSE_BROKER_URL={cluster.broker_url}")
        return 0
    cluster = RabbitCluster.at(directory)
    if command == "status":
        print("running:", " ".join(cluster.running_nodes()))
        return 0
    cluster.stop()
    print(f"stopped and removed {directory}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
