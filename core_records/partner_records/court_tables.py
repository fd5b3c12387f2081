"""Tables of what courts tell the hub: the hearings they list, and each defendant's result.

Append-only, one row per fact as the court stated it, tied to the message that said it. A
listed hearing or a result may name someone the hub does not hold (a first appearance, a
defendant on bail): ``person_id`` is then empty, and the identifiers the court gave are kept
so that the custody notice can be sent once the person is received.
"""

from __future__ import annotations

import sqlalchemy as sa

from core_records.store.schema import BigId, Id, metadata
from core_records.timestamps import UtcDateTime

court_hearing = sa.Table(
    "court_hearing",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("person_id", sa.ForeignKey("person.id"), nullable=True, index=True),
    sa.Column("court_code", sa.String(10), nullable=False),
    sa.Column("hearing_date", sa.Date, nullable=False),
    sa.Column("case_reference", sa.String(40), nullable=False),
    # The defendant's identifiers as the court gave them, TYPE:value joined by spaces.
    sa.Column("identifiers", sa.String(400), nullable=False),
    sa.Column("listed_at", UtcDateTime, nullable=False),
    sa.Column("message_id", Id),
)

court_result = sa.Table(
    "court_result",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("person_id", sa.ForeignKey("person.id"), nullable=True, index=True),
    sa.Column("court_code", sa.String(10), nullable=False),
    sa.Column("case_reference", sa.String(40), nullable=False),
    sa.Column("outcome", sa.String(24), nullable=False),
    sa.Column("committed_to", sa.String(10)),
    sa.Column("occurred_at", UtcDateTime, nullable=False),
    sa.Column("message_id", Id),
)
