"""The OASys (offender assessment) adapter, in Gatehouse's own format (see README.md).

Inbound: assessment summaries, which become risk records and RoSH alerts (ROM, ROH, ROV).
Outbound: receptions, discharges, sentence dates and imprisonment status, to keep
assessments current; prison merges and unmerges, so that assessments follow the surviving
prison number.
"""

from __future__ import annotations

from adapters.base import MESSAGE_REFERENCE, Adapter, InboundType, PartnerScope, Subscription
from adapters.oasys.prison_merge import SCHEMA as PRISON_MERGE_SCHEMA
from adapters.oasys.prison_merge import render_prison_merge
from adapters.oasys.render import EVENT_TYPES, SCHEMA, render_offender_update
from adapters.oasys.translate import SCHEMA as ASSESSMENT_SCHEMA
from adapters.oasys.translate import translate_assessment
from adapters.policy_file import package_policy
from core_records.events import PRISONER_MERGED, PRISONER_UNMERGED

NAME = "oasys"

adapter = Adapter(
    name=NAME,
    partner="OASys (offender assessment system)",
    partners={"oasys": PartnerScope("oasys", NAME)},
    inbound={
        "assessment": InboundType(
            "assessment", ASSESSMENT_SCHEMA, translate_assessment, reference_at=MESSAGE_REFERENCE
        )
    },
    subscriptions={
        **{
            event_type: Subscription(event_type, render_offender_update, SCHEMA)
            for event_type in EVENT_TYPES
        },
        **{
            event_type: Subscription(event_type, render_prison_merge, PRISON_MERGE_SCHEMA)
            for event_type in (PRISONER_MERGED, PRISONER_UNMERGED)
        },
    },
    policy=package_policy(__file__),
    delivery="http",
    delivery_content_type="application/xml",
    transports=("http",),
)

__all__ = ["NAME", "adapter"]
