"""A real OpenSSH server for the SFTP tests: ``/usr/sbin/sshd`` on a free loopback port,
with a throwaway host key and user key, serving SFTP only, rooted at a partner directory.

Runs as whoever runs the tests (root in CI, where ``PermitRootLogin prohibit-password``
lets our key in). ``rotate_host_key`` gives the server a new key, as a partner that
rebuilt its server, or an impostor, would present.
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SSHD = Path("/usr/sbin/sshd")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_key(path: Path) -> str:
    """A new ed25519 key pair at ``path``; the public key line."""
    path.unlink(missing_ok=True)
    Path(f"{path}.pub").unlink(missing_ok=True)
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "gatehouse-test", "-f", str(path)],
        check=True,
    )
    return Path(f"{path}.pub").read_text().strip()


@dataclass
class SftpServer:
    port: int
    root: Path
    """The directory SFTP sessions start in: the partner's side of the exchange."""
    user: str
    user_key: Path
    host_key_line: str
    workdir: Path
    process: subprocess.Popen[bytes] | None = None

    def interface(self, **overrides: object) -> dict[str, object]:
        """Settings of an interface on this server (a dict for ``SftpInterface``)."""
        values: dict[str, object] = {
            "host": "127.0.0.1",
            "port": self.port,
            "username": self.user,
            "key_file": str(self.user_key),
            "host_key": self.host_key_line,
            "connect_timeout_s": 5.0,
            "connect_attempts": 2,
        }
        values.update(overrides)
        return values

    def path(self, relative: str) -> Path:
        return self.root / relative

    def start(self) -> None:
        config = self.workdir / "sshd_config"
        config.write_text(
            "\n".join(
                [
                    f"Port {self.port}",
                    "ListenAddress 127.0.0.1",
                    f"HostKey {self.workdir / 'host_key'}",
                    f"PidFile {self.workdir / 'sshd.pid'}",
                    f"AuthorizedKeysFile {self.workdir / 'authorized_keys'}",
                    f"AllowUsers {self.user}",
                    "PermitRootLogin prohibit-password",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "PubkeyAuthentication yes",
                    "UsePAM no",
                    "StrictModes no",
                    "LogLevel ERROR",
                    f"Subsystem sftp internal-sftp -d {self.root}",
                    f"ForceCommand internal-sftp -d {self.root}",
                    "",
                ]
            )
        )
        if os.geteuid() == 0:
            Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # privilege separation
        with (self.workdir / "sshd.log").open("ab") as log:
            self.process = subprocess.Popen(
                [str(SSHD), "-D", "-e", "-f", str(config)], stdout=log, stderr=log
            )
        deadline = time.monotonic() + 10
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"sshd exited: {(self.workdir / 'sshd.log').read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), 0.5):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("sshd did not listen within 10 s") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None

    def rotate_host_key(self) -> str:
        """Restart the server with a new host key; the new key's line."""
        self.stop()
        self.host_key_line = " ".join(make_key(self.workdir / "host_key").split()[:2])
        self.start()
        return self.host_key_line


@contextmanager
def sftp_server(workdir: Path) -> Iterator[SftpServer]:
    if not SSHD.exists():
        raise FileNotFoundError(f"{SSHD} is not installed (Debian: openssh-server)")
    workdir.mkdir(parents=True, exist_ok=True)
    root = workdir / "partner"
    root.mkdir()
    user_public = make_key(workdir / "user_key")
    (workdir / "authorized_keys").write_text(user_public + "\n")
    host_line = " ".join(make_key(workdir / "host_key").split()[:2])
    server = SftpServer(
        port=free_port(),
        root=root,
        user=getpass.getuser(),
        user_key=workdir / "user_key",
        host_key_line=host_line,
        workdir=workdir,
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
