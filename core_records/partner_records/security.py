"""Handlers for what the security application tells the hub: security (X type) alerts raised
and closed, and intelligence flags. They are kept apart from the person record
(``core_records.partner_records.intelligence_tables``), and their events are security-classified
by their type (``adapters.base.is_security_event_type``): only a partner whose policy is
``security_cleared`` (the security application) may receive them.

Each is idempotent by the security application's own reference: the same alert raised twice
is raised once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from core_records.commands import RecordIntelligenceFlag, RecordSecurityAlert
from core_records.custody.in_custody import person_on_record
from core_records.errors import BusinessRuleViolation
from core_records.events import (
    INTELLIGENCE_FLAG_RAISED,
    SECURITY_ALERT_CLOSED,
    SECURITY_ALERT_RAISED,
    CanonicalEvent,
    person_event,
)
from core_records.partner_records.intelligence_tables import intelligence_flag, security_alert
from core_records.store.unit_of_work import UnitOfWork

SECURITY = "X"


def record_security_alert(work: UnitOfWork, command: RecordSecurityAlert) -> list[CanonicalEvent]:
    work.reference.require_alert_code(command.alert_code, SECURITY)
    current = person_on_record(work, command.person)
    found = (
        work.connection.execute(
            sa.select(security_alert).where(security_alert.c.reference == command.reference)
        )
        .mappings()
        .first()
    )
    if found is not None and found["prison_number"] != current.prison_number:
        raise BusinessRuleViolation(
            f"security alert {command.reference} is {found['prison_number']}'s, "
            f"not {current.prison_number}'s"
        )
    if command.active:
        if found is not None:
            return []
        work.writing()
        work.connection.execute(
            sa.insert(security_alert).values(
                reference=command.reference,
                prison_number=current.prison_number,
                alert_code=command.alert_code,
                active=True,
                raised_at=command.occurred_at,
                message_id=work.message_id,
            )
        )
        event_type = SECURITY_ALERT_RAISED
    else:
        if found is None:
            raise BusinessRuleViolation(f"there is no security alert {command.reference} to close")
        if not found["active"]:
            return []
        work.writing()
        work.connection.execute(
            sa.update(security_alert)
            .where(security_alert.c.id == found["id"])
            .values(active=False, closed_at=command.occurred_at)
        )
        event_type = SECURITY_ALERT_CLOSED
    information = {
        "nomsNumber": current.prison_number,
        "alertType": SECURITY,
        "alertCode": command.alert_code,
        "alertReference": command.reference,
    }
    identifiers = work.identifiers_of(current.id)
    return [person_event(event_type, command.occurred_at, identifiers, information)]


def record_intelligence_flag(
    work: UnitOfWork, command: RecordIntelligenceFlag
) -> list[CanonicalEvent]:
    current = person_on_record(work, command.person)
    found = work.connection.execute(
        sa.select(intelligence_flag.c.prison_number).where(
            intelligence_flag.c.reference == command.reference
        )
    ).scalar()
    if found is not None:
        if found != current.prison_number:
            raise BusinessRuleViolation(
                f"intelligence flag {command.reference} is {found}'s, not {current.prison_number}'s"
            )
        return []
    work.writing()
    work.connection.execute(
        sa.insert(intelligence_flag).values(
            reference=command.reference,
            prison_number=current.prison_number,
            flag_code=command.flag_code,
            grading=command.grading,
            raised_at=command.occurred_at,
            message_id=work.message_id,
        )
    )
    information = {
        "nomsNumber": current.prison_number,
        "flagCode": command.flag_code,
        "grading": command.grading,
        "flagReference": command.reference,
    }
    identifiers = work.identifiers_of(current.id)
    return [person_event(INTELLIGENCE_FLAG_RAISED, command.occurred_at, identifiers, information)]


HANDLERS: dict[type, Callable[[UnitOfWork, Any], list[CanonicalEvent]]] = {
    RecordSecurityAlert: record_security_alert,
    RecordIntelligenceFlag: record_intelligence_flag,
}
