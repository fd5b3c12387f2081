"""The kiosks adapter: canteen orders and applications from people in custody, sent from
in-cell and wing kiosks as JSON (Gatehouse's own format; see README.md).

Each prison's kiosk system is a partner of its own (``sites.csv``), scoped to that prison:
it may order and apply only for its prison, and read only its own prison's people.
Kiosks read balances and order outcomes from the hub (``gatehouse/api/kiosks.py``)
rather than receive them: a kiosk asks when a person signs in.
"""

from __future__ import annotations

import csv
from pathlib import Path

from adapters.base import JSON, Adapter, InboundType, PartnerScope
from adapters.kiosks.translate import translate_application, translate_order
from adapters.policy_file import package_policy

NAME = "kiosks"
SITES_CSV = Path(__file__).with_name("sites.csv")


def partner_scopes(path: Path = SITES_CSV) -> dict[str, PartnerScope]:
    """One partner per prison's kiosk system, scoped to that prison."""
    sites: dict[str, set[str]] = {}
    with path.open(newline="", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            sites.setdefault(row["partner"].strip(), set()).add(row["establishment"].strip())
    return {
        partner: PartnerScope(partner, NAME, frozenset(prisons))
        for partner, prisons in sorted(sites.items())
    }


POLICY = package_policy(__file__)
"""What the kiosks may see (``policy.toml``): no events; what they read through the kiosk
API is a person's own balance and the outcome of their own orders and applications, for
their own prison only."""

adapter = Adapter(
    name=NAME,
    partner="In-cell and wing kiosks",
    partners=partner_scopes(),
    inbound={
        "order": InboundType(
            "order",
            "kiosks/order-v1.schema.json",
            translate_order,
            JSON,
            reference_at="orderReference",
        ),
        "application": InboundType(
            "application",
            "kiosks/application-v1.schema.json",
            translate_application,
            JSON,
            reference_at="applicationReference",
        ),
    },
    policy=POLICY,
    transports=("http",),
)

__all__ = ["NAME", "POLICY", "adapter", "partner_scopes"]
