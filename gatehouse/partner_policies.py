"""The sharing policy a partner's token reads the data share under: its adapter's, or, for
an event subscriber (``subscribers.<name>``, a row in the store), the subscriber's own,
read from the store at each use so that a change applies at the next read. And the
purposes a token of that partner may be granted: those its policy names, no others."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from adapters.base import SharingPolicy
from adapters.subscribers import PREFIX as SUBSCRIBER_PREFIX
from adapters.subscribers import subscriber_policy
from core_records.subscribers.store import SubscriberStore
from gatehouse.bootstrap import Hub


def subscriber_policies(hub: Hub) -> Callable[[str], SharingPolicy | None]:
    """The policy of the event subscriber of a name, as the store has it now; None when
    there is no such subscriber."""
    store = SubscriberStore(hub.engine, hub.settings.subscriber_secret_key)

    def policy_of(name: str) -> SharingPolicy | None:
        found = store.find(name)
        return None if found is None else subscriber_policy(found.name, found.policy)

    return policy_of


def partner_policy(hub: Hub, partner: str) -> SharingPolicy:
    """The policy ``partner`` reads under; LookupError for a partner nobody serves."""
    if partner.startswith(SUBSCRIBER_PREFIX):
        name = partner.removeprefix(SUBSCRIBER_PREFIX)
        policy = subscriber_policies(hub)(name)
        if policy is None:
            raise LookupError(f"there is no subscriber called {name!r}")
        return policy
    scope = hub.registry.scope_for_partner(partner)
    return hub.registry.adapter(scope.adapter).policy


def grantable_purposes(
    partner: str, policy: SharingPolicy, wanted: Iterable[str]
) -> frozenset[str]:
    """``wanted`` (stripped), if ``policy`` names each; ValueError naming those it does not."""
    purposes = frozenset(p.strip() for p in wanted if p.strip())
    refused = sorted(purposes - policy.purposes)
    if refused and not policy.purposes:
        raise ValueError(
            f"{partner}'s policy names no purposes, so its tokens can be granted none"
            f" ({', '.join(refused)}); add them to the policy's purposes first"
        )
    if refused:
        raise ValueError(
            f"{partner}'s policy allows reading for {', '.join(sorted(policy.purposes))};"
            f" not {', '.join(refused)}"
        )
    return purposes
