"""The case-management adapter: what staff at a live prison record (movements, incentive
reviews, credits, alerts), posted as JSON to ``/api/v1/establishments/{code}/...``
(``gatehouse/api/case_management.py``) and published on the inbound path like any partner's
message, so it meets the same ingest, identity matching and sharing policies.

Each public prison's staff application is a partner of its own (``case-management-lei``
for LEI), scoped to that prison, as each prison's kiosks are: a token issued to it may post
for that prison only. Contracted prisons record through their operators' systems instead.
"""

from __future__ import annotations

from adapters.base import JSON, Adapter, InboundType, PartnerScope, Translator
from adapters.case_management.translate import (
    translate_alert,
    translate_credit,
    translate_incentive_review,
    translate_movement,
)
from adapters.policy_file import package_policy
from core_records.custody.reference_data import PRISON, ReferenceData

NAME = "case_management"
PARTNER_PREFIX = "case-management-"

RESOURCES = {
    "movements": "movement",
    "incentive-reviews": "incentive-review",
    "credits": "credit",
    "alerts": "alert",
}
"""The API's resource under ``/api/v1/establishments/{code}/`` to its message type."""


def partner_for(establishment: str) -> str:
    """The staff application of ``establishment`` (``LEI``: ``case-management-lei``)."""
    return f"{PARTNER_PREFIX}{establishment.lower()}"


def partner_scopes() -> dict[str, PartnerScope]:
    """One partner per public prison, scoped to that prison."""
    agencies = ReferenceData.from_files().agencies.values()
    return {
        partner_for(a.code): PartnerScope(partner_for(a.code), NAME, frozenset({a.code}))
        for a in sorted(agencies, key=lambda a: a.code)
        if a.agency_type == PRISON and not a.contracted
    }


def _json(message_type: str, translate: Translator) -> InboundType:
    return InboundType(
        message_type,
        f"case_management/{message_type}-v1.schema.json",
        translate,
        JSON,
        reference_at="reference",
    )


adapter = Adapter(
    name=NAME,
    partner="Case management at live prisons",
    partners=partner_scopes(),
    inbound={
        "movement": _json("movement", translate_movement),
        "incentive-review": _json("incentive-review", translate_incentive_review),
        "credit": _json("credit", translate_credit),
        "alert": _json("alert", translate_alert),
    },
    policy=package_policy(__file__),
    transports=("http",),
)

__all__ = ["NAME", "RESOURCES", "adapter", "partner_for", "partner_scopes"]
