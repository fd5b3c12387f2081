"""Properties: no outbound event ever carries an identifier or a detail outside the
receiving partner's sharing policy, whatever the event and the policy."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from adapters.base import SharingPolicy
from adapters.delius import adapter as delius
from core_records.events import PRISONER_RECEIVED, CanonicalEvent
from core_records.identifiers import Identifier

TYPES = ("NOMS", "PNC", "CRO", "CRN", "LOCAL", "NINO", "BOOKING")
KEYS = ("nomsNumber", "prisonId", "reason", "movementReasonCode", "alerts", "riskLevel", "cell")

identifiers = st.lists(
    st.builds(Identifier, st.sampled_from(TYPES), st.from_regex(r"[A-Z][0-9]{6}", fullmatch=True)),
    max_size=6,
)
information = st.dictionaries(st.sampled_from(KEYS), st.text(min_size=1, max_size=12), max_size=7)
policies = st.builds(
    SharingPolicy,
    st.just(frozenset({PRISONER_RECEIVED})),
    st.frozensets(st.sampled_from(TYPES)),
    st.frozensets(st.sampled_from(KEYS)),
)


def _event(ids: list[Identifier], info: dict[str, str]) -> CanonicalEvent:
    return CanonicalEvent(PRISONER_RECEIVED, datetime(2025, 3, 3, tzinfo=UTC), tuple(ids), info)


@given(identifiers, information, policies)
def test_a_policy_never_lets_through_an_identifier_or_detail_it_does_not_name(
    ids: list[Identifier], info: dict[str, str], policy: SharingPolicy
) -> None:
    shared = policy.apply(_event(ids, info))
    assert {i.type for i in shared.person_identifiers} <= policy.identifier_types
    assert set(shared.additional_information) <= policy.information_keys
    # Nothing allowed is lost either.
    assert {k for k in info if k in policy.information_keys} == set(shared.additional_information)


@given(
    st.text(alphabet="QZXJ", min_size=8, max_size=8),
    st.sampled_from(["alerts", "riskLevel", "cell"]),
)
def test_delius_documents_never_carry_a_detail_outside_its_policy(secret: str, key: str) -> None:
    event = _event(
        [Identifier("NOMS", "A1234BC"), Identifier("NINO", f"N{secret}")],
        {
            "nomsNumber": "A1234BC",
            "prisonId": "LEI",
            "reason": "NEW_ADMISSION",
            "movementReasonCode": "N",
            key: f"SECRET{secret}",
        },
    )
    document = delius.render(event)
    assert document is not None
    assert secret.encode() not in document
