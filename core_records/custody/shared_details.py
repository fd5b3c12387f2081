"""What the data share adds to the person view when a partner's policy names it: sentence key
dates, active alerts (never security ones), the probation offender manager, the latest RoSH
summary. Each is read only when asked for, so that a partner whose policy does not name a
field costs no query for it.

    sentenceKeyDates   {code: YYYY-MM-DD} of the latest booking that has any
    alerts             active alerts, not security (type X or an X code): the security
                       application's business alone, whatever a policy names
    offenderManager    the latest allocation Delius sent, or None
    roshSummary        the latest OASys assessment's risk of serious harm, or None

(``incentiveLevel`` is on the person row, in the view already.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa

from core_records.custody.tables import alert, booking, sentence_date
from core_records.partner_records.tables import offender_manager_allocation, risk_assessment
from core_records.timestamps import utc_now

SECURITY_ALERT_TYPE = "X"


def _sentence_key_dates(connection: sa.Connection, person_id: int) -> dict[str, str]:
    rows = connection.execute(
        sa.select(sentence_date.c.booking_id, sentence_date.c.code, sentence_date.c.date)
        .join(booking, booking.c.id == sentence_date.c.booking_id)
        .where(sentence_date.c.person_id == person_id)
        .order_by(booking.c.started_at.desc(), booking.c.id.desc(), sentence_date.c.code)
    ).all()
    if not rows:
        return {}
    latest = rows[0].booking_id
    return {r.code: r.date.isoformat() for r in rows if r.booking_id == latest}


def _active_alerts(connection: sa.Connection, person_id: int) -> list[dict[str, Any]]:
    now = utc_now()
    rows = connection.execute(
        sa.select(alert)
        .where(
            alert.c.person_id == person_id,
            alert.c.active.is_(True),
            sa.or_(alert.c.expires_at.is_(None), alert.c.expires_at > now),
            alert.c.alert_type != SECURITY_ALERT_TYPE,
            sa.not_(sa.func.upper(alert.c.alert_code).startswith(SECURITY_ALERT_TYPE)),
        )
        .order_by(alert.c.created_at, alert.c.id)
    ).mappings()
    return [
        {
            "alertType": r["alert_type"],
            "alertCode": r["alert_code"],
            "createdAt": r["created_at"].isoformat(),
            "expiresAt": r["expires_at"].isoformat() if r["expires_at"] else None,
        }
        for r in rows
    ]


def _offender_manager(connection: sa.Connection, person_id: int) -> dict[str, Any] | None:
    table = offender_manager_allocation
    row = (
        connection.execute(
            sa.select(table)
            .where(table.c.person_id == person_id)
            .order_by(table.c.allocated_on.desc(), table.c.id.desc())
            .limit(1)
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    return {
        "crn": row["crn"],
        "staffCode": row["staff_code"],
        "staffName": row["staff_name"],
        "teamCode": row["team_code"],
        "providerCode": row["provider_code"],
        "allocatedOn": row["allocated_on"].isoformat(),
    }


def _rosh_summary(connection: sa.Connection, person_id: int) -> dict[str, Any] | None:
    table = risk_assessment
    row = (
        connection.execute(
            sa.select(table)
            .where(table.c.person_id == person_id)
            .order_by(table.c.completed_at.desc(), table.c.id.desc())
            .limit(1)
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    return {
        "assessmentId": row["assessment_id"],
        "assessmentType": row["assessment_type"],
        "completedAt": row["completed_at"].isoformat(),
        "overallRisk": row["overall_rosh"],
        "riskOfSeriousHarm": row["rosh"],
    }


SHARED_DETAILS: dict[str, Callable[[sa.Connection, int], Any]] = {
    "sentenceKeyDates": _sentence_key_dates,
    "alerts": _active_alerts,
    "offenderManager": _offender_manager,
    "roshSummary": _rosh_summary,
}
"""Field of the person view to how it is read."""


def shared_details(
    connection: sa.Connection, person_id: int, fields: Iterable[str]
) -> dict[str, Any]:
    """The details of ``SHARED_DETAILS`` among ``fields``, by field."""
    return {f: SHARED_DETAILS[f](connection, person_id) for f in fields if f in SHARED_DETAILS}
