"""The handler of a sentence calculation: its key dates on the person's current booking,
and the imprisonment status when it changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from core_records.custody.in_custody import person_in_custody_at
from core_records.custody.tables import person, sentence_date
from core_records.errors import BusinessRuleViolation
from core_records.events import (
    IMPRISONMENT_STATUS_CHANGED,
    SENTENCE_DATES_CHANGED,
    CanonicalEvent,
)
from core_records.partner_records.commands import (
    SENTENCE_DATE_CODES,
    RecordSentence,
)
from core_records.partner_records.facts import partner_event
from core_records.store.unit_of_work import UnitOfWork


def record_sentence(work: UnitOfWork, command: RecordSentence) -> list[CanonicalEvent]:
    """Record a sentence calculation's key dates on the person's current booking, and the
    imprisonment status when it changes; an event for each kind of change, none if none."""
    unknown = sorted({code for code, _ in command.key_dates} - SENTENCE_DATE_CODES)
    if unknown:
        raise BusinessRuleViolation(f"unknown sentence key date {', '.join(unknown)}")
    if command.legal_status is not None:
        work.reference.require_legal_status(command.legal_status)
    who, booking = person_in_custody_at(work, command.person, command.establishment)
    stored = dict(
        work.connection.execute(
            sa.select(sentence_date.c.code, sentence_date.c.date).where(
                sentence_date.c.booking_id == booking.id
            )
        ).all()
    )
    pending = {
        r["code"]: r for r in work.pending_rows(sentence_date) if r["booking_id"] == booking.id
    }
    current = {**stored, **{code: row["date"] for code, row in pending.items()}}
    changed = {code: when for code, when in command.key_dates if current.get(code) != when}
    previous_status = work.connection.execute(
        sa.select(person.c.legal_status).where(person.c.id == who.id)
    ).scalar()
    new_status = command.legal_status
    status_changes = new_status is not None and new_status != previous_status
    work.writing()
    for code, when in changed.items():
        if code in pending:
            pending[code]["date"] = when
        elif code in stored:
            work.connection.execute(
                sa.update(sentence_date)
                .where(sentence_date.c.booking_id == booking.id, sentence_date.c.code == code)
                .values(date=when, overridden=False)
            )
        else:
            work.add_rows(
                sentence_date,
                [{"person_id": who.id, "booking_id": booking.id, "code": code, "date": when,
                  "overridden": False}],
            )  # fmt: skip
    events = []
    if changed:
        dates = {code: when.isoformat() for code, when in sorted({**current, **changed}.items())}
        events.append(
            partner_event(
                work, who, SENTENCE_DATES_CHANGED, command.occurred_at, {"sentenceDates": dates}
            )
        )
    if status_changes:
        who = work.change_custody(
            who,
            custody_status=who.custody_status,
            establishment=who.current_establishment,
            legal_status=new_status,
        )
        information = {"imprisonmentStatus": new_status}
        if previous_status is not None:
            information["previousImprisonmentStatus"] = previous_status
        events.append(
            partner_event(work, who, IMPRISONMENT_STATUS_CHANGED, command.occurred_at, information)
        )
    return events


HANDLERS: dict[type, Callable[[UnitOfWork, Any], list[CanonicalEvent]]] = {
    RecordSentence: record_sentence,
}
