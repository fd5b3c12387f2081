"""The adapters this hub runs, found through the entry-point group ``gatehouse.adapters``.

A partner package registers its adapter in its own ``pyproject.toml``::

    [project.entry-points."gatehouse.adapters"]
    delius = "adapters.delius:adapter"

so that adding a partner never touches the core. The registry refuses two adapters with one
name, and one partner identity claimed by two adapters: credentials are issued to partner
identities, and each must lead to exactly one scope.

    AdapterRegistryError
    ├── DuplicateAdapter   two adapters claim one name or one partner identity
    ├── UnknownAdapter     no adapter has the name asked for
    └── UnknownPartner     no adapter serves the partner identity asked for
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from importlib.metadata import entry_points
from types import MappingProxyType

from adapters.base import Adapter, PartnerScope, is_security_event_type

ENTRY_POINT_GROUP = "gatehouse.adapters"


class AdapterRegistryError(Exception):
    """The set of adapters is misconfigured, or a lookup named something it does not hold."""


class DuplicateAdapter(AdapterRegistryError):
    """Two adapters claim one name, or one partner identity."""


class UnknownAdapter(AdapterRegistryError, LookupError):
    """No adapter has the name asked for."""


class UnknownPartner(AdapterRegistryError, LookupError):
    """No adapter serves the partner identity asked for."""


def _check_unique(adapters: Iterable[tuple[str, Adapter]]) -> dict[str, Adapter]:
    by_name: dict[str, Adapter] = {}
    sources: dict[str, str] = {}
    partner_owner: dict[str, str] = {}
    for source, adapter in adapters:
        if not isinstance(adapter, Adapter):
            raise AdapterRegistryError(
                f"{source} is a {type(adapter).__name__}, not an adapters.base.Adapter"
            )
        if adapter.name in by_name:
            raise DuplicateAdapter(
                f"two adapters are named {adapter.name!r}: {sources[adapter.name]} and {source}"
            )
        for partner, scope in adapter.partners.items():
            if (scope.partner, scope.adapter) != (partner, adapter.name):
                raise AdapterRegistryError(
                    f"the {adapter.name!r} adapter lists partner {partner!r} with the scope of"
                    f" partner {scope.partner!r} of adapter {scope.adapter!r}"
                )
            if partner in partner_owner:
                raise DuplicateAdapter(
                    f"the partner {partner!r} is claimed by both the {partner_owner[partner]!r}"
                    f" and the {adapter.name!r} adapters"
                )
            partner_owner[partner] = adapter.name
        # The policy already withholds these; refusing the adapter outright makes the
        # mistake loud at start-up instead of a silent gap in what the partner gets.
        classified = sorted(
            t
            for t in {*adapter.subscriptions, *adapter.policy.event_types}
            if is_security_event_type(t)
        )
        if classified and not adapter.policy.security_cleared:
            raise AdapterRegistryError(
                f"the {adapter.name!r} adapter ({source}) asks for security-classified events"
                f" ({', '.join(classified)}), which only a security-cleared partner may"
                " receive (security_cleared = true in its policy.toml)"
            )
        by_name[adapter.name] = adapter
        sources[adapter.name] = source
    return by_name


def load_adapters() -> dict[str, Adapter]:
    """Every adapter registered in the ``gatehouse.adapters`` entry-point group, by name."""
    found = []
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        source = f"entry point {entry_point.name!r} ({entry_point.value})"
        found.append((source, entry_point.load()))
    return _check_unique(found)


class AdapterRegistry:
    """The adapters of one hub, looked up by adapter name or by partner identity."""

    def __init__(self, adapters: Mapping[str, Adapter] | Iterable[Adapter]) -> None:
        values = adapters.values() if isinstance(adapters, Mapping) else adapters
        self._adapters = _check_unique((f"adapter {a.name!r}", a) for a in values)
        self._scopes = {
            partner: scope
            for adapter in self._adapters.values()
            for partner, scope in adapter.partners.items()
        }

    @classmethod
    def from_entry_points(cls) -> AdapterRegistry:
        """The registry of every adapter installed in the ``gatehouse.adapters`` group."""
        return cls(load_adapters())

    @property
    def adapters(self) -> Mapping[str, Adapter]:
        """Every adapter, by name (read-only)."""
        return MappingProxyType(self._adapters)

    def __iter__(self) -> Iterator[Adapter]:
        return iter(self._adapters[name] for name in sorted(self._adapters))

    def __len__(self) -> int:
        return len(self._adapters)

    def adapter(self, name: str) -> Adapter:
        """The adapter called ``name``."""
        try:
            return self._adapters[name]
        except KeyError:
            known = ", ".join(sorted(self._adapters)) or "none"
            raise UnknownAdapter(f"no adapter is called {name!r} (known: {known})") from None

    def scope_for_partner(self, partner: str) -> PartnerScope:
        """The scope of the partner identity ``partner`` (the name its credentials carry)."""
        try:
            return self._scopes[partner]
        except KeyError:
            raise UnknownPartner(f"no adapter serves a partner called {partner!r}") from None

    def subscriptions(self) -> dict[str, list[str]]:
        """Adapter name to the event types it subscribes to, for
        ``routing.topology.build_topology``; adapters that subscribe to nothing are left out.
        """
        return {
            adapter.name: sorted(adapter.subscriptions) for adapter in self if adapter.subscriptions
        }
