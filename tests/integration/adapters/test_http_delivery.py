"""HTTP delivery against a real simulated Delius under uvicorn: delivered documents arrive,
short outages are ridden out in process, and the rest is told apart as transient
(PartnerUnavailable) or permanent (PartnerRejected)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import adapters.delius as delius_package
from adapters.delius.simulator import DeliusReceiver, running_receiver
from adapters.transports.http import HttpDelivery
from core_records.errors import PartnerRejected, PartnerUnavailable

DOCUMENT = (
    Path(delius_package.__file__).parent / "samples" / "rendered" / "released-died-in-custody.xml"
).read_bytes()
XML = "application/xml"


@pytest.fixture
def delius() -> Iterator[tuple[str, DeliusReceiver]]:
    with running_receiver() as (url, receiver):
        yield url, receiver


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_delivered_document_arrives_as_sent_with_its_headers(
    delius: tuple[str, DeliusReceiver],
) -> None:
    url, receiver = delius
    with HttpDelivery(url, headers={"X-Api-Key": "key-for-delius"}) as delivery:
        delivery.deliver(DOCUMENT, content_type=XML, headers={"X-Gatehouse-Event-Id": "e-1"})
    (arrived,) = receiver.received
    assert arrived.body == DOCUMENT
    assert arrived.content_type == XML
    assert arrived.headers["x-gatehouse-event-id"] == "e-1"
    assert arrived.headers["x-api-key"] == "key-for-delius"


def test_a_partner_failing_twice_gets_the_document_on_the_third_attempt(
    delius: tuple[str, DeliusReceiver],
) -> None:
    url, receiver = delius
    receiver.fail_next(2)
    with HttpDelivery(url, attempts=3) as delivery:
        delivery.deliver(DOCUMENT, content_type=XML)
    assert receiver.requests == 3
    assert [r.body for r in receiver.received] == [DOCUMENT]


@pytest.mark.parametrize("status", [408, 429, 500, 502])
def test_timeouts_throttling_and_server_errors_are_retried(
    delius: tuple[str, DeliusReceiver], status: int
) -> None:
    url, receiver = delius
    receiver.fail_next(1, status=status)
    with HttpDelivery(url, attempts=2) as delivery:
        delivery.deliver(DOCUMENT, content_type=XML)
    assert receiver.requests == 2
    assert len(receiver.received) == 1


def test_a_partner_still_failing_after_the_last_attempt_is_unavailable(
    delius: tuple[str, DeliusReceiver],
) -> None:
    url, receiver = delius
    receiver.fail_until_recovered()
    started = time.monotonic()
    with HttpDelivery(url, attempts=3) as delivery, pytest.raises(PartnerUnavailable) as caught:
        delivery.deliver(DOCUMENT, content_type=XML)
    elapsed = time.monotonic() - started
    assert receiver.requests == 3
    assert caught.value.reason.startswith(f"{url} did not take the delivery after 3 attempts")
    assert "503 Service Unavailable" in caught.value.reason
    assert 0.05 < elapsed < 2.0, "backoff is tens to hundreds of milliseconds"


def test_a_partner_that_is_down_is_unavailable(closed_port: int) -> None:
    url = f"http://127.0.0.1:{closed_port}/custody-status"
    with HttpDelivery(url, attempts=2) as delivery, pytest.raises(PartnerUnavailable) as caught:
        delivery.deliver(DOCUMENT, content_type=XML)
    assert url in caught.value.reason
    assert "could not connect" in caught.value.reason


def test_a_partner_too_slow_to_answer_is_retried_then_unavailable(
    delius: tuple[str, DeliusReceiver],
) -> None:
    url, receiver = delius
    receiver.delay_next(2, seconds=0.5)
    with (
        HttpDelivery(url, attempts=2, timeout_s=0.1) as delivery,
        pytest.raises(PartnerUnavailable, match="timed out"),
    ):
        delivery.deliver(DOCUMENT, content_type=XML)
    assert receiver.requests == 2


def test_a_document_the_partner_finds_invalid_is_rejected_at_once(
    delius: tuple[str, DeliusReceiver],
) -> None:
    url, receiver = delius
    broken = DOCUMENT.replace(b"<Action>DEATH</Action>", b"<Action>FUNERAL</Action>")
    with HttpDelivery(url) as delivery, pytest.raises(PartnerRejected) as caught:
        delivery.deliver(broken, content_type=XML)
    assert receiver.requests == 1
    reason = caught.value.reason
    assert reason.startswith(f"{url} refused the delivery with 422 Unprocessable")
    assert "/CustodyStatus/Action" in reason
    excerpt = reason.split("Unprocessable Entity: ", 1)[1]
    assert len(excerpt) == 200


def test_a_wrong_address_is_rejected_not_retried(delius: tuple[str, DeliusReceiver]) -> None:
    url, receiver = delius
    with HttpDelivery(url + "-v2") as delivery, pytest.raises(PartnerRejected, match="404"):
        delivery.deliver(DOCUMENT, content_type=XML)
    assert receiver.requests == 0


def test_credentials_in_the_url_never_appear_in_a_reason(closed_port: int) -> None:
    url = f"http://gatehouse:s3cret@127.0.0.1:{closed_port}/custody-status?token=t0ken"
    with HttpDelivery(url, attempts=1) as delivery, pytest.raises(PartnerUnavailable) as caught:
        delivery.deliver(DOCUMENT, content_type=XML)
    assert "s3cret" not in caught.value.reason
    assert "t0ken" not in caught.value.reason
    assert f"http://127.0.0.1:{closed_port}/custody-status" in caught.value.reason


def test_one_delivery_serves_several_threads_at_once(delius: tuple[str, DeliusReceiver]) -> None:
    url, receiver = delius
    errors: list[BaseException] = []

    def deliver_ten(delivery: HttpDelivery) -> None:
        try:
            for _ in range(10):
                delivery.deliver(DOCUMENT, content_type=XML)
        except BaseException as error:  # reported below, on the test's thread
            errors.append(error)

    with HttpDelivery(url) as delivery:
        threads = [threading.Thread(target=deliver_ten, args=(delivery,)) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert errors == []
    assert len(receiver.received) == 40


def test_attempts_must_be_at_least_one() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        HttpDelivery("http://127.0.0.1/", attempts=0)
