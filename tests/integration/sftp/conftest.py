"""A real OpenSSH server per test, with throwaway keys (see ``tests/sftp_server.py``)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sftp_server import SSHD, SftpServer, sftp_server
from tests.support import service_unavailable


@pytest.fixture
def sftp() -> Iterator[SftpServer]:
    if not SSHD.exists():
        service_unavailable(f"OpenSSH server ({SSHD})")
    # Not under pytest's tmp_path: sshd refuses paths it finds too long or too open.
    workdir = Path(tempfile.mkdtemp(prefix="gh-sshd-"))
    with sftp_server(workdir) as server:
        yield server
