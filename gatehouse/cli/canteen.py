"""``gatehouse canteen``: the prison shops' nightly rolls, and one person's account."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from adapters.prison_shops import write_roll
from core_records.bookkeeping.audit import AuditEvent, write_audit
from core_records.canteen import ledger as canteen_ledger
from gatehouse.bootstrap import Hub
from gatehouse.cli.common import JsonOption, actor, echo_json, fail, fail_usage, open_hub

canteen_app = typer.Typer(help="Prison shops (canteen): rolls and accounts.", no_args_is_help=True)


@canteen_app.command("roll")
def roll(
    establishments: Annotated[
        list[str] | None, typer.Argument(help="Prison codes, e.g. LEI MDI; all with --all.")
    ] = None,
    every_prison: Annotated[
        bool, typer.Option("--all", help="Every prison holding anyone.")
    ] = False,
    out_dir: Annotated[
        Path | None,
        typer.Option("--out-dir", help="Write <prison>-roll.csv files here (else to stdout)."),
    ] = None,
) -> None:
    """Write the canteen roll of each prison: its people and their available spends."""
    if bool(establishments) == every_prison:
        raise fail_usage("name prisons, or give --all")
    now = datetime.now(UTC)
    with open_hub() as hub:
        codes = establishments or canteen_ledger.prisons_holding_people(hub.engine)
        for code in codes:
            hub.store.reference_data.require_prison(code)
            people = canteen_ledger.roll(hub.engine, code, now)
            if out_dir is None:
                _audit_roll(hub, code, write_roll(code, people, sys.stdout.buffer, as_at=now))
                continue
            out_dir.mkdir(parents=True, exist_ok=True)
            target = out_dir / f"{code}-roll.csv"
            partial = target.with_suffix(".partial")
            with partial.open("wb") as stream:
                count = write_roll(code, people, stream, as_at=now)
            partial.replace(target)
            typer.echo(f"{target}: {count} people", err=True)
            _audit_roll(hub, code, count)


@canteen_app.command("account")
def account(
    prison_number: Annotated[str, typer.Argument(help="e.g. A1234BC")],
    as_json: JsonOption = False,
) -> None:
    """Show one person's canteen balance and what they may still spend this week, as JSON
    with or without ``--json``."""
    with open_hub() as hub:
        view = canteen_ledger.account_of(hub.engine, prison_number.upper(), datetime.now(UTC))
    if view is None:
        raise fail(f"no one has prison number {prison_number}")
    echo_json(view.__dict__)


def _audit_roll(hub: Hub, establishment: str, count: int) -> None:
    # A roll holds names and money of everyone at a prison: who wrote one is recorded.
    with hub.engine.begin() as connection:
        write_audit(
            connection,
            AuditEvent(
                at=datetime.now(UTC),
                actor=actor(),
                action="canteen_roll.written",
                subject=f"establishment:{establishment}",
                detail=f"{count} people",
            ),
        )
