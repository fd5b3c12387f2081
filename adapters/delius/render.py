"""Where Delius's documents are rendered: canonical events to Delius documents (format v1),
one small pure module per document, gathered here as the adapter's subscriptions.

    prisoner.received, prisoner.released     CustodyStatus      custody_status.py (the
                                                                action: actions.py)
    probation-case.prison-identifier.added   PrisonIdentifier   prison_identifier.py
    prisoner.sentence-dates-changed          SentenceKeyDates   sentence_dates.py
"""

from __future__ import annotations

from adapters.base import Subscription
from adapters.delius.custody_status import SCHEMA as CUSTODY_STATUS_SCHEMA
from adapters.delius.custody_status import render_custody_status
from adapters.delius.prison_identifier import SCHEMA as PRISON_IDENTIFIER_SCHEMA
from adapters.delius.prison_identifier import render_prison_identifier
from adapters.delius.sentence_dates import SCHEMA as SENTENCE_DATES_SCHEMA
from adapters.delius.sentence_dates import render_sentence_dates
from core_records.events import (
    PRISON_IDENTIFIER_ADDED,
    PRISONER_RECEIVED,
    PRISONER_RELEASED,
    SENTENCE_DATES_CHANGED,
)

SUBSCRIPTIONS = {
    PRISONER_RECEIVED: Subscription(
        PRISONER_RECEIVED, render_custody_status, CUSTODY_STATUS_SCHEMA
    ),
    PRISONER_RELEASED: Subscription(
        PRISONER_RELEASED, render_custody_status, CUSTODY_STATUS_SCHEMA
    ),
    PRISON_IDENTIFIER_ADDED: Subscription(
        PRISON_IDENTIFIER_ADDED, render_prison_identifier, PRISON_IDENTIFIER_SCHEMA
    ),
    SENTENCE_DATES_CHANGED: Subscription(
        SENTENCE_DATES_CHANGED, render_sentence_dates, SENTENCE_DATES_SCHEMA
    ),
}
"""Event type to the document Delius receives for it."""

DOCUMENT_SCHEMAS = {
    "CustodyStatus": CUSTODY_STATUS_SCHEMA,
    "PrisonIdentifier": PRISON_IDENTIFIER_SCHEMA,
    "SentenceKeyDates": SENTENCE_DATES_SCHEMA,
}
"""The schema of each document Gatehouse sends Delius, by root element."""

__all__ = [
    "CUSTODY_STATUS_SCHEMA",
    "DOCUMENT_SCHEMAS",
    "PRISON_IDENTIFIER_SCHEMA",
    "SENTENCE_DATES_SCHEMA",
    "SUBSCRIPTIONS",
    "render_custody_status",
    "render_prison_identifier",
    "render_sentence_dates",
]
