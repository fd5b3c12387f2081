"""Wiring of the batch file interfaces: an intake and a poller per configured SFTP interface."""

from __future__ import annotations

from pathlib import Path

from adapters.transports.file_formats import UnknownFileFormat, load_file_format
from adapters.transports.sftp_config import SftpInterface
from core_records.bookkeeping.file_transfers import FileTransfers
from gatehouse.bootstrap import ConfigurationError, Hub
from routing.file_interfaces.intake import FileIntake
from routing.file_interfaces.sftp_poller import SftpPoller


def spool_dir(hub: Hub) -> Path:
    return hub.settings.sftp_spool_dir or hub.settings.data_dir / "sftp-spool"


def file_intake(hub: Hub, name: str, interface: SftpInterface) -> FileIntake:
    """The intake of one interface's files, checked against the hub's adapters."""
    try:
        file_format = load_file_format(interface.file_format)
    except UnknownFileFormat as error:
        raise ConfigurationError(f"SFTP interface {name}: {error}") from error
    try:
        scope = hub.registry.scope_for_partner(interface.partner)
    except LookupError as error:
        raise ConfigurationError(f"SFTP interface {name}: {error}") from error
    if scope.adapter != interface.adapter:
        raise ConfigurationError(
            f"SFTP interface {name}: partner {interface.partner} belongs to the "
            f"{scope.adapter} adapter, not {interface.adapter}"
        )
    return FileIntake(
        interface=name,
        adapter=interface.adapter,
        partner=interface.partner,
        file_format=file_format,
        transfers=FileTransfers(hub.engine),
        transport=hub.transport,
        inbound_exchange=hub.topology.inbound_exchange,
        batch_size=interface.batch_size,
    )


def sftp_poller(hub: Hub, name: str) -> SftpPoller:
    try:
        interface = hub.settings.sftp_interfaces[name]
    except KeyError:
        known = ", ".join(sorted(hub.settings.sftp_interfaces)) or "none"
        raise ConfigurationError(f"no SFTP interface {name!r} (configured: {known})") from None
    return SftpPoller(
        interface_name=name,
        interface=interface,
        intake=file_intake(hub, name, interface),
        spool_dir=spool_dir(hub) / name,
    )


def sftp_pollers(hub: Hub) -> list[SftpPoller]:
    """A poller per inbound interface (outbound interfaces are written to on demand)."""
    return [
        sftp_poller(hub, name)
        for name, interface in sorted(hub.settings.sftp_interfaces.items())
        if interface.direction == "inbound"
    ]
