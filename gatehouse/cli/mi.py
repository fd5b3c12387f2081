"""``gatehouse mi``: the estate's business figures (``monitoring.business``) as CSV, the
same as the business page's downloads.

    gatehouse mi export --from 2025-03-01 --to 2025-03-07 [--establishment LEI]
                        [--deliveries] [--csv FILE]
    gatehouse mi catch-up [--rebuild]
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from core_records.timestamps import utc_now
from gatehouse.cli.common import fail_usage, open_hub

mi_app = typer.Typer(help="Management information: the estate's business figures.",
                     no_args_is_help=True)  # fmt: skip

MAX_DAYS = 366
"""A year: the longest period one export covers."""


@mi_app.command("export")
def mi_export(
    first: Annotated[
        str | None, typer.Option("--from", help="First UTC day (2025-03-01); a week ago.")
    ] = None,
    last: Annotated[str | None, typer.Option("--to", help="Last UTC day; today.")] = None,
    establishment: Annotated[
        str | None, typer.Option(help="One prison's code (LEI); every prison without it.")
    ] = None,
    deliveries: Annotated[
        bool,
        typer.Option(
            "--deliveries",
            help="Movement-to-delivery times per partner instead of the prisons' days.",
        ),
    ] = False,
    csv_file: Annotated[
        Path | None, typer.Option("--csv", help="Write the CSV here, not to stdout.")
    ] = None,
) -> None:
    """Receptions, transfers in and out, releases and end-of-day population per prison and
    day (or, with --deliveries, each partner's median and p95 time from movement to
    delivery) over the period, as CSV."""
    from monitoring.business import BusinessFigures, period_of
    from monitoring.business_csv import delivery_times_csv, establishment_days_csv

    with open_hub() as hub:
        figures = BusinessFigures(hub.engine)
        try:
            period = period_of(
                first, last, establishment,
                today=utc_now().date(), max_days=MAX_DAYS, prisons=figures.prisons(),
            )  # fmt: skip
        except ValueError as problem:
            raise fail_usage(str(problem)) from None
        if deliveries:
            body = delivery_times_csv(figures.delivery_times(period))
        else:
            body = establishment_days_csv(figures.establishment_days(period))
    if csv_file is None:
        typer.echo(body, nl=False)
        return
    csv_file.write_text(body, encoding="utf-8")
    typer.echo(f"wrote {body.count(chr(10)) - 1} rows to {csv_file}", err=True)


@mi_app.command("catch-up")
def mi_catch_up(
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Forget the summary and read the whole journal.")
    ] = False,
) -> None:
    """Bring the movement-to-delivery summary up to date with the journal now (the monitor
    worker does it every minute); --rebuild recounts it from the whole journal."""
    from core_records.bookkeeping.movement_deliveries import MovementDeliveries

    with open_hub() as hub:
        deliveries = MovementDeliveries(hub.engine)
        written = deliveries.rebuild() if rebuild else deliveries.catch_up()
    typer.echo(f"summarised {written} movement deliveries")
