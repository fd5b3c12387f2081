"""The business figures as CSV, one file for the prisons' days and one for the partners'
delivery times: what the business page's download and ``gatehouse mi export`` write."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from monitoring.business import DeliveryTime, EstablishmentDay

ESTABLISHMENT_COLUMNS = (
    "date", "establishment", "establishment_name", "receptions", "transfers_in",
    "transfers_out", "releases", "population_end_of_day",
)  # fmt: skip
DELIVERY_COLUMNS = ("interface", "movements", "median_seconds", "p95_seconds")


def establishment_days_csv(rows: Iterable[EstablishmentDay]) -> str:
    """One line per prison and day."""
    return _csv(
        ESTABLISHMENT_COLUMNS,
        (
            (r.day.isoformat(), r.establishment, r.name, r.receptions, r.transfers_in,
             r.transfers_out, r.releases, r.population)
            for r in rows
        ),
    )  # fmt: skip


def delivery_times_csv(times: Iterable[DeliveryTime]) -> str:
    """One line per outbound interface, times in seconds to the millisecond."""
    return _csv(
        DELIVERY_COLUMNS,
        (
            (f"{t.adapter}.outbound", t.movements, f"{t.median_s:.3f}", f"{t.p95_s:.3f}")
            for t in times
        ),
    )


def _csv(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()
