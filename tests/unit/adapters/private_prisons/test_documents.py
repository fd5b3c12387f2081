"""Reading and writing the v1 format are each other's inverse."""

from __future__ import annotations

from itertools import islice

from adapters.private_prisons import adapter
from adapters.private_prisons.reading import read_message
from adapters.private_prisons.simulator import OperatorSimulator
from adapters.private_prisons.writing import write_message
from schemas.xml import parse_xml


def test_what_is_read_from_a_document_writes_back_to_the_same_bytes() -> None:
    simulator = OperatorSimulator("sodexo", adapter.partners["sodexo"].establishments, seed=7)
    for message_type, body in islice(simulator.random_traffic(), 300):
        message = read_message(parse_xml(body), message_type)
        assert message.message_type == message_type
        assert write_message(message) == body
