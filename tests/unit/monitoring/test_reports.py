"""Figures for charts and the management-information report, from an interface's steps."""

from __future__ import annotations

from datetime import date

import pytest

from monitoring.activity import interface_of_queue
from monitoring.dashboard.charts import bar_chart
from monitoring.health import Interface
from monitoring.reports import ReportRow, percentile, report_csv, summarise_outcomes


@pytest.mark.parametrize(
    ("fraction", "expected"), [(0.5, 5.0), (0.95, 10.0), (0.99, 10.0), (0.1, 1.0)]
)
def test_percentiles_are_nearest_rank(fraction: float, expected: float) -> None:
    assert percentile([float(v) for v in range(10, 0, -1)], fraction) == expected


def test_no_values_have_no_percentile() -> None:
    assert percentile([], 0.5) is None


def test_latency_counts_only_steps_that_succeeded() -> None:
    summary = summarise_outcomes(date(2025, 3, 4), [("ok", 1.0), ("error", 50.0), ("retry", None)])
    assert (summary.messages, summary.failed, summary.p99_s) == (3, 2, 1.0)


def test_the_report_as_csv_has_a_row_per_interface_and_day() -> None:
    day = summarise_outcomes(date(2025, 3, 4), [("ok", 0.25)])
    text = report_csv([ReportRow(Interface("delius", "outbound"), day)])
    assert text.splitlines()[1] == "2025-03-04,delius,outbound,1,0,0.250,0.250,0.250"


def test_a_dead_letter_belongs_to_the_interface_of_its_queue() -> None:
    assert interface_of_queue("gh.outbound.delius", {}) == Interface("delius", "outbound")
    assert interface_of_queue("gh.ingest", {"gatehouse-adapter": "pnc"}) == Interface(
        "pnc", "inbound"
    )


def test_a_chart_draws_a_bar_per_value_and_escapes_its_labels() -> None:
    svg = bar_chart([1, None, 3], ["a", "c", "<b>"], title="Messages & more")
    assert svg.count("<rect") == 2
    assert "Messages &amp; more" in svg and "&lt;b&gt;" in svg and "<b>" not in svg
    assert "max 3" in svg
