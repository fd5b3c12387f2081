"""Building a canonical event about one person from what the record holds of them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from core_records.events import CanonicalEvent
from core_records.identifiers import CRN, CRO, NOMS, PNC, Identifier

EVENT_IDENTIFIER_TYPES = (NOMS, PNC, CRO, CRN)
"""The identifiers an event's personReference carries, in this order."""


def person_event(
    event_type: str,
    occurred_at: datetime,
    identifiers: Iterable[Identifier],
    information: dict[str, Any],
) -> CanonicalEvent:
    reference = sorted(
        (i for i in set(identifiers) if i.type in EVENT_IDENTIFIER_TYPES),
        key=lambda i: (EVENT_IDENTIFIER_TYPES.index(i.type), i.value),
    )
    return CanonicalEvent(
        event_type=event_type,
        occurred_at=occurred_at,
        person_identifiers=tuple(reference),
        additional_information=information,
    )
