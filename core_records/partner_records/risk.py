"""The handler of what OASys tells the record: a risk assessment's summary.

The person is found by their strong identifiers (a person not on record is a
``BusinessRuleViolation``); the summary is an append-only row
(``core_records.partner_records.tables``). A RoSH level from an assessment becomes the
person's one active RoSH alert: ROM, ROH or ROV (LOW sets none).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from core_records.custody.in_custody import person_on_record
from core_records.custody.tables import alert
from core_records.events import (
    ALERT_CREATED,
    ALERT_INACTIVE,
    ASSESSMENT_SUMMARY_PRODUCED,
    CanonicalEvent,
)
from core_records.partner_records.commands import (
    RecordRiskAssessment,
)
from core_records.partner_records.facts import fact_row, partner_event
from core_records.partner_records.tables import (
    risk_assessment,
)
from core_records.store.unit_of_work import UnitOfWork

ROSH_ALERTS = {"MEDIUM": "ROM", "HIGH": "ROH", "VERY_HIGH": "ROV"}
"""The alert a RoSH level sets in custody; LOW sets none."""


def record_risk_assessment(work: UnitOfWork, command: RecordRiskAssessment) -> list[CanonicalEvent]:
    """Record the summary; set the RoSH alert its overall level calls for, ending any other."""
    who = person_on_record(work, command.person)
    work.writing()
    overall = command.overall_rosh
    rosh = {r.group: {"custody": r.custody, "community": r.community} for r in command.rosh}
    scores = dict(command.scores)
    work.add_rows(
        risk_assessment,
        [
            fact_row(
                work,
                who,
                assessment_id=command.assessment_id,
                assessment_type=command.assessment_type,
                status=command.status,
                completed_at=command.occurred_at,
                overall_rosh=overall,
                rosh=rosh,
                scores=scores,
            )
        ],
    )
    summary = {
        "assessmentId": command.assessment_id,
        "assessmentType": command.assessment_type,
        "assessmentStatus": command.status,
        "riskOfSeriousHarm": overall,
        "riskOfSeriousHarmByGroup": rosh,
        "scores": scores,
    }
    at = command.occurred_at
    events = [partner_event(work, who, ASSESSMENT_SUMMARY_PRODUCED, at, summary)]
    wanted = ROSH_ALERTS.get(overall)
    active = _active_rosh_alerts(work, who.id)
    for code in sorted(active - {wanted}):
        _end_rosh_alert(work, who.id, code, at)
        events.append(
            partner_event(work, who, ALERT_INACTIVE, at, {"alertType": "R", "alertCode": code})
        )
    if wanted is not None and wanted not in active:
        # Every row of one insert must name the same columns, hence expires_at.
        row = {"person_id": who.id, "alert_type": "R", "alert_code": wanted, "active": True,
               "created_at": at, "expires_at": None}  # fmt: skip
        work.add_rows(alert, [row])
        events.append(
            partner_event(work, who, ALERT_CREATED, at, {"alertType": "R", "alertCode": wanted})
        )
    return events


def _active_rosh_alerts(work: UnitOfWork, person_id: int) -> set[str]:
    codes = set(ROSH_ALERTS.values())
    stored = work.connection.execute(
        sa.select(alert.c.alert_code).where(
            alert.c.person_id == person_id, alert.c.active.is_(True), alert.c.alert_code.in_(codes)
        )
    ).scalars()
    pending = (
        r["alert_code"]
        for r in work.pending_rows(alert)
        if r["person_id"] == person_id and r["active"] and r["alert_code"] in codes
    )
    return {*stored, *pending}


def _end_rosh_alert(work: UnitOfWork, person_id: int, code: str, at: datetime) -> None:
    work.connection.execute(
        sa.update(alert)
        .where(alert.c.person_id == person_id, alert.c.alert_code == code, alert.c.active.is_(True))
        .values(active=False, expires_at=at)
    )
    for row in work.pending_rows(alert):
        if row["person_id"] == person_id and row["alert_code"] == code:
            row.update(active=False, expires_at=at)


HANDLERS: dict[type, Callable[[UnitOfWork, Any], list[CanonicalEvent]]] = {
    RecordRiskAssessment: record_risk_assessment,
}
