"""Wiring: builds the hub's parts from settings. The one place that knows every package."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial

import sqlalchemy as sa

from adapters.registry import AdapterRegistry
from adapters.transports.http import HttpDelivery
from adapters.transports.order_files import OrderFileDrop
from core_records import canteen_ledger
from core_records.credentials import PartnerCredentials
from core_records.database import create_engine
from core_records.dead_letters import DeadLetterStore
from core_records.delivery_holds import DeliveryHolds
from core_records.journal import Journal
from core_records.migrate import upgrade
from core_records.store import RecordStore
from gatehouse.settings import Settings
from routing.dead_letters import DeadLetterKeeper
from routing.delivery import DeliveryWorker
from routing.embedded import EmbeddedTransport
from routing.inbound import publish_inbound_batch
from routing.ingest import IngestWorker
from routing.rabbitmq import RabbitTransport
from routing.relay import OutboxRelay
from routing.topology import Topology, build_topology
from routing.transport import Transport
from routing.worker import Loop

log = logging.getLogger(__name__)

ROLES = ("ingest", "relay", "delivery", "dead-letters")
ROLES += ("sftp",)  # polls each inbound SFTP interface (gatehouse.file_interfaces)
OPTIONAL_ROLES = ("canteen-files",)
"""Roles run only when asked for by name, and only where configured."""


class ConfigurationError(Exception):
    """The settings do not describe a hub that can run; the message says what to set."""


@dataclass
class Hub:
    settings: Settings
    engine: sa.Engine
    registry: AdapterRegistry
    topology: Topology
    transport: Transport
    store: RecordStore = field(init=False)
    journal: Journal = field(init=False)
    dead_letters: DeadLetterStore = field(init=False)
    credentials: PartnerCredentials = field(init=False)
    holds: DeliveryHolds = field(init=False)

    def __post_init__(self) -> None:
        self.store = RecordStore(self.engine)
        self.journal = Journal(self.engine)
        self.dead_letters = DeadLetterStore(self.engine)
        self.credentials = PartnerCredentials(self.engine)
        self.holds = DeliveryHolds(self.engine)

    def close(self) -> None:
        self.transport.close()
        self.engine.dispose()


def build_transport(settings: Settings) -> Transport:
    if settings.broker_url:
        if not settings.broker_url.startswith(("amqp://", "amqps://")):
            raise ConfigurationError(
                "GATEHOUSE_BROKER_URL must be an amqp:// or amqps:// URL, "
                f"not {settings.broker_url!r}"
            )
        return RabbitTransport(
            settings.broker_url, connection_name=f"gatehouse:{settings.namespace}"
        )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return EmbeddedTransport(settings.embedded_queue_path)


def build_hub(settings: Settings | None = None, *, migrate: bool = False) -> Hub:
    """Connect to the store and the broker and declare the topology.

    ``migrate`` upgrades the store's schema first: right for the embedded default and the
    demo; a production deployment runs ``gatehouse db upgrade`` once instead.
    """
    settings = settings or Settings()
    if settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    if migrate:
        upgrade(settings.store_url)
    registry = AdapterRegistry.from_entry_points()
    topology = build_topology(
        registry.subscriptions(),
        namespace=settings.namespace,
        delay_tiers_ms=settings.delay_tiers_ms,
    )
    transport = build_transport(settings)
    transport.declare(topology)
    return Hub(
        settings=settings,
        engine=create_engine(settings.store_url),
        registry=registry,
        topology=topology,
        transport=transport,
    )


def build_loops(hub: Hub, roles: Iterable[str] = ROLES) -> list[Loop]:
    """The worker loops for the given roles."""
    settings = hub.settings
    roles = list(roles)
    unknown = sorted(set(roles) - set(ROLES) - set(OPTIONAL_ROLES))
    if unknown:
        raise ConfigurationError(
            f"unknown worker role {', '.join(unknown)}; roles are "
            f"{', '.join(ROLES + OPTIONAL_ROLES)}"
        )
    loops: list[Loop] = []
    if "ingest" in roles:
        loops.append(
            IngestWorker(
                consumer=hub.transport.consumer(
                    hub.topology.ingest_queue, prefetch=settings.prefetch
                ),
                store=hub.store,
                journal=hub.journal,
                registry=hub.registry,
                retry_policy=settings.retry_policy,
                batch_size=settings.batch_size,
                max_body_bytes=settings.max_body_bytes,
            )
        )
    if "relay" in roles:
        loops.append(OutboxRelay(hub.store, hub.transport, hub.topology.events_exchange))
    if "delivery" in roles:
        for adapter in hub.registry.adapters.values():
            if not adapter.subscriptions or adapter.delivery != "http":
                continue
            url = settings.partner_urls.get(adapter.name)
            if not url:
                raise ConfigurationError(
                    f"no delivery URL for {adapter.name}: "
                    f"set GATEHOUSE_PARTNER_URLS__{adapter.name.upper()}"
                )
            delivery = HttpDelivery(
                url, timeout_s=settings.delivery_timeout_s, attempts=settings.delivery_attempts
            )
            loops.append(
                DeliveryWorker(
                    consumer=hub.transport.consumer(
                        hub.topology.outbound_queue(adapter.name), prefetch=settings.prefetch
                    ),
                    adapter=adapter,
                    delivery=delivery,
                    holds=hub.holds,
                    retry_policy=settings.retry_policy,
                    batch_size=settings.batch_size,
                    lanes=settings.delivery_lanes,
                )
            )
    if "dead-letters" in roles:
        loops.append(
            DeadLetterKeeper(
                consumer=hub.transport.consumer(hub.topology.dead_letter_queue, prefetch=100),
                dead_letters=hub.dead_letters,
            )
        )
    if "sftp" in roles:
        from gatehouse.file_interfaces import sftp_pollers

        loops.extend(sftp_pollers(hub))
    if "canteen-files" in roles:
        loops.append(canteen_file_drop(hub))
    return loops


def canteen_file_drop(hub: Hub) -> OrderFileDrop:
    """The canteen order-file drop on ``settings.canteen_drop_dir``."""
    root = hub.settings.canteen_drop_dir
    if root is None:
        raise ConfigurationError(
            "the canteen-files role needs a drop directory: set GATEHOUSE_CANTEEN_DROP_DIR"
        )
    return OrderFileDrop(
        root=root,
        publish=partial(publish_inbound_batch, hub.transport, hub.topology),
        outcomes=partial(canteen_ledger.order_file_outcomes, hub.engine),
        decided=partial(canteen_ledger.order_file_decided, hub.engine),
        require_prison=lambda code: hub.store.reference_data.require_prison(code),
        record_hops=hub.journal.record,
    )
