"""Reads of a person's record by a partner, through the data share, each one audited.

The caller decides what the partner may see of the record (``decide``: the view cut down
to its policy, or None for "not found"); the read and its audit row share a transaction,
so no read goes unrecorded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from core_records.audit import AuditEvent, write_audit
from core_records.database import store_errors
from core_records.identifiers import Identifier
from core_records.person_view import person_view
from core_records.timestamps import utc_now

View = dict[str, Any]


def read_for_partner(
    engine: sa.Engine,
    identifier: Identifier,
    partner: str,
    decide: Callable[[View | None], View | None],
) -> View | None:
    """What ``partner`` may see of the person ``identifier`` names, or None; audited as
    ``person.shared`` or ``person.not_shared`` against the person asked about."""
    with store_errors(), engine.begin() as connection:
        shown = decide(person_view(connection, identifier))
        write_audit(
            connection,
            AuditEvent(
                at=utc_now(),
                actor=f"partner:{partner}",
                action="person.shared" if shown is not None else "person.not_shared",
                subject=f"person:{identifier.type}:{identifier.value}",
                detail=", ".join(sorted(shown)) if shown is not None else None,
            ),
        )
    return shown
