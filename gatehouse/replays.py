"""Wiring of replays and resends: the runner built from a hub, with each adapter's partner
deliveries made as the delivery worker role makes them (``gatehouse.worker_loops``)."""

from __future__ import annotations

from adapters.base import EVERYONE, Adapter
from adapters.transports.http import HttpDelivery
from core_records.bookkeeping.interface_control import InterfaceControl
from core_records.bookkeeping.message_history import MessageHistory
from core_records.bookkeeping.replays import ReplayRuns
from gatehouse.bootstrap import ConfigurationError, Hub
from routing.partner_amqp import AmqpPartnerDelivery
from routing.replay import PartnerDeliveries, ReplayRunner, StoredDocument


def replay_runner(hub: Hub) -> ReplayRunner:
    """The runner of ``hub``'s replay runs: the ``replays`` worker role, and the CLI."""
    control = InterfaceControl(hub.engine)
    return ReplayRunner(
        runs=ReplayRuns(hub.engine),
        adapters=hub.registry.adapters,
        deliveries=lambda adapter: partner_deliveries(hub, adapter),
        stored_document=stored_documents(hub),
        paused=lambda adapter: control.paused(f"{adapter}.outbound") is not None,
    )


def stored_documents(hub: Hub) -> StoredDocument:
    """The bytes last sent for an event on an adapter's outbound interface, as the message
    history kept them (checked against their hash), or None when none was kept."""
    history = MessageHistory(hub.engine)

    def read(event_id: str, adapter: str) -> bytes | None:
        kept = [
            d
            for d in history.documents_for(message_id=event_id)
            if d.interface == f"{adapter}.outbound" and d.direction == "outbound"
        ]
        return history.read_document(kept[-1].id) if kept else None

    return read


def partner_deliveries(hub: Hub, adapter: Adapter) -> PartnerDeliveries:
    """How ``adapter``'s documents reach its partners, from the settings."""
    settings = hub.settings
    if adapter.delivery == "amqp":
        return PartnerDeliveries(
            delivery=AmqpPartnerDelivery(
                hub.transport,
                adapter.name,
                settings.namespace,
                expects_replies=bool(adapter.inbound),
            )
        )
    if adapter.delivery != "http":
        raise ConfigurationError(f"{adapter.name} delivers nothing to replay")

    def http(name: str) -> HttpDelivery | None:
        url = settings.partner_urls.get(name)
        if not url:
            return None
        return HttpDelivery(
            url,
            timeout_s=settings.delivery_timeout_s,
            attempts=settings.delivery_attempts,
            tls=settings.partner_tls.get(name),
        )

    if adapter.policy.rows == EVERYONE:
        delivery = http(adapter.name)
        if delivery is None:
            raise ConfigurationError(
                f"no delivery URL for {adapter.name}: set"
                f" GATEHOUSE_PARTNER_URLS__{adapter.name.upper()}"
            )
        return PartnerDeliveries(delivery=delivery)
    by_partner = {p: d for p in sorted(adapter.partners) if (d := http(p)) is not None}
    return PartnerDeliveries(by_partner=by_partner)
