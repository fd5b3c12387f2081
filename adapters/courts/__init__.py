"""The courts adapter (court case management, magistrates' and Crown), both ways, in
Gatehouse's own format (see README.md).

Inbound: hearing lists (who is due at which court tomorrow), each defendant's hearing result
(remanded, committed, sentenced with key dates, bailed, acquitted, discharged) and warrants
(a reception). Outbound: a custody notice (where a listed defendant is held today).
"""

from __future__ import annotations

from adapters.base import Adapter, PartnerScope, Subscription
from adapters.courts.render import SCHEMA as NOTICE_SCHEMA
from adapters.courts.render import render_custody_notice
from adapters.courts.translate import INBOUND
from adapters.policy_file import package_policy
from core_records.events import COURT_HEARING_LISTED

NAME = "courts"

POLICY = package_policy(__file__)
"""What the courts may see (``policy.toml``)."""

adapter = Adapter(
    name=NAME,
    partner="Courts (court case management)",
    partners={"courts": PartnerScope("courts", NAME)},
    inbound=INBOUND,
    subscriptions={
        COURT_HEARING_LISTED: Subscription(
            COURT_HEARING_LISTED, render_custody_notice, NOTICE_SCHEMA
        )
    },
    policy=POLICY,
    delivery="http",
    delivery_content_type="application/xml",
    transports=("http",),
)

__all__ = ["NAME", "POLICY", "adapter"]
