"""The Delius (probation case management) adapter, both ways, in Gatehouse's own format
(see README.md).

Outbound: custody status when a person is received into or released from prison, sentence
key dates, and the prison number once a probation case is matched. Inbound: the CRN of a
matched case, offender-manager allocations, registrations (risk flags) and licence
conditions.
"""

from __future__ import annotations

from adapters.base import MESSAGE_REFERENCE, Adapter, InboundType, PartnerScope, Subscription
from adapters.delius.custody_status import SCHEMA, render_custody_status
from adapters.delius.prison_identifier import SCHEMA as IDENTIFIER_SCHEMA
from adapters.delius.prison_identifier import render_prison_identifier
from adapters.delius.probation import (
    SCHEMAS,
    translate_allocation,
    translate_case,
    translate_licence,
    translate_registration,
)
from adapters.delius.sentence_dates import SCHEMA as DATES_SCHEMA
from adapters.delius.sentence_dates import SENTENCE_DATES_CHANGED, render_sentence_dates
from adapters.policy_file import package_policy
from core_records.events import PRISONER_RECEIVED, PRISONER_RELEASED
from core_records.partner_records.probation_and_risk import PRISON_IDENTIFIER_ADDED

NAME = "delius"

POLICY = package_policy(__file__)
"""What Delius may see (``policy.toml``)."""

_TRANSLATORS = {
    "case": translate_case,
    "allocation": translate_allocation,
    "registration": translate_registration,
    "licence": translate_licence,
}

adapter = Adapter(
    name=NAME,
    partner="Delius (probation case management)",
    partners={"delius": PartnerScope("delius", NAME)},
    inbound={
        message_type: InboundType(
            message_type, SCHEMAS[message_type], translate, reference_at=MESSAGE_REFERENCE
        )
        for message_type, translate in _TRANSLATORS.items()
    },
    subscriptions={
        PRISONER_RECEIVED: Subscription(PRISONER_RECEIVED, render_custody_status, SCHEMA),
        PRISONER_RELEASED: Subscription(PRISONER_RELEASED, render_custody_status, SCHEMA),
        PRISON_IDENTIFIER_ADDED: Subscription(
            PRISON_IDENTIFIER_ADDED, render_prison_identifier, IDENTIFIER_SCHEMA
        ),
        SENTENCE_DATES_CHANGED: Subscription(
            SENTENCE_DATES_CHANGED, render_sentence_dates, DATES_SCHEMA
        ),
    },
    policy=POLICY,
    delivery="http",
    delivery_content_type="application/xml",
    transports=("http",),
)

__all__ = ["NAME", "POLICY", "adapter"]
