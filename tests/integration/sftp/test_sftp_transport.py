"""The SFTP transport against a real OpenSSH server: pinned host keys, listing, streaming
downloads, moves, and writes that a partner never sees half-done."""

from __future__ import annotations

import hashlib
import io
import subprocess

import pytest

from adapters.transports.sftp import HostKeyRefused, SftpUnavailable, connect
from adapters.transports.sftp_config import SftpInterface
from tests.sftp_server import SftpServer, free_port


def interface(server: SftpServer, **overrides: object) -> SftpInterface:
    values = server.interface(
        adapter="private_prisons", partner="serco", file_format="x:y", drop_dir="outbox"
    )
    values.update(overrides)
    return SftpInterface(**values)  # type: ignore[arg-type]


def test_a_partner_file_is_listed_downloaded_whole_and_archived(sftp: SftpServer) -> None:
    (sftp.path("outbox")).mkdir()
    content = b"".join(b"line %06d\n" % n for n in range(50_000))
    sftp.path("outbox/orders-1.csv").write_bytes(content)
    sftp.path("outbox/orders-2.csv.part").write_bytes(b"half")

    with connect(interface(sftp)) as drop:
        listing = {f.name: f.size for f in drop.listing()}
        local = io.BytesIO()
        sha, size = drop.download("orders-1.csv", local)
        drop.move("orders-1.csv", "archive")

    assert listing == {"orders-1.csv": len(content), "orders-2.csv.part": 4}
    assert (sha, size) == (hashlib.sha256(content).hexdigest(), len(content))
    assert local.getvalue() == content
    assert sftp.path("archive/orders-1.csv").read_bytes() == content
    assert not sftp.path("outbox/orders-1.csv").exists()


def test_only_names_matching_the_pattern_are_listed(sftp: SftpServer) -> None:
    sftp.path("outbox").mkdir()
    for name in ("orders-1.csv", "notes.txt", "orders-2.csv.part"):
        sftp.path(f"outbox/{name}").write_bytes(b"x")
    (sftp.path("outbox/sub.csv")).mkdir()

    with connect(interface(sftp, pattern="*.csv")) as drop:
        names = sorted(f.name for f in drop.listing())

    assert names == ["orders-1.csv", "orders-2.csv.part"]


def test_a_file_we_write_appears_only_when_complete(sftp: SftpServer) -> None:
    seen_during_write: list[list[str]] = []

    def chunks():  # type: ignore[no-untyped-def]
        yield b"first\n"
        seen_during_write.append(sorted(p.name for p in sftp.path("inbox").iterdir()))
        yield b"second\n"

    with connect(interface(sftp)) as drop:
        drop.put("inbox", "roll-LEI.csv", chunks())

    assert seen_during_write == [["roll-LEI.csv.part"]]
    assert sorted(p.name for p in sftp.path("inbox").iterdir()) == ["roll-LEI.csv"]
    assert sftp.path("inbox/roll-LEI.csv").read_bytes() == b"first\nsecond\n"


def test_a_changed_host_key_is_refused_naming_both_keys(sftp: SftpServer) -> None:
    pinned = interface(sftp)
    sftp.rotate_host_key()

    with pytest.raises(HostKeyRefused) as refused:
        connect(pinned)

    reason = refused.value.reason
    assert "presented host key ssh-ed25519 SHA256:" in reason
    assert "not the pinned ssh-ed25519 SHA256:" in reason
    assert not sftp.path("archive").exists()


def test_a_server_without_the_pinned_key_type_is_refused(sftp: SftpServer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", str(tmp_path / "rsa")],
        check=True,
    )
    rsa_line = " ".join((tmp_path / "rsa.pub").read_text().split()[:2])

    with pytest.raises(HostKeyRefused, match="offers no ssh-rsa host key"):
        connect(interface(sftp, host_key=rsa_line))


def test_an_unreachable_server_is_transient_after_retries() -> None:
    dead = SftpInterface(
        host="127.0.0.1",
        port=free_port(),
        username="nobody",
        key_file="/nonexistent",
        host_key="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGm9W3+4qJ7V1kqk1s0yq6cA0bZ1v1bZbq2m3Q1Qe9Jf",
        adapter="private_prisons",
        partner="serco",
        file_format="x:y",
        connect_attempts=2,
        connect_timeout_s=1.0,
    )
    with pytest.raises(SftpUnavailable, match="unreachable"):
        connect(dead)
