"""An HTTP delivery retried in process says so: the same event id, marked a redelivery, since
the attempt before may have reached the partner even though its answer did not come back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import adapters.delius as delius_package
from adapters.delius.simulator import DeliusReceiver, running_receiver
from adapters.transports.http import HttpDelivery

DOCUMENT = (
    Path(delius_package.__file__).parent / "samples/rendered/released-deported.xml"
).read_bytes()
HEADERS = {"X-Gatehouse-Event-Id": "event-7", "X-Gatehouse-Delivery": "first"}


@pytest.fixture
def delius() -> Iterator[tuple[str, DeliusReceiver]]:
    with running_receiver() as (url, receiver):
        yield url, receiver


def test_a_first_delivery_retried_in_process_goes_again_marked_a_redelivery(
    delius: tuple[str, DeliusReceiver],
) -> None:
    url, receiver = delius
    receiver.fail_next(1)
    with HttpDelivery(url, attempts=2) as delivery:
        delivery.deliver(DOCUMENT, content_type="application/xml", headers=HEADERS)
    [arrived] = receiver.received
    assert receiver.requests == 2
    assert arrived.headers["x-gatehouse-event-id"] == "event-7"
    assert arrived.headers["x-gatehouse-delivery"] == "redelivery"
    assert HEADERS["X-Gatehouse-Delivery"] == "first", "the caller's headers are left alone"


def test_a_delivery_taken_at_once_stays_a_first_delivery(
    delius: tuple[str, DeliusReceiver],
) -> None:
    url, receiver = delius
    with HttpDelivery(url) as delivery:
        delivery.deliver(DOCUMENT, content_type="application/xml", headers=HEADERS)
    [arrived] = receiver.received
    assert arrived.headers["x-gatehouse-delivery"] == "first"
