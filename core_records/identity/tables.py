"""Tables of identity matching, merges and hardened partner credentials.

On the shared ``core_records.tables.metadata``; built by migration ``0007_identity``.

- ``person_name_key``: a blocking key per name on record (normalised surname and first
  forename), so that candidates are found by an index, not by reading every name;
- ``identity_decision``: every decision the matcher made, with its score and evidence;
- ``identity_case``: a possible match for a person to decide, holding the message it stopped;
- ``merge_candidate``: pairs the batch deduplication job found, for review;
- ``person_merge``: merges, with what moved, so that an unmerge can move it back;
- ``partner_token_grant``: what a token may do (scopes, message types, the data share's
  purposes) and until when.
"""

from __future__ import annotations

import sqlalchemy as sa

from core_records.custody.tables import person
from core_records.store.schema import BigId, Id, metadata
from core_records.timestamps import UtcDateTime

# Candidates by date of birth: about 45 people share one in a million.
sa.Index("ix_person_date_of_birth", person.c.date_of_birth)

person_name_key = sa.Table(
    "person_name_key",
    metadata,
    sa.Column("key", sa.String(120), nullable=False),
    sa.Column("person_id", sa.ForeignKey("person.id"), nullable=False, index=True),
    sa.PrimaryKeyConstraint("key", "person_id"),
)

identity_decision = sa.Table(
    "identity_decision",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("message_id", Id, nullable=False, index=True),
    sa.Column("decided_at", UtcDateTime, nullable=False),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("person_key", sa.String(16), index=True),
    sa.Column("candidate_key", sa.String(16)),
    sa.Column("score", sa.Float),
    sa.Column("evidence", sa.Text, nullable=False),
)

identity_case = sa.Table(
    "identity_case",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("message_id", Id, nullable=False, unique=True),
    sa.Column("opened_at", UtcDateTime, nullable=False),
    sa.Column("status", sa.String(8), nullable=False),
    sa.Column("summary", sa.String(255), nullable=False),
    sa.Column("candidates", sa.Text, nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("decided_by", sa.String(100)),
    sa.Column("decided_at", UtcDateTime),
    sa.Column("decision_key", sa.String(16)),
    sa.Index("ix_identity_case_status_id", "status", "id"),
)

merge_candidate = sa.Table(
    "merge_candidate",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("first_key", sa.String(16), nullable=False),
    sa.Column("second_key", sa.String(16), nullable=False),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("evidence", sa.Text, nullable=False),
    sa.Column("found_at", UtcDateTime, nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.UniqueConstraint("first_key", "second_key"),
)

person_merge = sa.Table(
    "person_merge",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("survivor_id", sa.ForeignKey("person.id"), nullable=False, index=True),
    sa.Column("absorbed_id", sa.ForeignKey("person.id"), nullable=False, index=True),
    sa.Column("merged_at", UtcDateTime, nullable=False),
    sa.Column("merged_by", sa.String(100), nullable=False),
    sa.Column("reason", sa.String(255), nullable=False),
    sa.Column("moved", sa.Text, nullable=False),
    sa.Column("unmerged_at", UtcDateTime),
    sa.Column("unmerged_by", sa.String(100)),
)

partner_token_grant = sa.Table(
    "partner_token_grant",
    metadata,
    sa.Column("token_id", sa.ForeignKey("partner_token.id"), primary_key=True),
    sa.Column("scopes", sa.String(200), nullable=False),
    sa.Column("message_types", sa.Text),
    sa.Column("expires_at", UtcDateTime),
    # Why it may read through the data share, a JSON array; NULL: its policy's purposes.
    sa.Column("purposes", sa.Text),
)
