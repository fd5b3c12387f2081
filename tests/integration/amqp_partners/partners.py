"""Helpers for the AMQP partner tests: the simulated PNC, and a private-prison reception put
on the inbound exchange as the HTTP edge puts it there."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from adapters.pnc.simulator import PncSimulator
from core_records.identifiers import LOCAL, Identifier
from gatehouse.bootstrap import Hub
from routing.inbound import Submission, publish_inbound
from routing.simulated_partner import SimulatedAmqpPartner
from routing.transport import Transport

SAMPLES = Path(__file__).parents[3] / "adapters"
RECEPTION = (SAMPLES / "private_prisons/samples/valid/reception-new-person.xml").read_bytes()
PERSON = Identifier(LOCAL, "serco:DN0458812")
"""The person of the reception sample, by the operator's own id."""


def simulated_pnc(hub: Hub, transport: Transport, simulator: PncSimulator) -> SimulatedAmqpPartner:
    return SimulatedAmqpPartner(transport, "pnc", hub.topology.namespace, simulator.respond)


def receive_from_serco(hub: Hub, body: bytes = RECEPTION, message_type: str = "reception") -> str:
    submission = Submission(
        "private_prisons", message_type, "serco", body, datetime.now(UTC), correlation_id=None
    )
    return publish_inbound(hub.transport, hub.topology, submission)
