"""``gatehouse estate migrate LEI --extract FILE [--dry-run] [--report-dir DIR]``: load a
prison's legacy extract into the record, with its cleansing report.

Every row goes through the record store as live traffic does (``core_records.estate.
migration``). The report is written each run, a dry run too: ``<DIR>/<LEI>-migration-
<time>.html`` for people and ``.csv`` for tools, kept in the store for the dashboard
(``/dashboard/estate/LEI/migration-report``), and its figures printed. Interrupted (Ctrl-C,
a kill), a run leaves every row loaded or not; run it again to finish.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from core_records import estate
from core_records.estate import migration
from core_records.estate.migration import generator
from core_records.timestamps import utc_now
from gatehouse.bootstrap import Hub
from gatehouse.cli.common import actor, fail, fail_usage, open_hub, progress


def estate_migrate(
    establishment: Annotated[str, typer.Argument(help="The prison's code, e.g. LEI.")],
    extract: Annotated[Path, typer.Option("--extract", help="The prison's legacy extract (CSV).")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Write the report; change nothing in the record.")
    ] = False,
    report_dir: Annotated[
        Path, typer.Option("--report-dir", help="Where the HTML and CSV reports go.")
    ] = Path("."),
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, max=1000, help="Rows per transaction.")
    ] = 100,
) -> None:
    """Load a prison's legacy extract (everyone held, identifiers, names and aliases,
    bookings, sentence dates, alerts, incentive levels, balances) through the same commands
    and identity matching as live traffic, and write its cleansing report."""
    code = establishment.upper()
    if not extract.is_file():
        raise fail_usage(f"--extract {extract} is not a file")
    text = extract.read_text(encoding="utf-8-sig")
    with open_hub() as hub:
        if hub.store.reference_data.is_contracted(code):
            raise fail(f"{code} is run by its operator, not on the legacy system")
        try:
            with progress(f"Migrating {code}", total=max(text.count("\n") - 1, 1)) as steps:
                run, html = migrate_extract(
                    hub, code, text, extract.name, report_dir, by=actor(), dry_run=dry_run,
                    batch_size=batch_size, advance=steps.advance,
                )  # fmt: skip
        except KeyboardInterrupt:
            # The batch in hand was rolled back whole; what was committed stays loaded.
            raise fail(
                f"interrupted: every row of {extract.name} is loaded or not; "
                "run the same command again to load the rest"
            ) from None
    typer.echo(migration.text_summary(run))
    typer.echo(f"report: {html} and {html.with_suffix('.csv')}")


def migrate_extract(
    hub: Hub,
    code: str,
    text: str,
    extract_name: str,
    report_dir: Path,
    *,
    by: str,
    dry_run: bool = False,
    batch_size: int = 100,
    advance: Callable[[int], None] = lambda steps: None,
) -> tuple[migration.Migration, Path]:
    """What ``gatehouse estate migrate`` does, for a hub in hand (the demo migrates with it
    too): the prison moved to migrating (unless a dry run), the extract loaded, the report
    kept in the store and written to ``report_dir``; the run and its HTML report's path."""
    report_dir.mkdir(parents=True, exist_ok=True)
    if not dry_run:
        start_migrating(hub, code, by)
    run = migration.migrate(
        hub.store, code, text, extract_name=extract_name, dry_run=dry_run,
        batch_size=batch_size, advance=advance,
    )  # fmt: skip
    html, csv = migration.report_html(run), migration.report_csv(run)
    migration.finish(hub.store, run, html, csv)
    stem = report_dir / f"{code}-migration-{run.started_at:%Y%m%dT%H%M%S}"
    stem.with_suffix(".html").write_text(html, encoding="utf-8")
    stem.with_suffix(".csv").write_text(csv, encoding="utf-8")
    return run, stem.with_suffix(".html")


def start_migrating(hub: Hub, code: str, by: str) -> None:
    """Move the prison from legacy to migrating (its legacy feed held from now on), once:
    a prison already migrating, or live, stays as it is."""
    with hub.engine.begin() as connection:
        if estate.state_of(connection, code).state == estate.LEGACY:
            estate.change_state(
                connection, code, estate.MIGRATING, actor=by, at=utc_now(),
                detail="establishment migration started",
            )  # fmt: skip


def estate_generate_extract(
    establishment: Annotated[str, typer.Argument(help="The prison's code, e.g. LEI.")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the extract.")],
    people: Annotated[int, typer.Option("--people", min=1)] = 1500,
    seed: Annotated[int, typer.Option("--seed")] = 1,
) -> None:
    """Write a generated legacy extract with realistic dirt (3% bad check letters, 2%
    unknown codes), for trying a migration out."""
    dirt = generator.Dirt.rates(people, bad_check_letters=0.03, unknown_codes=0.02, duplicates=0.0)
    made = generator.generate_extract(establishment.upper(), people, dirt, seed)
    out.write_text(made.text, encoding="utf-8")
    typer.echo(f"{out}: {people} rows for {establishment.upper()}")
