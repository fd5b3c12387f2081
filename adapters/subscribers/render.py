"""A subscriber's outbound side: the events its patterns match, as the canonical envelope.

Patterns match event types as topic bindings do: dotted words, ``*`` one word, ``#`` any
number (``prisoner.*`` matches ``prisoner.received`` but not
``prisoner.non-association.created``; ``prisoner.#`` matches both). The queue's bindings
select the same events on the broker; the adapter checks again so that a stale binding
cannot send an event the subscriber did not ask for.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from adapters.base import CanonicalEvent, Subscription
from schemas.catalogue import event_types


def render_envelope(event: CanonicalEvent) -> bytes:
    """The canonical JSON envelope, as it is (already cut down by the policy)."""
    return event.to_json()


def pattern_matches(pattern: str, event_type: str) -> bool:
    return _words_match(pattern.split("."), event_type.split("."))


def _words_match(pattern: Sequence[str], words: Sequence[str]) -> bool:
    if not pattern:
        return not words
    head, rest = pattern[0], pattern[1:]
    if head == "#":
        return any(_words_match(rest, words[i:]) for i in range(len(words) + 1))
    if not words:
        return False
    return (head in ("*", words[0])) and _words_match(rest, words[1:])


class PatternSubscriptions(Mapping[str, Subscription]):
    """The subscriptions of a subscriber: every event type its patterns match, including
    types added to the catalogue after the subscriber was."""

    def __init__(self, patterns: Sequence[str]) -> None:
        self.patterns = tuple(patterns)

    def matches(self, event_type: str) -> bool:
        return any(pattern_matches(p, event_type) for p in self.patterns)

    def __getitem__(self, event_type: str) -> Subscription:
        if not self.matches(event_type):
            raise KeyError(event_type)
        return Subscription(event_type, render_envelope)

    def __iter__(self) -> Iterator[str]:
        return iter(t for t in event_types() if self.matches(t))

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, event_type: object) -> bool:
        return isinstance(event_type, str) and self.matches(event_type)
