"""The Delius (probation case management) adapter, both ways, in Gatehouse's own format
(see README.md).

Outbound: custody status when a person is received into or released from prison, sentence
key dates, and the prison number once a probation case is matched. Inbound: the CRN of a
matched case, offender-manager allocations, registrations (risk flags) and licence
conditions.
"""

from __future__ import annotations

from adapters.base import MESSAGE_REFERENCE, Adapter, InboundType, PartnerScope
from adapters.delius.render import SUBSCRIPTIONS
from adapters.delius.translate import (
    SCHEMAS,
    translate_allocation,
    translate_case,
    translate_licence,
    translate_registration,
)
from adapters.policy_file import package_policy

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
    subscriptions=SUBSCRIPTIONS,
    policy=POLICY,
    delivery="http",
    delivery_content_type="application/xml",
    transports=("http",),
)

__all__ = ["NAME", "POLICY", "adapter"]
