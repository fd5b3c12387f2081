"""Wiring of interface control: pausable delivery workers, the dead-letter retry scheduler,
and the checks the CLI, the admin API and the dashboard share (which interfaces exist and
may be paused)."""

from __future__ import annotations

import socket
import uuid
from functools import partial

from core_records.bookkeeping.interface_control import InterfaceControl, RetrySchedule
from gatehouse.bootstrap import Hub
from routing.dead_letter_schedule import DeadLetterRetryScheduler
from routing.delivery import DeliveryWorker
from routing.interface_pause import PausableDelivery
from routing.worker import Loop

RETRY_LEASE = "dead-letter-retry"


class UnknownInterface(LookupError):
    """No interface has that name, or it cannot be paused (only outbound ones can)."""


def interface_names(hub: Hub) -> list[str]:
    """Every interface, as ``adapter.direction``."""
    names = []
    for name, adapter in sorted(hub.registry.adapters.items()):
        if adapter.inbound:
            names.append(f"{name}.inbound")
        if adapter.subscriptions:
            names.append(f"{name}.outbound")
    return names


def known_interface(hub: Hub, interface: str, *, to_pause: bool = False) -> str:
    """``interface`` if it exists (and, ``to_pause``, is outbound); else UnknownInterface."""
    names = interface_names(hub)
    if interface not in names:
        raise UnknownInterface(f"no interface {interface}; interfaces are {', '.join(names)}")
    if to_pause and not interface.endswith(".outbound"):
        raise UnknownInterface(
            f"{interface} cannot be paused: only an outbound interface's deliveries can wait"
        )
    return interface


def default_retry_schedule(hub: Hub) -> RetrySchedule:
    settings = hub.settings
    return RetrySchedule(settings.dead_letter_retry_interval_s, settings.dead_letter_retry_max)


def pausable(hub: Hub, loop: Loop) -> Loop:
    """A delivery worker that stops while its interface is paused (other loops as they are)."""
    if not isinstance(loop, DeliveryWorker):
        return loop
    control = InterfaceControl(hub.engine)
    interface = f"{loop.adapter.name}.outbound"
    queue = hub.topology.outbound_queue(loop.adapter.name)
    return PausableDelivery(
        loop,
        is_paused=lambda: control.paused(interface) is not None,
        reopen=lambda: hub.transport.consumer(queue, prefetch=hub.settings.prefetch),
        check_every_s=hub.settings.interface_pause_check_s,
    )


def dead_letter_retry_scheduler(hub: Hub) -> DeadLetterRetryScheduler:
    owner = f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}"
    check_s = hub.settings.dead_letter_retry_check_s
    ttl_s = max(60.0, 3 * check_s)
    return DeadLetterRetryScheduler(
        dead_letters=hub.dead_letters,
        control=InterfaceControl(hub.engine),
        transport=hub.transport,
        default=default_retry_schedule(hub),
        claim_lease=partial(hub.store.claim_lease, RETRY_LEASE, owner, ttl_s),
        release_lease=partial(hub.store.release_lease, RETRY_LEASE, owner),
        backoff_s=check_s,
    )
