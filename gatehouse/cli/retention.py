"""``gatehouse retention``: prune what has outlived its retention period, and say what is held
(``core_records.bookkeeping.retention``; the ``retention`` worker role prunes on its own)."""

from __future__ import annotations

from typing import Annotated

import typer

from core_records.bookkeeping.retention import Holding, Pruned
from gatehouse.cli.common import JsonOption, echo_json, open_hub
from gatehouse.information_governance import build_retention

retention_app = typer.Typer(
    help="Keep personal data only as long as allowed.", no_args_is_help=True
)


@retention_app.command("prune")
def retention_prune(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count what would go, and remove nothing.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Remove everything older than its kind's retention period (nothing younger)."""
    with open_hub() as hub:
        done = build_retention(hub.settings, hub.engine).prune(dry_run=dry_run)
    if as_json:
        echo_json([_pruned(p) for p in done])
        return
    verb = "would remove" if dry_run else "removed"
    for pruned in done:
        dropped = ", ".join(pruned.partitions_dropped) or "none"
        typer.echo(
            f"{pruned.kind}: {verb} {pruned.rows_deleted} rows older than"
            f" {pruned.cutoff:%Y-%m-%d %H:%M} UTC; partitions dropped: {dropped}"
        )


@retention_app.command("status")
def retention_status(as_json: JsonOption = False) -> None:
    """Each kind of data held: its period, rows, oldest row and last prune."""
    with open_hub() as hub:
        holdings = build_retention(hub.settings, hub.engine).status()
    if as_json:
        echo_json([_holding(h) for h in holdings])
        return
    for h in holdings:
        oldest = f"{h.oldest:%Y-%m-%d %H:%M} UTC" if h.oldest else "none held"
        last = (
            f"{h.last_pruned.at:%Y-%m-%d %H:%M} UTC ({h.last_pruned.rows_deleted} rows)"
            if h.last_pruned
            else "never"
        )
        typer.echo(
            f"{h.kind:<17} kept {h.period.days} days  rows={h.rows}  oldest={oldest}"
            f"  partitions={len(h.partitions)}  last pruned {last}"
        )


def _pruned(pruned: Pruned) -> dict[str, object]:
    return {
        "kind": pruned.kind,
        "at": pruned.at.isoformat(),
        "cutoff": pruned.cutoff.isoformat(),
        "rowsDeleted": pruned.rows_deleted,
        "partitionsDropped": list(pruned.partitions_dropped),
        "dryRun": pruned.dry_run,
    }


def _holding(h: Holding) -> dict[str, object]:
    return {
        "kind": h.kind,
        "title": h.title,
        "periodDays": h.period.days,
        "rows": h.rows,
        "oldest": h.oldest.isoformat() if h.oldest else None,
        "partitions": [
            {
                "name": p.name,
                "start": p.start.isoformat() if p.start else None,
                "end": p.end.isoformat() if p.end else None,
                "rows": rows,
            }
            for p, rows in h.partitions
        ],
        "lastPruned": _pruned(h.last_pruned) if h.last_pruned else None,
    }
