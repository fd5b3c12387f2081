"""How one SFTP interface is configured: where the partner's server is, how to trust it,
which directories to use, and how to read and answer its files.

Set per interface in ``GATEHOUSE_SFTP_INTERFACES`` (JSON, keyed by interface name) or field
by field, e.g. ``GATEHOUSE_SFTP_INTERFACES__SHOPS_LEEDS__HOST=sftp.shop.example``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator


class SftpInterface(BaseModel):
    """One partner drop on one SFTP server."""

    model_config = {"frozen": True, "extra": "forbid"}

    host: str
    port: int = Field(default=22, gt=0, lt=65536)
    username: str
    key_file: Path
    """Our private key (OpenSSH or PEM format); never logged."""
    host_key: str
    """The server's pinned public host key, as a line of ``known_hosts`` or ``*.pub``:
    ``ssh-ed25519 AAAA...``. Any other key is refused."""

    adapter: str
    """The adapter whose inbound types the records are, e.g. ``prison_shops``."""
    partner: str
    """The partner identity the records are sent as (its scope applies)."""
    file_format: str
    """A name in the ``gatehouse.file_formats`` entry-point group, or ``module:attribute``."""

    direction: Literal["inbound", "outbound"] = "inbound"
    drop_dir: str = "outbox"
    """Where the partner leaves files for us (inbound) or we leave files for it (outbound)."""
    receipt_dir: str = "receipts"
    archive_dir: str = "archive"
    error_dir: str = "error"
    pattern: str = "*"
    """Which names in ``drop_dir`` are files of this interface (shell pattern)."""
    completion: Literal["rename", "stable"] = "rename"
    """How we know an upload is complete: ``rename``, the partner uploads ``NAME.part`` and
    renames it; ``stable``, the size has not changed for ``stable_for_s``."""
    stable_for_s: float = Field(default=30.0, ge=0)
    poll_every_s: float = Field(default=60.0, gt=0)
    batch_size: int = Field(default=1000, ge=1)
    """Records published per batch; the progress mark moves once per confirmed batch."""
    establishments: tuple[str, ...] = ()
    """Outbound: the prisons a file is written for, one file each (a nightly roll, say)."""
    schedule: str = "0 2 * * *"
    """Outbound, under Airflow: when the files are written (cron)."""
    answer_within_s: float = Field(default=3600.0, gt=0)
    """Under Airflow: how long the archive task waits for ingest to settle every record
    before it fails (and Airflow tries it again)."""
    connect_timeout_s: float = Field(default=10.0, gt=0)
    connect_attempts: int = Field(default=4, ge=1)
    """Tries of one connection before the poll is given up until the next one."""

    @field_validator("host_key")
    @classmethod
    def _looks_like_a_public_key(cls, value: str) -> str:
        parts = value.split()
        if len(parts) < 2 or not parts[0].startswith(("ssh-", "ecdsa-")):
            raise ValueError(
                "host_key must be a public key line such as 'ssh-ed25519 AAAA...', "
                f"not {value[:40]!r}"
            )
        return value
