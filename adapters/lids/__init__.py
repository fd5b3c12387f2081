"""The LIDS adapter: public prisons still on their legacy Local Inmate Data System, in
Gatehouse's own format (see README.md).

Each public prison's LIDS is a partner of its own (``lids-LEI`` for Leeds), scoped to that
prison: every public prison of the reference data (``core_records/reference/
establishments.csv``, those not contracted) has one. It sends the day of its prison as XML,
a message at a time over HTTP or the day's messages in the nightly extract file
(``adapters.lids.extract``), and receives nothing.
"""

from __future__ import annotations

import csv
from importlib import resources

from adapters.base import Adapter, PartnerScope
from adapters.lids.translate import INBOUND, LIDS, establishment_of
from adapters.policy_file import package_policy

NAME = "lids"


def partner_name(prison: str) -> str:
    """The partner identity of a prison's LIDS: ``lids-LEI``."""
    return f"{NAME}-{prison}"


def public_prisons() -> tuple[str, ...]:
    """The codes of the prisons the public sector runs, sorted."""
    table = resources.files("core_records.reference").joinpath("establishments.csv")
    with table.open(encoding="utf-8", newline="") as file:
        return tuple(
            sorted(row["code"] for row in csv.DictReader(file) if row["contracted"] == "no")
        )


def partner_scopes() -> dict[str, PartnerScope]:
    """One partner per public prison's LIDS, scoped to that prison."""
    return {
        partner_name(prison): PartnerScope(partner_name(prison), NAME, frozenset({prison}))
        for prison in public_prisons()
    }


POLICY = package_policy(__file__)
"""What a LIDS may see (``policy.toml``): nothing; it only sends."""

adapter = Adapter(
    name=NAME,
    partner="Public prisons' legacy LIDS",
    partners=partner_scopes(),
    inbound=INBOUND,
    policy=POLICY,
    transports=("http", "file"),
)

__all__ = ["LIDS", "NAME", "POLICY", "adapter", "establishment_of", "partner_name",
           "partner_scopes", "public_prisons"]  # fmt: skip
