"""The private-prison operators' adapter: receptions, transfers, releases, visits, sentences
and non-associations from the systems of privately run prisons, in Gatehouse's own format
(see README.md).

Each operator (serco, sodexo, g4s, ...) is a partner of its own, scoped to the prisons it
runs (``operators.csv``), and receives custody notices about those prisons alone: the
row scope of its sharing policy, decided centrally in delivery.
"""

from __future__ import annotations

from adapters.base import MESSAGE_REFERENCE, Adapter, InboundType, Subscription
from adapters.policy_file import package_policy
from adapters.private_prisons.custody_notice import SCHEMA as NOTICE_SCHEMA
from adapters.private_prisons.custody_notice import render_custody_notice
from adapters.private_prisons.messages import SCHEMAS
from adapters.private_prisons.non_associations import SCHEMA as NON_ASSOCIATION_SCHEMA
from adapters.private_prisons.non_associations import translate_non_association
from adapters.private_prisons.operators import partner_scopes
from adapters.private_prisons.sentences import SCHEMA as SENTENCE_SCHEMA
from adapters.private_prisons.sentences import translate_sentence
from adapters.private_prisons.translate import (
    translate_reception,
    translate_release,
    translate_transfer,
)
from adapters.private_prisons.visits import SCHEMA as VISIT_SCHEMA
from adapters.private_prisons.visits import translate_visit
from core_records.events import PRISONER_RECEIVED, PRISONER_RELEASED

NAME = "private_prisons"

POLICY = package_policy(__file__)
"""Each operator receives custody notices for its own prisons only (``policy.toml``)."""

adapter = Adapter(
    name=NAME,
    partner="Private prison operators",
    partners=partner_scopes(NAME),
    inbound={
        "reception": InboundType(
            "reception", SCHEMAS["reception"], translate_reception, reference_at=MESSAGE_REFERENCE
        ),
        "transfer": InboundType(
            "transfer", SCHEMAS["transfer"], translate_transfer, reference_at=MESSAGE_REFERENCE
        ),
        "release": InboundType(
            "release", SCHEMAS["release"], translate_release, reference_at=MESSAGE_REFERENCE
        ),
        "visit": InboundType(
            "visit", VISIT_SCHEMA, translate_visit, reference_at=MESSAGE_REFERENCE
        ),
        "sentence": InboundType(
            "sentence", SENTENCE_SCHEMA, translate_sentence, reference_at=MESSAGE_REFERENCE
        ),
        "non-association": InboundType(
            "non-association",
            NON_ASSOCIATION_SCHEMA,
            translate_non_association,
            reference_at=MESSAGE_REFERENCE,
        ),
    },
    subscriptions={
        event_type: Subscription(event_type, render_custody_notice, NOTICE_SCHEMA)
        for event_type in (PRISONER_RECEIVED, PRISONER_RELEASED)
    },
    policy=POLICY,
    delivery="http",
    transports=("http",),
)

__all__ = ["NAME", "POLICY", "adapter"]
