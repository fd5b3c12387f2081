"""The worker's loops, one set per role: what ``gatehouse worker --role ...`` runs.

ingest         the inbound queue into the store, and each AMQP partner's inbound queue
relay          the outbox to the events exchange
delivery       each partner's outbound queue to the partner (HTTP or AMQP)
dead-letters   the dead-letter queue into the store, for the dashboard and replay, and
               the scheduled retry of dead letters
monitor        the health watch and its alerts, the submissions' retention, and the
               movement-delivery summary of the business figures
sftp           each inbound SFTP interface's poller
replays        replays and resends a service manager asked for, at their bounded rate
retention      prunes the journal, stored documents and data-share audit past their periods
canteen-files  the canteen order-file drop (only when asked for, and configured)
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from functools import partial

from adapters.base import OWN_PRISONS, Adapter
from adapters.transports.http import HttpDelivery
from core_records.bookkeeping.movement_deliveries import (
    MovementDeliveries,
    MovementDeliveryWatch,
)
from core_records.bookkeeping.submissions import SubmissionRetention
from core_records.canteen import ledger as canteen_ledger
from core_records.subscribers.store import SubscriberStore
from gatehouse.bootstrap import ConfigurationError, Hub, amqp_partners
from gatehouse.file_interfaces import sftp_pollers
from gatehouse.information_governance import retention_loop
from gatehouse.interface_control import dead_letter_retry_scheduler, pausable
from gatehouse.replays import replay_runner
from gatehouse.service_monitoring import build_health_watch
from routing.dead_letters import DeadLetterKeeper
from routing.delivery import DeliveryWorker
from routing.estate_gate import EstateGate
from routing.file_interfaces.order_file_drop import OrderFileDrop
from routing.inbound import publish_inbound_batch
from routing.ingest import IngestWorker
from routing.ingest_partitions import PartitionedConsumer, PartitionShare
from routing.partner_amqp import AmqpPartnerDelivery, AmqpPartnerListener
from routing.relay import OutboxRelay
from routing.subscriber_deliveries import SubscriberDeliveries
from routing.topology import partner_inbound_queue_name
from routing.transport import Consumer
from routing.worker import Loop

log = logging.getLogger(__name__)

ROLES = ("ingest", "relay", "delivery", "dead-letters", "monitor", "sftp", "replays", "retention")
"""The roles a worker runs when none is named."""
OPTIONAL_ROLES = ("canteen-files",)
"""Roles run only when asked for by name, and only where configured."""


def build_loops(hub: Hub, roles: Iterable[str] = ROLES) -> list[Loop]:
    """The worker loops for the given roles."""
    roles = list(roles)
    unknown = sorted(set(roles) - set(ROLES) - set(OPTIONAL_ROLES))
    if unknown:
        raise ConfigurationError(
            f"unknown worker role {', '.join(unknown)}; roles are "
            f"{', '.join(ROLES + OPTIONAL_ROLES)}"
        )
    loops: list[Loop] = []
    if "ingest" in roles:
        loops.extend(ingest_loops(hub))
    if "relay" in roles:
        loops.append(OutboxRelay(hub.store, hub.transport, hub.topology.events_exchange))
    if "delivery" in roles:
        # Each stops taking deliveries while a service manager has its interface paused.
        loops.extend(pausable(hub, loop) for loop in delivery_loops(hub))
    if "dead-letters" in roles:
        loops.append(
            DeadLetterKeeper(
                consumer=hub.transport.consumer(hub.topology.dead_letter_queue, prefetch=100),
                dead_letters=hub.dead_letters,
            )
        )
        loops.append(dead_letter_retry_scheduler(hub))
    if "monitor" in roles:
        loops.append(build_health_watch(hub))
        retention = timedelta(days=hub.settings.submission_retention_days)
        loops.append(SubmissionRetention(hub.submissions, retention))
        loops.append(MovementDeliveryWatch(MovementDeliveries(hub.engine)))
    if "retention" in roles:
        loops.append(retention_loop(hub))
    if "sftp" in roles:
        loops.extend(sftp_pollers(hub))
    if "canteen-files" in roles:
        loops.append(canteen_file_drop(hub))
    if "replays" in roles:
        loops.append(replay_runner(hub))
    return loops


def ingest_consumer(hub: Hub) -> Consumer:
    """The ingest queue's consumer; in partitions, one over this worker's fair share of them."""
    queues = hub.topology.ingest_queues
    prefetch = hub.settings.prefetch
    if len(queues) == 1:
        return hub.transport.consumer(queues[0], prefetch=prefetch)
    return PartitionedConsumer(
        partial(hub.transport.consumer, prefetch=prefetch),
        queues,
        share=PartitionShare(hub.store, hub.settings.namespace, queues),
    )


def ingest_loops(hub: Hub) -> list[Loop]:
    """The ingest worker, and a listener on each AMQP partner's inbound queue: AMQP
    partners' messages join the inbound pipeline here, as HTTP ones do at the edge."""
    settings = hub.settings
    loops: list[Loop] = [
        IngestWorker(
            consumer=ingest_consumer(hub),
            store=hub.store,
            journal=hub.journal,
            registry=hub.registry,
            retry_policy=settings.retry_policy,
            batch_size=settings.batch_size,
            max_body_bytes=settings.max_body_bytes,
            keep_documents=settings.keep_documents,
            gate=EstateGate(hub.engine, hub.registry),
        )
    ]
    for adapter_name in amqp_partners(hub.registry):
        partners = sorted(hub.registry.adapter(adapter_name).partners)
        if len(partners) != 1:
            # The partner is known by the queue it writes to: one queue, one partner.
            raise ConfigurationError(
                f"the AMQP adapter {adapter_name} must serve exactly one partner,"
                f" not {len(partners)}"
            )
        loops.append(
            AmqpPartnerListener(
                consumer=hub.transport.consumer(
                    partner_inbound_queue_name(adapter_name, settings.namespace),
                    prefetch=settings.prefetch,
                ),
                transport=hub.transport,
                topology=hub.topology,
                journal=hub.journal,
                adapter=adapter_name,
                partner=partners[0],
                batch_size=settings.batch_size,
                registry=hub.registry,
            )
        )
    return loops


def delivery_loops(hub: Hub) -> list[Loop]:
    """A delivery worker for each adapter with subscriptions that delivers over AMQP, or over
    HTTP to a URL it is configured with."""
    settings = hub.settings
    loops: list[Loop] = []
    for adapter in hub.registry.adapters.values():
        if adapter.subscriptions and adapter.delivery == "amqp":
            loops.append(amqp_delivery_worker(hub, adapter))
        if not adapter.subscriptions or adapter.delivery != "http":
            continue
        if adapter.policy.rows == OWN_PRISONS:
            loops.extend(_scoped_delivery_loops(hub, adapter))
            continue
        url = settings.partner_urls.get(adapter.name)
        if not url:
            # Its queue keeps the events (durable) until a worker that has the URL runs;
            # the dashboard's queue depth shows them waiting.
            log.warning(
                "no delivery URL for %s (set GATEHOUSE_PARTNER_URLS__%s); not delivering to it",
                adapter.name,
                adapter.name.upper(),
            )
            continue
        delivery = HttpDelivery(
            url,
            timeout_s=settings.delivery_timeout_s,
            attempts=settings.delivery_attempts,
            tls=settings.partner_tls.get(adapter.name),
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
    loops.append(subscriber_deliveries(hub))
    return loops


def subscriber_deliveries(hub: Hub) -> SubscriberDeliveries:
    """The loop that delivers to the event subscribers in the store, picking up those added
    (``gatehouse subscribers add``) while it runs."""
    settings = hub.settings
    store = SubscriberStore(hub.engine, settings.subscriber_secret_key)
    return SubscriberDeliveries(
        subscribers=store.signing,
        transport=hub.transport,
        http_delivery=lambda url: HttpDelivery(
            url, timeout_s=settings.delivery_timeout_s, attempts=settings.delivery_attempts
        ),
        holds=hub.holds,
        retry_policy=settings.retry_policy,
        namespace=settings.namespace,
        delay_tiers_ms=settings.delay_tiers_ms,
        poll_s=settings.subscriber_poll_s,
        prefetch=settings.prefetch,
        batch_size=settings.batch_size,
        lanes=settings.delivery_lanes,
    )


def _scoped_delivery_loops(hub: Hub, adapter: Adapter) -> list[Loop]:
    """The delivery worker of an adapter whose partners each receive events from their own
    prisons only, at their own URLs (``GATEHOUSE_PARTNER_URLS__<PARTNER>``). With no URL
    for any of its partners there is no worker, and its queue keeps the events until there
    is one; a partner without a URL among others that have one gets its events
    dead-lettered, saying which URL to set, so that they can be replayed once it is set."""
    settings = hub.settings
    urls = {p: settings.partner_urls[p] for p in adapter.partners if settings.partner_urls.get(p)}
    if not urls:
        log.warning("no delivery URL for any partner of %s; not delivering to it", adapter.name)
        return []
    deliveries = {
        partner: HttpDelivery(
            url,
            timeout_s=settings.delivery_timeout_s,
            attempts=settings.delivery_attempts,
            tls=settings.partner_tls.get(partner),
        )
        for partner, url in urls.items()
    }
    return [
        DeliveryWorker(
            consumer=hub.transport.consumer(
                hub.topology.outbound_queue(adapter.name), prefetch=settings.prefetch
            ),
            adapter=adapter,
            delivery=next(iter(deliveries.values())),
            partner_deliveries=deliveries,
            holds=hub.holds,
            retry_policy=settings.retry_policy,
            batch_size=settings.batch_size,
            lanes=settings.delivery_lanes,
        )
    ]


def amqp_delivery_worker(hub: Hub, adapter: Adapter) -> DeliveryWorker:
    """The delivery worker of an AMQP partner: publishes to the partner's exchange."""
    settings = hub.settings
    return DeliveryWorker(
        consumer=hub.transport.consumer(
            hub.topology.outbound_queue(adapter.name), prefetch=settings.prefetch
        ),
        adapter=adapter,
        # Partners that answer requests (PNC's lookups) get reply_to on what they receive.
        delivery=AmqpPartnerDelivery(
            hub.transport, adapter.name, settings.namespace, expects_replies=bool(adapter.inbound)
        ),
        holds=hub.holds,
        retry_policy=settings.retry_policy,
        batch_size=settings.batch_size,
        lanes=settings.delivery_lanes,
    )


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
