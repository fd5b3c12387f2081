"""Event subscribers: any partner receives the canonical JSON envelope as it is, over HTTP,
signed per Standard Webhooks, with no code of its own (see README.md, "Subscribing to
events").

Subscribers are rows in the store (``gatehouse subscribers add``), not packages: this
adapter declares their default sharing policy (``policy.toml``), and ``for_subscriber``
makes the adapter one subscriber's deliveries run through, named ``subscribers.<name>``,
with its own queue, journal hops and dashboard interface. The registered ``subscribers``
adapter itself subscribes to nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from adapters.base import Adapter, PartnerScope, SharingPolicy
from adapters.policy_file import PolicyFileError, package_policy, parse_policy
from adapters.subscribers.render import PatternSubscriptions

NAME = "subscribers"
PREFIX = f"{NAME}."

POLICY = package_policy(__file__)
"""What a subscriber may see unless it has a policy of its own (``policy.toml``)."""

adapter = Adapter(
    name=NAME,
    partner="Event subscribers (any partner, the canonical envelope)",
    partners={},
    policy=POLICY,
    delivery="http",
    delivery_content_type="application/json",
    transports=("http",),
)


def adapter_name(subscriber: str) -> str:
    """The adapter (and interface, and queue suffix) one subscriber's deliveries run as."""
    return PREFIX + subscriber


def subscriber_policy(name: str, policy: dict[str, Any] | None) -> SharingPolicy:
    """A subscriber's own policy (a policy.toml's keys), or the default one; never
    security-cleared: security events go to the security application alone."""
    if policy is None:
        return POLICY
    parsed = parse_policy(policy, Path(f"the policy of subscriber {name}"))
    if parsed.security_cleared:
        raise PolicyFileError(
            f"the policy of subscriber {name}: a subscriber cannot be security-cleared"
        )
    return parsed


def for_subscriber(name: str, patterns: tuple[str, ...], policy: dict[str, Any] | None) -> Adapter:
    """The adapter one subscriber's deliveries run through: the events its patterns match
    and its policy allows, each as the canonical envelope."""
    full = adapter_name(name)
    return Adapter(
        name=full,
        partner=f"Event subscriber {name}",
        partners={full: PartnerScope(full, full)},
        subscriptions=PatternSubscriptions(patterns),
        policy=subscriber_policy(name, policy),
        delivery="http",
        delivery_content_type="application/json",
        transports=("http",),
    )


__all__ = ["NAME", "POLICY", "adapter", "adapter_name", "for_subscriber", "subscriber_policy"]
