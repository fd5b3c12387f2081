"""``gatehouse files``: the SFTP file interfaces, by hand (the worker and Airflow run them on
their schedules)."""

from __future__ import annotations

from typing import Annotated

import typer

from adapters.transports.sftp_config import SftpInterface
from core_records.errors import GatehouseError
from gatehouse.bootstrap import ConfigurationError
from gatehouse.cli.common import JsonOption, echo_json, fail, fail_usage, open_hub, progress
from gatehouse.settings import Settings

files_app = typer.Typer(help="Batch file interfaces over SFTP.", no_args_is_help=True)


@files_app.command("interfaces")
def interfaces(as_json: JsonOption = False) -> None:
    """The configured SFTP interfaces (no secrets: the key file's path, the pinned key)."""
    configured = sorted(Settings().sftp_interfaces.items())
    if as_json:
        echo_json([{"name": name, **one.model_dump(mode="json")} for name, one in configured])
        return
    for name, interface in configured:
        typer.echo(
            f"{name:<24} {interface.direction:<8} {interface.username}@{interface.host}:"
            f"{interface.port}/{interface.drop_dir}  {interface.file_format}  "
            f"({interface.adapter}, as {interface.partner})"
        )


@files_app.command("poll")
def poll(interface: Annotated[str, typer.Argument(help="The inbound interface.")]) -> None:
    """List the partner's drop directory now, take complete files and answer settled ones."""
    from gatehouse.file_interfaces import sftp_poller

    configured(interface)
    with open_hub() as hub, progress(f"polling {interface}"):
        try:
            handled = sftp_poller(hub, interface).poll_now()
        except ConfigurationError as error:
            raise fail(str(error)) from error
    typer.echo(f"{interface}: {handled} record(s) handled")


@files_app.command("send")
def send(
    interface: Annotated[str, typer.Argument(help="The outbound interface.")],
    establishment: Annotated[
        list[str] | None, typer.Option("--establishment", help="Only these prisons.")
    ] = None,
) -> None:
    """Write the interface's file for each of its establishments now (the nightly roll)."""
    from gatehouse.file_tasks import send_file

    for code in establishment or configured(interface).establishments:
        try:
            typer.echo(send_file(interface, code))
        except (ConfigurationError, GatehouseError) as error:
            raise fail(str(error)) from error


def configured(interface: str) -> SftpInterface:
    """The configured interface of that name; any other name is a usage error naming them."""
    interfaces = Settings().sftp_interfaces
    if interface not in interfaces:
        known = ", ".join(sorted(interfaces)) or "none configured"
        raise fail_usage(f"no SFTP interface {interface!r} (interfaces: {known})")
    return interfaces[interface]
