"""The security (intelligence) application's adapter, over AMQP, in Gatehouse's own format
(see README.md).

Outbound: movements, alerts and non-associations; prison merges and unmerges, and people's
new names and corrected dates of birth (``identity.py``). Inbound: security (X type) alerts and
intelligence flags, which are security-classified: stored apart from the person record, and
receivable by no other partner: this adapter's ``policy.toml`` is the only one that is
``security_cleared``.
"""

from __future__ import annotations

from adapters.base import Adapter, InboundType, PartnerScope, Subscription
from adapters.policy_file import package_policy
from adapters.security.documents import OUTBOUND_SCHEMA, SCHEMAS
from adapters.security.identity import RENDERERS as IDENTITY_RENDERERS
from adapters.security.identity import SCHEMA as IDENTITY_SCHEMA
from adapters.security.render import RENDERERS
from adapters.security.translate import translate_alert, translate_flag

NAME = "security"

POLICY = package_policy(__file__)
"""What the security application may see (``policy.toml``): movements, alerts and
non-associations with the prison number and the police's ids, only the detail its documents
are made from; and, security-cleared, security alerts and intelligence."""

adapter = Adapter(
    name=NAME,
    partner="Security application (prison intelligence)",
    partners={"security": PartnerScope("security", NAME)},
    inbound={
        "alert": InboundType("alert", SCHEMAS["alert"], translate_alert),
        "flag": InboundType("flag", SCHEMAS["flag"], translate_flag),
    },
    subscriptions={
        **{
            event_type: Subscription(event_type, render, OUTBOUND_SCHEMA)
            for event_type, render in RENDERERS.items()
        },
        **{
            event_type: Subscription(event_type, render, IDENTITY_SCHEMA)
            for event_type, render in IDENTITY_RENDERERS.items()
        },
    },
    policy=POLICY,
    delivery="amqp",
    delivery_content_type="application/xml",
    transports=("amqp",),
)

__all__ = ["NAME", "POLICY", "adapter"]
