"""Tables of what probation (Delius), OASys and private prisons (visits, non-associations)
tell the hub about a person.

Each is append-only history, one row per fact as the partner stated it, tied to the message
that said it: what is current is the latest (the latest allocation, the latest licence's
conditions, the latest assessment, a pair's latest non-association row). So redelivery,
replay and audit never have to reason about rows changed in place. The RoSH alerts an
assessment sets live in the core ``alert`` table.
"""

from __future__ import annotations

import sqlalchemy as sa

from core_records.store.schema import BigId, Id, metadata, person_id_column
from core_records.timestamps import UtcDateTime

offender_manager_allocation = sa.Table(
    "offender_manager_allocation",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    person_id_column(),
    sa.Column("crn", sa.String(7), nullable=False),
    sa.Column("staff_code", sa.String(20), nullable=False),
    sa.Column("staff_name", sa.String(100), nullable=False),
    sa.Column("team_code", sa.String(20), nullable=False),
    sa.Column("provider_code", sa.String(10), nullable=False),
    sa.Column("allocated_on", sa.Date, nullable=False),
    sa.Column("message_id", Id),
)

probation_registration = sa.Table(
    "probation_registration",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    person_id_column(),
    sa.Column("crn", sa.String(7), nullable=False),
    sa.Column("registration_type", sa.String(10), nullable=False),
    sa.Column("level", sa.String(10)),
    sa.Column("action", sa.String(12), nullable=False),  # REGISTERED or DEREGISTERED
    sa.Column("effective_on", sa.Date, nullable=False),
    sa.Column("message_id", Id),
)

licence_condition = sa.Table(
    "licence_condition",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    person_id_column(),
    sa.Column("crn", sa.String(7), nullable=False),
    sa.Column("licence_starts_on", sa.Date, nullable=False),
    sa.Column("condition_code", sa.String(20), nullable=False),
    sa.Column("description", sa.String(500), nullable=False),
    sa.Column("message_id", Id),
)

risk_assessment = sa.Table(
    "risk_assessment",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    person_id_column(),
    sa.Column("assessment_id", sa.String(20), nullable=False),
    sa.Column("assessment_type", sa.String(10), nullable=False),
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("completed_at", UtcDateTime, nullable=False),
    sa.Column("overall_rosh", sa.String(10), nullable=False),
    sa.Column("rosh", sa.JSON, nullable=False),  # {group: {"custody": level, "community": level}}
    sa.Column("scores", sa.JSON, nullable=False),  # {"OGRS3_1YR": 34, ...}, percentages
    sa.Column("message_id", Id),
)

visit = sa.Table(
    "visit",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    person_id_column(),
    sa.Column("establishment", sa.String(6), nullable=False),
    sa.Column("visit_reference", sa.String(40), nullable=False),
    sa.Column("visit_type", sa.String(10), nullable=False),
    sa.Column("starts_at", UtcDateTime, nullable=False),
    sa.Column("ends_at", UtcDateTime, nullable=False),
    sa.Column("outcome", sa.String(10), nullable=False),
    sa.Column("visitors", sa.JSON, nullable=False),  # [{surname, forenames, relationship}]
    sa.Column("message_id", Id),
)

non_association = sa.Table(
    "non_association",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    person_id_column(),
    # The other person of the pair; the row is on both records. A pair's latest row says
    # whether its non-association is OPEN or CLOSED.
    sa.Column("other_person_id", sa.ForeignKey("person.id"), nullable=False, index=True),
    sa.Column("status", sa.String(6), nullable=False),  # OPEN or CLOSED
    sa.Column("reason_code", sa.String(3), nullable=False),
    sa.Column("effective_on", sa.Date, nullable=False),
    sa.Column("ended_on", sa.Date),
    sa.Column("operator", sa.String(32), nullable=False),
    sa.Column("comment", sa.String(1000)),  # the operator's note: never in an event
    sa.Column("message_id", Id),
)
