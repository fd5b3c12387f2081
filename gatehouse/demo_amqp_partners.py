"""The demo's simulated AMQP partners: PNC (answering lookups, creating records for people
it does not know) and the security application (flagging some arrivals), each on the hub's
own transport, which on the embedded default holds their queues too."""

from __future__ import annotations

import logging
import threading

from adapters.pnc.simulator import PncSimulator
from adapters.security.simulator import SecuritySimulator
from gatehouse.bootstrap import Hub
from routing.simulated_partner import SimulatedAmqpPartner
from routing.worker import WorkerRunner

log = logging.getLogger("gatehouse.demo")


def simulate_amqp_partners(hub: Hub, stop: threading.Event) -> threading.Thread:
    """Start the simulated PNC and security application; they stop with ``stop``."""
    namespace = hub.topology.namespace
    partners = [
        SimulatedAmqpPartner(
            hub.transport, "pnc", namespace, PncSimulator(assign_unknown=True).respond
        ),
        SimulatedAmqpPartner(hub.transport, "security", namespace, SecuritySimulator().respond),
    ]
    thread = threading.Thread(
        target=WorkerRunner(partners).run, args=(stop,), name="simulated-amqp", daemon=True
    )
    thread.start()
    log.info(
        "simulated PNC and security application are listening on %s.partner.<name>.out",
        namespace,
    )
    return thread
