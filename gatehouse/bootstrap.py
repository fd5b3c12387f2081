"""Wiring: the hub (settings, store, broker, topology, the adapters) built from settings.

The worker's loops are built from a hub in ``gatehouse.worker_loops``, the HTTP app in
``gatehouse.app``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa

from adapters.registry import AdapterRegistry
from core_records.bookkeeping.credentials import PartnerCredentials
from core_records.bookkeeping.dead_letters import DeadLetterStore
from core_records.bookkeeping.delivery_holds import DeliveryHolds
from core_records.bookkeeping.journal import Journal
from core_records.bookkeeping.rate_limits import RateLimiter, StoreRateLimiter
from core_records.bookkeeping.submissions import Submissions
from core_records.events import publish_detail_urls_under
from core_records.store.database import create_engine
from core_records.store.migrate import upgrade
from core_records.store.outbox import check_events_with
from core_records.store.record_store import RecordStore
from gatehouse.settings import Settings
from routing.embedded.transport import EmbeddedTransport
from routing.rabbitmq.tls import BrokerTlsError
from routing.rabbitmq.transport import RabbitTransport
from routing.topology import Topology, build_topology, partner_topology
from routing.transport import Transport
from schemas.catalogue import validate_event


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
    submissions: Submissions = field(init=False)
    _closers: list[Callable[[], None]] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        self.store = RecordStore(self.engine, self.settings.match_rules)
        self.journal = Journal(self.engine)
        self.dead_letters = DeadLetterStore(self.engine)
        self.credentials = PartnerCredentials(self.engine)
        self.holds = DeliveryHolds(self.engine, keep_documents=self.settings.keep_documents)
        self.submissions = Submissions(self.engine)

    def on_close(self, close: Callable[[], None]) -> None:
        """Close something the hub's users opened with it (the api's Redis client) when the
        hub closes, before its own transport and engine."""
        self._closers.append(close)

    def close(self) -> None:
        for close in reversed(self._closers):
            close()
        self._closers.clear()
        self.transport.close()
        self.engine.dispose()


def build_transport(settings: Settings) -> Transport:
    if settings.broker_url:
        for url in settings.broker_url.split(","):
            if not url.strip().startswith(("amqp://", "amqps://")):
                raise ConfigurationError(
                    "GATEHOUSE_BROKER_URL must be an amqp:// or amqps:// URL (or several, "
                    f"comma-separated), not {url.strip()!r}"
                )
        try:
            return RabbitTransport(
                settings.broker_url,
                connection_name=f"gatehouse:{settings.namespace}",
                tls=settings.broker_tls,
                quorum_group_size=settings.broker_quorum_group_size,
            )
        except BrokerTlsError as error:
            raise ConfigurationError(
                f"GATEHOUSE_BROKER_CA_FILE, _CERT_FILE, _KEY_FILE: {error}"
            ) from error
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return EmbeddedTransport(settings.embedded_queue_path)


def build_hub(settings: Settings | None = None, *, migrate: bool = False) -> Hub:
    """Connect to the store and the broker and declare the topology.

    ``migrate`` upgrades the store's schema first: right for the embedded default and the
    demo; a production deployment runs ``gatehouse db upgrade`` once instead.
    """
    settings = settings or Settings()
    if settings.validate_events:
        check_events_with(validate_event)
    publish_detail_urls_under(settings.detail_url_base)
    if settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    if migrate:
        upgrade(settings.store_url)
    registry = AdapterRegistry.from_entry_points()
    topology = build_topology(
        registry.subscriptions(),
        namespace=settings.namespace,
        delay_tiers_ms=settings.delay_tiers_ms,
        ingest_partitions=settings.ingest_partitions,
    )
    transport = build_transport(settings)
    try:
        transport.declare(topology)
        transport.declare(partner_topology(amqp_partners(registry), namespace=settings.namespace))
    except BaseException:
        transport.close()
        raise
    return Hub(
        settings=settings,
        engine=create_engine(settings.store_url),
        registry=registry,
        topology=topology,
        transport=transport,
    )


def rate_limiter(settings: Settings, engine: sa.Engine) -> RateLimiter:
    """Where the api processes share their rate limits: Redis where ``GATEHOUSE_REDIS_URL``
    is set, else the record store."""
    if not settings.redis_url:
        return StoreRateLimiter(engine)
    if not settings.redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigurationError(
            "GATEHOUSE_REDIS_URL must be a redis://, rediss:// or unix:// URL, "
            f"not {settings.redis_url!r}"
        )
    from gatehouse.api.redis_limiter import RedisRateLimiter

    return RedisRateLimiter.from_url(settings.redis_url, namespace=settings.namespace)


def amqp_partners(registry: AdapterRegistry) -> list[str]:
    """The adapters whose partners speak AMQP (``routing.partner_amqp``)."""
    return [adapter.name for adapter in registry if "amqp" in adapter.transports]
