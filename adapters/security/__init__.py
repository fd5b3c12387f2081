"""The security (intelligence) application's adapter, over AMQP, in Gatehouse's own format
(see README.md).

Outbound: movements, alerts and non-associations. Inbound: security (X type) alerts and
intelligence flags, which are security-classified: stored apart from the person record, and
receivable by no other partner (``adapters.base.SECURITY_CLEARED_ADAPTERS``).
"""

from __future__ import annotations

from adapters.base import Adapter, InboundType, PartnerScope, SharingPolicy, Subscription
from adapters.security.documents import OUTBOUND_SCHEMA, SCHEMAS
from adapters.security.render import INFORMATION_KEYS, RENDERERS
from adapters.security.translate import translate_alert, translate_flag
from core_records.identifiers import CRO, NOMS, PNC

NAME = "security"

POLICY = SharingPolicy(
    event_types=frozenset(RENDERERS),
    identifier_types=frozenset({NOMS, PNC, CRO}),
    information_keys=INFORMATION_KEYS,
)
"""The security application sees movements, alerts and non-associations with the prison
number and the police's ids; only the detail its documents are made from."""

adapter = Adapter(
    name=NAME,
    partner="Security application (prison intelligence)",
    partners={"security": PartnerScope("security", NAME)},
    inbound={
        "alert": InboundType("alert", SCHEMAS["alert"], translate_alert),
        "flag": InboundType("flag", SCHEMAS["flag"], translate_flag),
    },
    subscriptions={
        event_type: Subscription(event_type, render, OUTBOUND_SCHEMA)
        for event_type, render in RENDERERS.items()
    },
    policy=POLICY,
    delivery="amqp",
    delivery_content_type="application/xml",
    transports=("amqp",),
)

__all__ = ["NAME", "POLICY", "adapter"]
