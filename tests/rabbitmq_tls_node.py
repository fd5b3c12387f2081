"""A second RabbitMQ node of a test's own, on this machine, listening for AMQP over TLS only.

The node runs from the installed RabbitMQ's scripts (``/usr/lib/rabbitmq/bin``) as the user
running the tests, under a node name, ports, directories and an Erlang cookie of its own,
so that the machine's own RabbitMQ (5672) is left untouched. Its listener asks every client
for a certificate signed by the test's CA (``verify_peer``, ``fail_if_no_peer_cert``).
``stop`` stops the node and removes its directories.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from tests.certificates import KeyPair

RABBITMQ_SCRIPTS = Path(os.environ.get("GATEHOUSE_TEST_RABBITMQ_SCRIPTS", "/usr/lib/rabbitmq/bin"))
STARTUP_TIMEOUT_S = 120


def rabbitmq_installed() -> bool:
    return (RABBITMQ_SCRIPTS / "rabbitmq-server").exists() and shutil.which("erl") is not None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class TlsNode:
    """A RabbitMQ node under ``directory`` with its TLS listener on ``tls_port``."""

    directory: Path
    ca_file: Path
    server: KeyPair
    node: str = field(default_factory=lambda: f"gh-tls-{secrets.token_hex(4)}@localhost")
    tls_port: int = field(default_factory=_free_port)
    _process: subprocess.Popen[bytes] | None = None

    def url(self, user: str = "guest", password: str = "guest") -> str:
        return f"amqps://{user}:{password}@localhost:{self.tls_port}/%2F"

    @property
    def _env(self) -> dict[str, str]:
        d = self.directory
        return {
            **os.environ,
            "HOME": str(d),  # the node's own .erlang.cookie, which rabbitmqctl reads too
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(_free_port()),
            "RABBITMQ_DIST_PORT": str(_free_port()),
            "RABBITMQ_CONF_ENV_FILE": str(d / "rabbitmq-env.conf"),
            "RABBITMQ_CONFIG_FILE": str(d / "rabbitmq.conf"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(d / "advanced.config"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(d / "enabled_plugins"),
            "RABBITMQ_MNESIA_BASE": str(d / "mnesia"),
            "RABBITMQ_LOG_BASE": str(d / "log"),
            "RABBITMQ_PID_FILE": str(d / "node.pid"),
        }

    def start(self) -> None:
        d = self.directory
        d.mkdir(parents=True, exist_ok=True)
        cookie = d / ".erlang.cookie"
        cookie.write_text(secrets.token_hex(20))
        cookie.chmod(0o400)
        (d / "rabbitmq-env.conf").write_text("ERL_EPMD_ADDRESS=127.0.0.1\n")
        (d / "enabled_plugins").write_text("[].\n")
        (d / "rabbitmq.conf").write_text(
            "listeners.tcp = none\n"
            f"listeners.ssl.default = 127.0.0.1:{self.tls_port}\n"
            f"ssl_options.cacertfile = {self.ca_file}\n"
            f"ssl_options.certfile = {self.server.cert_file}\n"
            f"ssl_options.keyfile = {self.server.key_file}\n"
            "ssl_options.verify = verify_peer\n"
            "ssl_options.fail_if_no_peer_cert = true\n"
            "loopback_users = none\n"
        )
        with (d / "server.out").open("wb") as log:  # the node keeps its own copy of the fd
            self._process = subprocess.Popen(
                [str(RABBITMQ_SCRIPTS / "rabbitmq-server")],
                env=self._env,
                cwd=d,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        try:
            # ``wait`` waits for the pid file, then for the node to boot (or die).
            self.ctl("wait", str(d / "node.pid"), "--timeout", str(STARTUP_TIMEOUT_S))
        except subprocess.CalledProcessError as error:
            output = (d / "server.out").read_text(errors="replace")[-3000:]
            self.stop()
            raise RuntimeError(
                f"the RabbitMQ TLS node did not start: {error.stderr}\n{output}"
            ) from None

    def ctl(self, *arguments: str, stdin: str | None = None) -> str:
        """Run ``rabbitmqctl`` against this node; its output."""
        done = subprocess.run(
            [str(RABBITMQ_SCRIPTS / "rabbitmqctl"), "-n", self.node, *arguments],
            env=self._env,
            input=stdin,
            text=True,
            capture_output=True,
            check=False,
            timeout=STARTUP_TIMEOUT_S + 30,
        )
        if done.returncode != 0:
            raise subprocess.CalledProcessError(
                done.returncode, done.args, done.stdout, done.stderr
            )
        return done.stdout

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            with contextlib.suppress(subprocess.SubprocessError, OSError):
                self.ctl("stop")
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        shutil.rmtree(self.directory, ignore_errors=True)
