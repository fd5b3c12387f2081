"""Who is waiting for PNC: people in prison without a PNC id, whose lookup PNC has not
answered since they were received. A reception never waits for PNC; this is how a service
manager sees the lookups PNC has not answered in time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from core_records.custody.person_record import IN_PRISON
from core_records.custody.tables import booking, person, person_identifier
from core_records.identifiers import PNC
from core_records.partner_records.intelligence_tables import police_lookup
from core_records.store.database import READ_ONLY, store_errors


@dataclass(frozen=True)
class AwaitingPnc:
    prison_number: str
    establishment: str
    received_at: datetime


def awaiting_pnc(engine: sa.Engine, *, received_before: datetime) -> list[AwaitingPnc]:
    """People received before ``received_before``, still in prison with no PNC id, whose
    lookup PNC has not answered since; the longest waiting first."""
    has_pnc_id = sa.exists().where(
        person_identifier.c.person_id == person.c.id, person_identifier.c.type == PNC
    )
    answered = sa.exists().where(
        police_lookup.c.prison_number == person.c.prison_number,
        police_lookup.c.answered_at >= booking.c.started_at,
    )
    query = (
        sa.select(person.c.prison_number, booking.c.establishment, booking.c.started_at)
        .join(booking, sa.and_(booking.c.person_id == person.c.id, booking.c.active.is_(True)))
        .where(
            person.c.custody_status == IN_PRISON,
            booking.c.started_at < received_before,
            ~has_pnc_id,
            ~answered,
        )
        .order_by(booking.c.started_at, person.c.prison_number)
    )
    with store_errors(), engine.connect() as connection:
        connection = connection.execution_options(**READ_ONLY)
        return [AwaitingPnc(*row) for row in connection.execute(query)]
