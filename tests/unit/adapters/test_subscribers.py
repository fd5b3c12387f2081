"""The subscribers adapter: pattern matching, Standard Webhooks signatures, policies."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from adapters.policy_file import PolicyFileError
from adapters.subscribers import POLICY, for_subscriber
from adapters.subscribers.render import pattern_matches
from adapters.subscribers.signing import SignedDelivery, signature
from core_records.events import person_event
from core_records.identifiers import BOOKING, NOMS, Identifier


@pytest.mark.parametrize(
    ("pattern", "event_type", "matches"),
    [
        ("prisoner.*", "prisoner.received", True),
        ("prisoner.*", "prisoner.non-association.created", False),
        ("prisoner.#", "prisoner.non-association.created", True),
        ("#", "canteen.transaction.applied", True),
        ("prisoner.received", "prisoner.released", False),
        ("*.received", "prisoner.received", True),
    ],
)
def test_patterns_match_as_topic_bindings_do(pattern: str, event_type: str, matches: bool) -> None:
    assert pattern_matches(pattern, event_type) is matches


def test_the_signature_is_the_standard_webhooks_one() -> None:
    # The example in the Standard Webhooks specification's reference implementations.
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    assert signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body) == expected


class Recorder:
    def __init__(self) -> None:
        self.headers: dict[str, str] = {}

    def deliver(self, body: bytes, *, content_type: str, headers: dict[str, str]) -> None:
        self.headers = dict(headers)

    def close(self) -> None: ...


def test_a_delivery_carries_one_signature_per_secret_that_signs() -> None:
    recorder = Recorder()
    secrets = ["whsec_" + "A" * 32, "whsec_" + "B" * 32]
    delivery = SignedDelivery(recorder, lambda: secrets, clock=lambda: 1_700_000_000.5)
    delivery.deliver(b"{}", content_type="application/json", headers={"X-Gatehouse-Event-Id": "e1"})
    assert recorder.headers["webhook-id"] == "e1"
    assert recorder.headers["webhook-timestamp"] == "1700000000"
    assert recorder.headers["webhook-signature"].split(" ") == [
        signature(s, "e1", 1_700_000_000, b"{}") for s in secrets
    ]


def _received():
    information = {"nomsNumber": "A1234BC", "prisonId": "MDI", "person": {"surname": "X"}}
    identifiers = [Identifier(NOMS, "A1234BC"), Identifier(BOOKING, "B1")]
    return person_event("prisoner.received", datetime.now(UTC), identifiers, information)


def test_a_subscriber_receives_what_its_patterns_and_the_policy_allow() -> None:
    adapter = for_subscriber("mi", ("prisoner.*",), None)
    assert adapter.policy == POLICY
    body = adapter.render(_received())
    assert body is not None
    envelope = json.loads(body)
    assert envelope["additionalInformation"] == {"nomsNumber": "A1234BC", "prisonId": "MDI"}
    assert envelope["personReference"]["identifiers"] == [{"type": "NOMS", "value": "A1234BC"}]
    # A type the patterns match but the default policy does not name.
    assert adapter.render(replace(_received(), event_type="prisoner.visit.recorded")) is None
    assert adapter.recipients(_received()) == ("subscribers.mi",)
    assert for_subscriber("mi", ("probation-case.#",), None).render(_received()) is None


def test_a_subscriber_is_never_security_cleared() -> None:
    policy = {"version": 1, "event_types": ["alert.security.raised"], "security_cleared": True}
    with pytest.raises(PolicyFileError, match="security-cleared"):
        for_subscriber("spy", ("#",), policy)
