"""AMQP topic matching, as the embedded transport routes: ``*`` one word, ``#`` any number.

The edge cases (the empty key has no words, ``a..b`` has an empty one) were checked against
RabbitMQ 3.10 by binding each pattern to a queue and publishing each key."""

from __future__ import annotations

import pytest

from routing.embedded.topic_matching import topic_matches


@pytest.mark.parametrize(
    ("pattern", "routing_key"),
    [
        ("prisoner.received", "prisoner.received"),
        ("prisoner.*", "prisoner.received"),
        ("*.received", "prisoner.received"),
        ("*.*", "prisoner.received"),
        ("#", "prisoner.received"),
        ("#", "prisoner"),
        ("#", ""),
        ("prisoner.#", "prisoner"),
        ("prisoner.#", "prisoner.received"),
        ("prisoner.#", "prisoner.alert.added"),
        ("#.added", "prisoner.alert.added"),
        ("#.added", "added"),
        ("prisoner.#.added", "prisoner.added"),
        ("prisoner.#.added", "prisoner.alert.sensitive.added"),
        ("#.alert.#", "prisoner.alert.added"),
        ("*.#", "prisoner"),
        ("#.*", "prisoner.received"),
        ("pnc.*.#", "pnc.arrest.summons.issued"),
        ("a.*.b", "a..b"),
    ],
)
def test_a_pattern_routes_the_routing_keys_it_matches(pattern: str, routing_key: str) -> None:
    assert topic_matches(pattern, routing_key)


@pytest.mark.parametrize(
    ("pattern", "routing_key"),
    [
        ("prisoner.received", "prisoner.released"),
        ("prisoner.received", "prisoner.received.late"),
        ("prisoner.*", "prisoner"),
        ("prisoner.*", "prisoner.alert.added"),
        ("*", "prisoner.received"),
        ("*.*", "prisoner"),
        ("prisoner.#", "probation.prisoner"),
        ("#.added", "prisoner.alert.removed"),
        ("prisoner.#.added", "prisoner.alert.removed"),
        ("*.#", ""),
        ("*", ""),
        ("#.*", ""),
        ("received", "prisoner.received"),
        ("prisoner", "prisoner.received"),
    ],
)
def test_a_pattern_does_not_route_other_keys(pattern: str, routing_key: str) -> None:
    assert not topic_matches(pattern, routing_key)
