"""``gatehouse files``: the SFTP file interfaces, by hand (the worker and Airflow run them on
their schedules)."""

from __future__ import annotations

from typing import Annotated

import typer

from core_records.errors import GatehouseError
from gatehouse.bootstrap import ConfigurationError
from gatehouse.cli.common import fail, open_hub
from gatehouse.settings import Settings

files_app = typer.Typer(help="Batch file interfaces over SFTP.", no_args_is_help=True)


@files_app.command("interfaces")
def interfaces() -> None:
    """The configured SFTP interfaces (no secrets: the key file's path, the pinned key)."""
    for name, interface in sorted(Settings().sftp_interfaces.items()):
        typer.echo(
            f"{name:<24} {interface.direction:<8} {interface.username}@{interface.host}:"
            f"{interface.port}/{interface.drop_dir}  {interface.file_format}  "
            f"({interface.adapter}, as {interface.partner})"
        )


@files_app.command("poll")
def poll(interface: Annotated[str, typer.Argument(help="The inbound interface.")]) -> None:
    """List the partner's drop directory now, take complete files and answer settled ones."""
    from gatehouse.file_interfaces import sftp_poller

    with open_hub() as hub:
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

    configured = Settings().sftp_interfaces.get(interface)
    if configured is None:
        raise fail(f"no SFTP interface {interface!r}")
    for code in establishment or configured.establishments:
        try:
            typer.echo(send_file(interface, code))
        except (ConfigurationError, GatehouseError) as error:
            raise fail(str(error)) from error
