"""AMQP topic matching, as a RabbitMQ topic exchange does it, for the embedded transport.

A routing key and a binding pattern are words separated by dots. In a pattern, ``*`` stands
for exactly one word and ``#`` for zero or more words: ``prisoner.*`` matches
``prisoner.received`` but not ``prisoner.alert.added``; ``prisoner.#`` matches both, and
``prisoner`` itself.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=8192)
def topic_matches(pattern: str, routing_key: str) -> bool:
    """Whether a message with ``routing_key`` is routed by a binding with ``pattern``."""
    return _words_match(_words(pattern), _words(routing_key))


def _words(dotted: str) -> tuple[str, ...]:
    # RabbitMQ reads an empty key as no words at all, but "a..b" as three, one of them empty.
    return tuple(dotted.split(".")) if dotted else ()


def _words_match(pattern: tuple[str, ...], words: tuple[str, ...]) -> bool:
    # matched[j] is True when the pattern so far matches the first j words; a row per pattern
    # word keeps this linear in the key's length for every pattern word, with no recursion.
    matched = [True] + [False] * len(words)
    for part in pattern:
        if part == "#":
            # '#' extends any match so far by any number of words.
            for j in range(1, len(words) + 1):
                matched[j] = matched[j] or matched[j - 1]
        else:
            matched = [False] + [
                matched[j - 1] and (part == "*" or part == words[j - 1])
                for j in range(1, len(words) + 1)
            ]
    return matched[len(words)]
