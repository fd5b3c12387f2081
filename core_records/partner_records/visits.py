"""The handler of visits to people in custody, as prison operators record them: an
append-only row per visit (``core_records.partner_records.tables``) and an event.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core_records.custody.in_custody import person_in_custody_at
from core_records.errors import BusinessRuleViolation
from core_records.events import (
    VISIT_RECORDED,
    CanonicalEvent,
)
from core_records.partner_records.commands import (
    RecordVisit,
)
from core_records.partner_records.facts import fact_row, partner_event
from core_records.partner_records.tables import (
    visit,
)
from core_records.store.unit_of_work import UnitOfWork


def record_visit(work: UnitOfWork, command: RecordVisit) -> list[CanonicalEvent]:
    """Record a visit to a person in custody at the prison the visit was at."""
    if command.ends_at < command.starts_at:
        raise BusinessRuleViolation(f"visit {command.visit_reference} ends before it starts")
    who, _ = person_in_custody_at(work, command.person, command.establishment)
    work.writing()
    visitors = [
        {"surname": v.surname, "forenames": v.forenames, "relationship": v.relationship}
        for v in command.visitors
    ]
    work.add_rows(
        visit,
        [
            fact_row(
                work,
                who,
                establishment=command.establishment,
                visit_reference=command.visit_reference,
                visit_type=command.visit_type,
                starts_at=command.starts_at,
                ends_at=command.ends_at,
                outcome=command.outcome,
                visitors=visitors,
            )
        ],
    )
    information = {
        "prisonId": command.establishment,
        "visitReference": command.visit_reference,
        "visitType": command.visit_type,
        "outcome": command.outcome,
        "endsAt": command.ends_at.isoformat(),
        "visitors": visitors,
    }
    return [partner_event(work, who, VISIT_RECORDED, command.starts_at, information)]


HANDLERS: dict[type, Callable[[UnitOfWork, Any], list[CanonicalEvent]]] = {
    RecordVisit: record_visit,
}
