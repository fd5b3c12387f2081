"""The demo's simulated AMQP partners: PNC (answering lookups, creating records for people
it does not know) and the security application (flagging some arrivals), each on the hub's
own transport, which on the embedded default holds their queues too.

``python -m gatehouse.demo.amqp_partners pnc --port 9100`` runs one of them in a process of
its own, on ``GATEHOUSE_BROKER_URL`` and ``GATEHOUSE_NAMESPACE``, as the benchmark does (real
partners are other machines). It answers ``GET /received`` with the event ids it received,
in order, and those of the repeats it dropped, and ``GET /received/count`` with how many,
and how many answers it sent back.
(Here rather than next to each simulator: adapters never import ``routing``.)
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from adapters.pnc.simulator import PncSimulator
from adapters.security.simulator import SecuritySimulator
from gatehouse.bootstrap import Hub
from routing.simulated_partner import Respond, SimulatedAmqpPartner
from routing.worker import WorkerRunner

log = logging.getLogger("gatehouse.demo.run")

SIMULATORS: dict[str, Callable[[], Respond]] = {
    "pnc": lambda: PncSimulator(assign_unknown=True).respond,
    "security": lambda: SecuritySimulator().respond,
}
"""How each simulated AMQP partner answers what it receives, by adapter name."""


def simulate_amqp_partners(hub: Hub, stop: threading.Event) -> threading.Thread:
    """Start the simulated PNC and security application; they stop with ``stop``."""
    namespace = hub.topology.namespace
    partners = [
        SimulatedAmqpPartner(hub.transport, name, namespace, simulator())
        for name, simulator in SIMULATORS.items()
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


def main() -> None:
    """One simulated AMQP partner in a process of its own, until SIGTERM or Ctrl-C."""
    import argparse

    import uvicorn
    from fastapi import FastAPI

    from gatehouse.bootstrap import build_transport
    from gatehouse.settings import Settings
    from routing.simulated_partner import running_partner

    parser = argparse.ArgumentParser(description="A simulated AMQP partner of Gatehouse.")
    parser.add_argument("partner", choices=sorted(SIMULATORS))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9100, help="where it says what it received")
    arguments = parser.parse_args()

    settings = Settings()
    respond = SIMULATORS[arguments.partner]()
    answered = 0

    def counting(message_type: str, body: bytes) -> list[tuple[str, bytes]]:
        nonlocal answered
        answers = respond(message_type, body)
        answered += len(answers)  # only the partner's one thread answers
        return answers

    transport = build_transport(settings)
    partner = SimulatedAmqpPartner(transport, arguments.partner, settings.namespace, counting)
    app = FastAPI(title=f"Simulated {arguments.partner}", openapi_url=None)

    @app.get("/received")
    def received() -> dict[str, list[str]]:
        return {
            "eventIds": [m.message_id for m in list(partner.received)],
            "duplicateIds": [m.message_id for m in list(partner.duplicates)],
        }

    @app.get("/received/count")
    def received_count() -> dict[str, int]:
        return {
            "count": len(partner.received),
            "answered": answered,
            "duplicatesDropped": partner.duplicates_dropped,
        }

    try:
        with running_partner(partner):
            uvicorn.run(app, host=arguments.host, port=arguments.port, log_level="warning")
    finally:
        transport.close()


if __name__ == "__main__":
    main()
