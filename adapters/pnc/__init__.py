"""The PNC (Police National Computer) adapter, over AMQP, in Gatehouse's own format (see
README.md).

Outbound: custody status on reception and release, a licence notice on release on licence,
a lookup request (reply_to, correlation_id) for a person received without a PNC id, and
prison merges and unmerges (the prison number to show, the one to retire).
Inbound: PNC ids and CRO numbers assigned, records amended and merged, and lookup replies.
"""

from __future__ import annotations

from adapters.base import Adapter, InboundType, PartnerScope, Subscription
from adapters.pnc.documents import OUTBOUND_SCHEMA, SCHEMAS
from adapters.pnc.prison_merge import SCHEMA as PRISON_MERGE_SCHEMA
from adapters.pnc.prison_merge import render_prison_merge
from adapters.pnc.render import render_custody_event
from adapters.pnc.translate import (
    translate_amendment,
    translate_identifiers,
    translate_merge,
    translate_reply,
)
from adapters.policy_file import package_policy
from core_records.events import (
    PRISONER_MERGED,
    PRISONER_RECEIVED,
    PRISONER_RELEASED,
    PRISONER_UNMERGED,
)

NAME = "pnc"

POLICY = package_policy(__file__)
"""What PNC may see (``policy.toml``): receptions and releases, the police's own ids with the
prison number, and only the detail its documents are made from (the received person's
particulars included, which a lookup searches on). Never a CRN, alerts or anything else."""

adapter = Adapter(
    name=NAME,
    partner="PNC (Police National Computer)",
    partners={"pnc": PartnerScope("pnc", NAME)},
    inbound={
        "identifiers": InboundType("identifiers", SCHEMAS["identifiers"], translate_identifiers),
        "amendment": InboundType("amendment", SCHEMAS["amendment"], translate_amendment),
        "merge": InboundType("merge", SCHEMAS["merge"], translate_merge),
        "reply": InboundType("reply", SCHEMAS["reply"], translate_reply),
    },
    subscriptions={
        PRISONER_RECEIVED: Subscription(PRISONER_RECEIVED, render_custody_event, OUTBOUND_SCHEMA),
        PRISONER_RELEASED: Subscription(PRISONER_RELEASED, render_custody_event, OUTBOUND_SCHEMA),
        PRISONER_MERGED: Subscription(PRISONER_MERGED, render_prison_merge, PRISON_MERGE_SCHEMA),
        PRISONER_UNMERGED: Subscription(
            PRISONER_UNMERGED, render_prison_merge, PRISON_MERGE_SCHEMA
        ),
    },
    policy=POLICY,
    delivery="amqp",
    delivery_content_type="application/xml",
    transports=("amqp",),
)

__all__ = ["NAME", "POLICY", "adapter"]
