"""Establishment migration: a prison's legacy (LIDS) extract loaded into the record through
the same commands and identity matching as live traffic, with a cleansing report.

What others may use: ``migrate`` and ``finish`` (``run``), the report's ``figures``,
``report_html``, ``report_csv`` and ``text_summary`` (``report``), ``latest_report`` for
the dashboard, and the extract generator (``generator``) for tests, benchmarks and the demo.
The extract's format is ``extract.COLUMNS`` (``docs/legacy-extract.md``).
"""

from __future__ import annotations

from core_records.estate.migration.report import (
    Figures,
    figures,
    report_csv,
    report_html,
    text_summary,
)
from core_records.estate.migration.run import Migration, finish, latest_report, migrate

__all__ = [
    "Figures",
    "Migration",
    "figures",
    "finish",
    "latest_report",
    "migrate",
    "report_csv",
    "report_html",
    "text_summary",
]
