"""``gatehouse lids import FILE --prison LEI``: a public prison's nightly LIDS extract, from a
local copy, on the normal pipeline (``adapters.lids.extract``,
``routing.file_interfaces.document_batches``). Over SFTP the same file is taken by the file
interface ``lids.extract`` instead."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated

import typer

from adapters.lids import NAME, partner_name
from adapters.lids.extract import check_extract, read_messages
from adapters.transports.file_formats import LineError, UnreadableFile
from core_records.errors import InvalidMessage, NotPermitted
from gatehouse.bootstrap import Hub
from gatehouse.cli.common import fail, open_hub, progress
from routing.file_interfaces.document_batches import (
    BatchDocument,
    BatchFiles,
    BatchInterrupted,
    BatchReport,
)

lids_app = typer.Typer(help="Public prisons on their legacy LIDS.", no_args_is_help=True)


def import_extract(
    hub: Hub,
    path: Path,
    prison: str,
    *,
    from_item: int = 1,
    on_item: Callable[[], None] | None = None,
) -> BatchReport:
    """Check and publish every message of ``prison``'s extract at ``path``, once per
    ``MessageReference``: importing it again applies nothing twice.

    Raises ``InvalidMessage`` for a file that is not an extract, ``NotPermitted`` for one
    whose header names another prison, and ``BatchInterrupted`` if the broker fails part-way.
    """
    scope = hub.registry.scope_for_partner(partner_name(prison))
    with path.open("rb") as stream:
        named, _ = check_extract(stream)
    if named != prison:
        raise NotPermitted(f"the extract is {named}'s, not {prison}'s")

    def documents() -> Iterator[BatchDocument]:
        with path.open("rb") as stream:
            for number, item in enumerate(read_messages(stream), start=1):
                if isinstance(item, LineError):
                    error = InvalidMessage(item.reason, line=item.line, rule="extract-item")
                    yield BatchDocument(number, item.line, None, b"", error)
                else:
                    yield BatchDocument(number, item.line, item.message_type, item.body)
                if on_item is not None:
                    on_item()

    files = BatchFiles(hub.transport, hub.topology, hub.journal, hub.submissions)
    reference = f"{partner_name(prison)}:{path.name}"
    return files.accept(
        hub.registry.adapter(NAME), scope, reference, documents(), from_item=from_item
    )


@lids_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The extract.")],
    prison: Annotated[str, typer.Option(help="The prison whose LIDS wrote it (LEI, ...).")],
    from_item: Annotated[
        int, typer.Option(min=1, help="Start at this message (after an interruption).")
    ] = 1,
) -> None:
    """Put each message of a prison's nightly LIDS extract on the pipeline, and say which
    were refused and why. Exit 0: all accepted; 1: some refused, or the whole file refused;
    3: interrupted (run again with the --from-item it names)."""
    with open_hub() as hub, progress(f"importing {file.name}") as steps:
        try:
            report = import_extract(hub, file, prison, from_item=from_item, on_item=steps.advance)
        except BatchInterrupted as error:
            typer.echo(f"accepted {len(error.report.accepted)} before: {error.reason}", err=True)
            typer.echo(f"run again with --from-item {error.resume_from}", err=True)
            raise typer.Exit(3) from error
        except (UnreadableFile, NotPermitted) as error:
            raise fail(f"the extract is refused: {error.reason}") from error
    typer.echo(
        f"extract {report.reference}: {len(report.accepted)} accepted,"
        f" {len(report.refused)} refused"
    )
    for refusal in report.refused:
        where = f" (line {refusal.line})" if refusal.line else ""
        typer.echo(f"  message {refusal.number}{where}: {refusal.reason}")
    if report.refused:
        raise typer.Exit(1)
