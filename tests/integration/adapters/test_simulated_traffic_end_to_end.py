"""Simulated operator traffic through the real record store, and the events it makes through
the Delius renderer: the two adapters agree with the store on codes and on event detail."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime
from itertools import islice

import sqlalchemy as sa

from adapters.delius import adapter as delius
from adapters.delius.custody_status import NAMESPACE, SCHEMA
from adapters.private_prisons import adapter as private_prisons
from adapters.private_prisons.simulator import OperatorSimulator
from adapters.testing import accept
from core_records.commands import InboundMessage
from core_records.store.record_store import RecordStore
from schemas.events import validate_event_envelope
from schemas.loader import validate
from schemas.xml import parse_xml

MESSAGES_PER_OPERATOR = 300


def test_simulated_traffic_is_applied_and_every_event_renders_a_valid_custody_status(
    sqlite_url: str,
) -> None:
    store = RecordStore(sa.create_engine(sqlite_url))
    outcomes: Counter[str] = Counter()
    rejections: list[str] = []
    actions: Counter[str | None] = Counter()
    for seed, (operator, scope) in enumerate(sorted(private_prisons.partners.items())):
        simulator = OperatorSimulator(operator, scope.establishments, seed=seed)
        for message_type, body in islice(simulator.random_traffic(), MESSAGES_PER_OPERATOR):
            message = InboundMessage(
                message_id=str(uuid.uuid4()),
                correlation_id=str(uuid.uuid4()),
                adapter=private_prisons.name,
                message_type=message_type,
                partner=operator,
                received_at=datetime.now(UTC),
                commands=accept(private_prisons, message_type, body, scope),
            )
            (outcome,) = store.apply([message])
            outcomes[outcome.status] += 1
            if outcome.error is not None:
                rejections.append(outcome.error.reason)
            for event in outcome.events:
                validate_event_envelope(event.to_envelope())
                document = delius.render(event)
                if document is not None:
                    validate(parse_xml(document), SCHEMA)
                actions[
                    None
                    if document is None
                    else parse_xml(document).findtext(f"{{{NAMESPACE}}}Action")
                ] += 1
    assert rejections == []
    assert outcomes == {"applied": MESSAGES_PER_OPERATOR * len(private_prisons.partners)}
    assert {"RECEPTION", "RELEASE", "TRANSFER"} <= set(actions)
    assert actions[None] == actions["TRANSFER"], "each transfer's release half is not sent"
