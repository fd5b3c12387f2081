"""The private-prison operators' adapter: receptions, transfers, releases, visits, sentences
and non-associations from the systems of privately run prisons, in Gatehouse's own format
(see README.md).

Each operator (serco, sodexo, g4s, ...) is a partner of its own, scoped to the prisons it
runs (``operators.csv``), and receives custody notices about those prisons alone: the
row scope of its sharing policy, decided centrally in delivery.
"""

from __future__ import annotations

from adapters.base import Adapter, Subscription
from adapters.policy_file import package_policy
from adapters.private_prisons.operators import partner_scopes
from adapters.private_prisons.person_update import SCHEMA as UPDATE_SCHEMA
from adapters.private_prisons.person_update import render_person_update
from adapters.private_prisons.render import SCHEMA as NOTICE_SCHEMA
from adapters.private_prisons.render import render_custody_notice
from adapters.private_prisons.translate import INBOUND
from core_records.events import PRISONER_RECEIVED, PRISONER_RELEASED, PRISONER_UPDATED

NAME = "private_prisons"

POLICY = package_policy(__file__)
"""Each operator receives custody notices, and person updates (new names, a corrected date of
birth), for its own prisons only (``policy.toml``)."""

adapter = Adapter(
    name=NAME,
    partner="Private prison operators",
    partners=partner_scopes(NAME),
    inbound=INBOUND,
    subscriptions={
        **{
            event_type: Subscription(event_type, render_custody_notice, NOTICE_SCHEMA)
            for event_type in (PRISONER_RECEIVED, PRISONER_RELEASED)
        },
        PRISONER_UPDATED: Subscription(PRISONER_UPDATED, render_person_update, UPDATE_SCHEMA),
    },
    policy=POLICY,
    delivery="http",
    transports=("http",),
)

__all__ = ["NAME", "POLICY", "adapter"]
