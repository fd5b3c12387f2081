"""The estate gate's decisions that need no store: which prison a legacy partner speaks
for, and the reason a live prison's legacy message is refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.base import PartnerScope
from core_records.errors import NotPermitted
from core_records.estate import EstablishmentState
from routing.estate_gate import LEGACY_FEEDS, establishment_of, refused_because


def test_the_legacy_system_s_partner_names_the_prison_its_messages_come_from() -> None:
    scope = PartnerScope("lids-lei", "lids", frozenset({"LEI"}))

    assert "lids" in LEGACY_FEEDS
    assert establishment_of("lids", scope, LEGACY_FEEDS) == "LEI"


def test_other_adapters_pass_the_gate_untouched() -> None:
    scope = PartnerScope("serco", "private_prisons", frozenset({"DNI", "ASI"}))

    assert establishment_of("private_prisons", scope, LEGACY_FEEDS) is None


def test_a_legacy_partner_speaking_for_several_prisons_is_not_permitted() -> None:
    scope = PartnerScope("lids-north", "lids", frozenset({"LEI", "MHI"}))

    with pytest.raises(NotPermitted, match="exactly one prison"):
        establishment_of("lids", scope, LEGACY_FEEDS)


def test_the_refusal_says_since_when_the_prison_is_live_and_where_to_record_instead() -> None:
    state = EstablishmentState("LEI", "Leeds", "live", datetime(2025, 3, 3, 9, tzinfo=UTC), "ann")

    assert refused_because(state) == (
        "LEI (Leeds) is live on the case-management system since 2025-03-03T09:00:00+00:00:"
        " its legacy (LIDS) feed is refused; record its movements through"
        " /api/v1/establishments/LEI/movements"
    )
