"""The SFTP transport: a partner's drop directory on its own SFTP server, on paramiko.

We trust a server only by its pinned host key: the key it presents must be the one in the
interface's settings, else ``HostKeyRefused`` says which key was offered and which was
pinned. We authenticate with our own key, never a password. A connection that fails for a
passing reason (refused, reset, timed out) is tried again with backoff (tenacity) before
``SftpUnavailable`` is raised.

Files move only by rename, so that a reader never sees half a file: a partner's complete
upload is taken from ``drop_dir``, and moved to ``archive/`` once answered or ``error/``
if unreadable; what we write is written as ``NAME.part`` and renamed when complete.

    PartnerUnavailable
    └── SftpUnavailable     the server could not be reached or dropped the session
    PermanentError
    ├── HostKeyRefused      the server presented a key other than the pinned one
    └── SftpLoginRefused    the server refused our key
"""

from __future__ import annotations

import base64
import binascii
import fnmatch
import hashlib
import logging
import posixpath
import socket
import stat
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO, cast

import paramiko
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from adapters.transports.sftp_config import SftpInterface
from core_records.errors import PartnerUnavailable, PermanentError

log = logging.getLogger(__name__)

PART_SUFFIX = ".part"
COPY_CHUNK_BYTES = 256 * 1024


class SftpUnavailable(PartnerUnavailable):
    """The SFTP server could not be reached, or the session dropped."""


class HostKeyRefused(PermanentError):
    """The server's host key is not the pinned one: it may be another machine."""


class SftpLoginRefused(PermanentError):
    """The server did not accept our key for the user."""


@dataclass(frozen=True)
class RemoteFile:
    name: str
    size: int
    modified_at: int
    """Seconds since the epoch, as the server reports it."""


def pinned_key(host_key: str) -> paramiko.PKey:
    """The public key of a ``known_hosts``-style line ``TYPE BASE64 [comment]``."""
    key_type, data, *_ = host_key.split()
    try:
        return paramiko.PKey.from_type_string(key_type, base64.b64decode(data, validate=True))
    except (binascii.Error, paramiko.SSHException, ValueError) as error:
        raise HostKeyRefused(
            f"the pinned host key {key_type} is not a readable key: {error}"
        ) from error


def describe_key(key: paramiko.PKey) -> str:
    return f"{key.get_name()} {key.fingerprint}"


def _open_transport(interface: SftpInterface) -> paramiko.Transport:
    expected = pinned_key(interface.host_key)
    where = f"{interface.host}:{interface.port}"
    try:
        sock = socket.create_connection(
            (interface.host, interface.port), timeout=interface.connect_timeout_s
        )
    except OSError as error:
        raise SftpUnavailable(f"SFTP server {where} unreachable: {error}") from error
    transport = paramiko.Transport(sock)
    transport.banner_timeout = interface.connect_timeout_s
    # Ask only for the pinned key's type, so a server holding several keys shows us that one.
    transport.get_security_options().key_types = [expected.get_name()]
    try:
        try:
            transport.start_client(timeout=interface.connect_timeout_s)
        except paramiko.SSHException as error:
            if "host key" in str(error).lower():
                raise HostKeyRefused(
                    f"SFTP server {where} offers no {expected.get_name()} host key, "
                    f"and only the pinned key {describe_key(expected)} is trusted"
                ) from error
            raise SftpUnavailable(f"SFTP server {where}: {error}") from error
        offered = transport.get_remote_server_key()
        if offered != expected:
            raise HostKeyRefused(
                f"SFTP server {where} presented host key {describe_key(offered)}, not the "
                f"pinned {describe_key(expected)}; refusing to connect (if the partner has "
                "changed its key, pin the new one in the interface's host_key)"
            )
        client_key = paramiko.PKey.from_path(interface.key_file)
        try:
            transport.auth_publickey(interface.username, client_key)
        except paramiko.AuthenticationException as error:
            raise SftpLoginRefused(
                f"SFTP server {where} refused the key {client_key.fingerprint} "
                f"for user {interface.username}"
            ) from error
    except BaseException:
        transport.close()
        raise
    return transport


_TRANSIENT = (OSError, EOFError, paramiko.SSHException)


def connect(interface: SftpInterface) -> PartnerDrop:
    """A session on the interface's server, tried ``connect_attempts`` times with backoff."""
    retrying = Retrying(
        stop=stop_after_attempt(interface.connect_attempts),
        wait=wait_exponential(multiplier=0.5, max=10),
        retry=retry_if_exception_type(SftpUnavailable),
        reraise=True,
    )
    for attempt in retrying:
        with attempt:
            transport = _open_transport(interface)
    try:
        sftp = paramiko.SFTPClient.from_transport(transport)
    except _TRANSIENT as error:
        transport.close()
        raise SftpUnavailable(f"SFTP server {interface.host}: {error}") from error
    if sftp is None:
        transport.close()
        raise SftpUnavailable(f"SFTP server {interface.host} opened no SFTP channel")
    return PartnerDrop(interface, transport, sftp)


@contextmanager
def sftp_errors(what: str) -> Iterator[None]:
    """Socket and SSH failures in the middle of work, as ``SftpUnavailable``."""
    try:
        yield
    except (OSError, EOFError, paramiko.SSHException) as error:
        if isinstance(error, FileNotFoundError | PermissionError):
            raise
        raise SftpUnavailable(f"{what}: {error}") from error


class PartnerDrop:
    """The directories of one interface on a connected server. Use as a context manager."""

    def __init__(
        self, interface: SftpInterface, transport: paramiko.Transport, sftp: paramiko.SFTPClient
    ) -> None:
        self.interface = interface
        self._transport = transport
        self.sftp = sftp

    def __enter__(self) -> PartnerDrop:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.sftp.close()
        self._transport.close()

    def listing(self) -> list[RemoteFile]:
        """Regular files in ``drop_dir`` matching the interface's pattern, ``.part`` included."""
        with sftp_errors(f"listing {self.interface.drop_dir}"):
            entries = self.sftp.listdir_attr(self.interface.drop_dir)
        files = []
        for entry in entries:
            if entry.st_mode is None or not stat.S_ISREG(entry.st_mode):
                continue
            name = entry.filename
            stem = name.removesuffix(PART_SUFFIX)
            if fnmatch.fnmatchcase(stem, self.interface.pattern):
                files.append(RemoteFile(name, entry.st_size or 0, int(entry.st_mtime or 0)))
        return sorted(files, key=lambda f: (f.modified_at, f.name))

    def download(
        self, name: str, into: BinaryIO, *, directory: str | None = None
    ) -> tuple[str, int]:
        """Copy ``drop_dir/name`` (or ``directory/name``) into a local file, chunk by chunk;
        its SHA-256 and size."""
        digest = hashlib.sha256()
        size = 0
        path = posixpath.join(directory or self.interface.drop_dir, name)
        with sftp_errors(f"reading {path}"), self.sftp.open(path, "rb") as remote:
            remote.prefetch()
            while chunk := remote.read(COPY_CHUNK_BYTES):
                digest.update(chunk)
                into.write(chunk)
                size += len(chunk)
        return digest.hexdigest(), size

    def move(self, name: str, to_dir: str, *, as_name: str | None = None) -> str:
        """Move ``drop_dir/name`` into ``to_dir`` (created if missing); the new path."""
        self._ensure_dir(to_dir)
        source = posixpath.join(self.interface.drop_dir, name)
        target = posixpath.join(to_dir, as_name or name)
        with sftp_errors(f"moving {source} to {target}"):
            self.sftp.posix_rename(source, target)
        return target

    def put(self, directory: str, name: str, chunks: Iterable[bytes]) -> str:
        """Write ``directory/name`` as ``name.part``, then rename it, so the partner never
        reads a file we are still writing. Replaces a file of that name."""

        def write(remote: BinaryIO) -> None:
            for chunk in chunks:
                remote.write(chunk)

        return self.put_with(directory, name, write)

    def put_with(self, directory: str, name: str, write: Callable[[BinaryIO], object]) -> str:
        """As ``put``, with ``write`` writing the content to the remote file as it goes."""
        self._ensure_dir(directory)
        final = posixpath.join(directory, name)
        partial = final + PART_SUFFIX
        with sftp_errors(f"writing {final}"):
            with self.sftp.open(partial, "wb") as remote:
                remote.set_pipelined(True)
                write(cast(BinaryIO, remote))
            self.sftp.posix_rename(partial, final)
        return final

    def exists(self, path: str) -> bool:
        try:
            self.sftp.stat(path)
        except FileNotFoundError:
            return False
        return True

    def _ensure_dir(self, directory: str) -> None:
        with sftp_errors(f"creating {directory}"):
            if not self.exists(directory):
                self.sftp.mkdir(directory)
