"""Tables of establishment migrations: each run with its totals and report, and what became
of each legacy row.

On the shared ``core_records.store.schema.metadata``; built by migration
``0021_estate_migration``.

- ``migration_run``: one run of ``gatehouse estate migrate`` (a dry run too), its
  reconciling totals and its cleansing report (HTML and CSV), so that the dashboard can
  serve the latest report of a prison from any machine;
- ``migration_row``: the last outcome of each legacy row, by its key (establishment, LIDS
  number, row hash). Exactly-once loading rests on the inbox (a row's message id is made
  from its key); this table says what each row came to, for the report and for reruns.
"""

from __future__ import annotations

import sqlalchemy as sa

from core_records.store.schema import Id, metadata
from core_records.timestamps import UtcDateTime

migration_run = sa.Table(
    "migration_run",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("establishment", sa.String(6), nullable=False, index=True),
    sa.Column("extract_name", sa.String(255), nullable=False),
    sa.Column("dry_run", sa.Boolean, nullable=False),
    sa.Column("started_at", UtcDateTime, nullable=False),
    sa.Column("finished_at", UtcDateTime),
    sa.Column("rows_read", sa.Integer, nullable=False),
    sa.Column("loaded", sa.Integer, nullable=False),
    sa.Column("refused", sa.Integer, nullable=False),
    sa.Column("held", sa.Integer, nullable=False),
    sa.Column("report_html", sa.Text),
    sa.Column("report_csv", sa.Text),
)

migration_row = sa.Table(
    "migration_row",
    metadata,
    sa.Column("establishment", sa.String(6), nullable=False),
    sa.Column("lids_number", sa.String(16), nullable=False),
    sa.Column("row_hash", sa.String(32), nullable=False),
    sa.Column("message_id", Id, nullable=False),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("prison_number", sa.String(7)),
    sa.Column("reason", sa.Text),
    sa.Column("run_id", sa.ForeignKey("migration_run.id"), nullable=False, index=True),
    sa.Column("recorded_at", UtcDateTime, nullable=False),
    sa.PrimaryKeyConstraint("establishment", "lids_number", "row_hash"),
)
