"""``gatehouse private-prisons import FILE --operator NAME``: an operator's batch file on the
normal pipeline (``adapters.private_prisons.batch``,
``routing.file_interfaces.document_batches``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Annotated

import typer

from adapters.private_prisons import NAME
from adapters.private_prisons.batch import BatchHeader, BatchItem, read_batch
from core_records.errors import InvalidMessage, NotPermitted
from gatehouse.bootstrap import Hub
from gatehouse.cli.common import fail, open_hub, progress
from routing.file_interfaces.document_batches import (
    BatchDocument,
    BatchFiles,
    BatchInterrupted,
    BatchReport,
)

private_prisons_app = typer.Typer(help="Private-prison operators.", no_args_is_help=True)


def import_batch(
    hub: Hub,
    path: Path,
    operator: str,
    *,
    from_item: int = 1,
    on_item: Callable[[], None] | None = None,
) -> BatchReport:
    """Check and publish every document of the operator's batch file at ``path``, once per
    ``MessageReference``: importing it again, or resuming from an earlier item, applies
    nothing twice. ``on_item`` is called as each item is taken (a progress bar).

    Raises ``InvalidMessage`` for a file that is not a batch, ``NotPermitted`` for one whose
    header names another operator, and ``BatchInterrupted`` if the broker fails part-way.
    """
    scope = hub.registry.scope_for_partner(operator)
    if scope.adapter != NAME:
        raise NotPermitted(f"{operator} is not a private-prison operator")
    with closing(read_batch(path, max_item_bytes=hub.settings.max_body_bytes)) as batch:
        header = next(batch)
        assert isinstance(header, BatchHeader)
        if header.operator != operator:
            raise NotPermitted(
                f"the batch header names the operator {header.operator!r}, not {operator!r}"
            )

        def documents() -> Iterator[BatchDocument]:
            for item in batch:
                assert isinstance(item, BatchItem)
                yield BatchDocument(
                    item.number, item.line, item.message_type, item.body, item.error
                )
                if on_item is not None:
                    on_item()

        files = BatchFiles(hub.transport, hub.topology, hub.journal, hub.submissions)
        return files.accept(
            hub.registry.adapter(NAME), scope, header.reference, documents(), from_item=from_item
        )


@private_prisons_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The batch file.")],
    operator: Annotated[str, typer.Option(help="The operator that sent it (serco, sodexo, ...).")],
    from_item: Annotated[
        int, typer.Option(min=1, help="Start at this item (after an interruption).")
    ] = 1,
) -> None:
    """Put each document of an operator's batch file on the pipeline, and say which were
    refused and why. Exit 0: all accepted; 1: some refused, or the whole file refused;
    3: interrupted (run again with the --from-item it names)."""
    with open_hub() as hub, progress(f"importing {file.name}") as steps:
        try:
            report = import_batch(hub, file, operator, from_item=from_item, on_item=steps.advance)
        except BatchInterrupted as error:
            typer.echo(f"accepted {len(error.report.accepted)} before: {error.reason}", err=True)
            typer.echo(f"run again with --from-item {error.resume_from}", err=True)
            raise typer.Exit(3) from error
        except (InvalidMessage, NotPermitted) as error:
            line = (
                f" (line {error.line})" if isinstance(error, InvalidMessage) and error.line else ""
            )
            raise fail(f"the batch is refused{line}: {error.reason}") from error
    again = f" ({len(report.repeated)} accepted before)" if report.repeated else ""
    typer.echo(
        f"batch {report.reference}: {len(report.accepted)} accepted{again},"
        f" {len(report.refused)} refused"
    )
    for refusal in report.refused:
        where = f" (line {refusal.line})" if refusal.line else ""
        typer.echo(f"  item {refusal.number}{where}: {refusal.reason}")
    if report.refused:
        raise typer.Exit(1)
