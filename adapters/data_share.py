"""What a partner may see of a person's record through the data share: the person view
(``core_records.person_view``) cut down to the fields its policy names, for the people its
row scope covers. Pure.

A person outside the partner's rows is "not found", exactly as one not on record is: an
operator asking about someone in another operator's prison must not learn that they exist.
"""

from __future__ import annotations

from typing import Any

from adapters.base import OWN_PRISONS, Adapter, PartnerScope
from core_records.errors import NotPermitted

View = dict[str, Any]


def may_use_data_share(adapter: Adapter, scope: PartnerScope) -> None:
    """Raise ``NotPermitted`` for a partner whose policy shares no person fields."""
    if not adapter.policy.person_fields:
        raise NotPermitted(f"{scope.partner} has no access to the data share")


def shared_view(adapter: Adapter, scope: PartnerScope, view: View | None) -> View | None:
    """The fields of ``view`` the partner may see, or None ("not found")."""
    if view is None:
        return None
    if adapter.policy.rows == OWN_PRISONS and view.get("establishment") not in scope.establishments:
        return None
    return {key: value for key, value in view.items() if key in adapter.policy.person_fields}
