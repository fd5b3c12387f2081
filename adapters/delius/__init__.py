"""The Delius (probation case management) adapter: custody-status updates when a person is
received into or released from prison, in Gatehouse's own format (see README.md).

Outbound only for now; Delius's CRN and registrations come inbound in a later version.
"""

from __future__ import annotations

from adapters.base import Adapter, PartnerScope, SharingPolicy, Subscription
from adapters.delius.custody_status import INFORMATION_KEYS, SCHEMA, render_custody_status
from core_records.events import PRISONER_RECEIVED, PRISONER_RELEASED
from core_records.identifiers import CRN, CRO, NOMS, PNC

NAME = "delius"

POLICY = SharingPolicy(
    event_types=frozenset({PRISONER_RECEIVED, PRISONER_RELEASED}),
    identifier_types=frozenset({NOMS, CRN, PNC, CRO}),
    information_keys=INFORMATION_KEYS,
    person_fields=frozenset(
        {
            "prisonNumber",
            "identifiers",
            "names",
            "dateOfBirth",
            "sex",
            "custodyStatus",
            "careStatus",
            "establishment",
            "legalStatus",
            "bookings",
            "movements",
        }
    ),
)
"""Delius sees received and released events, the identifiers probation uses, and only the
detail the custody-status document is made from."""

adapter = Adapter(
    name=NAME,
    partner="Delius (probation case management)",
    partners={"delius": PartnerScope("delius", NAME)},
    inbound={},
    subscriptions={
        PRISONER_RECEIVED: Subscription(PRISONER_RECEIVED, render_custody_status, SCHEMA),
        PRISONER_RELEASED: Subscription(PRISONER_RELEASED, render_custody_status, SCHEMA),
    },
    policy=POLICY,
    delivery="http",
    delivery_content_type="application/xml",
    transports=("http",),
)

__all__ = ["NAME", "POLICY", "adapter"]
