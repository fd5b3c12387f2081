"""Where Delius's documents are rendered: canonical events to Delius documents (format v1),
one small pure module per document, gathered here as the adapter's subscriptions.

    prisoner.received, prisoner.released     CustodyStatus      custody_status.py (the
                                                                action: actions.py)
    probation-case.prison-identifier.added   PrisonIdentifier   prison_identifier.py
    prisoner.sentence-dates-changed          SentenceKeyDates   sentence_dates.py
    prisoner.merged, prisoner.unmerged       PrisonMerge        prison_merge.py
    prisoner.updated                         PersonUpdated      person_update.py
"""

from __future__ import annotations

from adapters.base import Subscription
from adapters.delius.custody_status import SCHEMA as CUSTODY_STATUS_SCHEMA
from adapters.delius.custody_status import render_custody_status
from adapters.delius.person_update import SCHEMA as PERSON_UPDATE_SCHEMA
from adapters.delius.person_update import render_person_update
from adapters.delius.prison_identifier import SCHEMA as PRISON_IDENTIFIER_SCHEMA
from adapters.delius.prison_identifier import render_prison_identifier
from adapters.delius.prison_merge import SCHEMA as PRISON_MERGE_SCHEMA
from adapters.delius.prison_merge import render_prison_merge
from adapters.delius.sentence_dates import SCHEMA as SENTENCE_DATES_SCHEMA
from adapters.delius.sentence_dates import render_sentence_dates
from core_records.events import (
    PRISON_IDENTIFIER_ADDED,
    PRISONER_MERGED,
    PRISONER_RECEIVED,
    PRISONER_RELEASED,
    PRISONER_UNMERGED,
    PRISONER_UPDATED,
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
    PRISONER_MERGED: Subscription(PRISONER_MERGED, render_prison_merge, PRISON_MERGE_SCHEMA),
    PRISONER_UNMERGED: Subscription(PRISONER_UNMERGED, render_prison_merge, PRISON_MERGE_SCHEMA),
    PRISONER_UPDATED: Subscription(PRISONER_UPDATED, render_person_update, PERSON_UPDATE_SCHEMA),
}
"""Event type to the document Delius receives for it."""

DOCUMENT_SCHEMAS = {
    "CustodyStatus": CUSTODY_STATUS_SCHEMA,
    "PrisonIdentifier": PRISON_IDENTIFIER_SCHEMA,
    "SentenceKeyDates": SENTENCE_DATES_SCHEMA,
    "PrisonMerge": PRISON_MERGE_SCHEMA,
    "PersonUpdated": PERSON_UPDATE_SCHEMA,
}
"""The schema of each document Gatehouse sends Delius, by root element."""

__all__ = [
    "CUSTODY_STATUS_SCHEMA",
    "DOCUMENT_SCHEMAS",
    "PERSON_UPDATE_SCHEMA",
    "PRISON_IDENTIFIER_SCHEMA",
    "PRISON_MERGE_SCHEMA",
    "SENTENCE_DATES_SCHEMA",
    "SUBSCRIPTIONS",
    "render_custody_status",
    "render_prison_identifier",
    "render_sentence_dates",
]
