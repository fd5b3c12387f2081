"""The private-prison operators' adapter: receptions, transfers and releases from the
systems of privately run prisons, in Gatehouse's own format (see README.md).

Each operator (serco, sodexo, g4s, ...) is a partner of its own, scoped to the prisons it
runs (``operators.csv``).
"""

from __future__ import annotations

from adapters.base import Adapter, InboundType, SharingPolicy
from adapters.private_prisons.messages import SCHEMAS
from adapters.private_prisons.operators import partner_scopes
from adapters.private_prisons.translate import (
    translate_reception,
    translate_release,
    translate_transfer,
)

NAME = "private_prisons"

adapter = Adapter(
    name=NAME,
    partner="Private prison operators",
    partners=partner_scopes(NAME),
    inbound={
        "reception": InboundType("reception", SCHEMAS["reception"], translate_reception),
        "transfer": InboundType("transfer", SCHEMAS["transfer"], translate_transfer),
        "release": InboundType("release", SCHEMAS["release"], translate_release),
    },
    transports=("http",),
    # The data share: operators read the people in their own prisons, without the police
    # and probation identifiers.
    policy=SharingPolicy(
        frozenset(),
        frozenset(),
        frozenset(),
        person_fields=frozenset(
            {"prisonNumber", "names", "dateOfBirth", "sex", "custodyStatus", "establishment"}
        ),
    ),
)

__all__ = ["NAME", "adapter"]
