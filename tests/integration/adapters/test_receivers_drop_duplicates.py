"""Every simulated HTTP partner drops a document whose event id it has received before,
answering 202 so that it is not sent again, and counts it apart."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import httpx
import pytest

import adapters
from adapters.delius.simulator import running_receiver
from adapters.oasys.simulator import running_oasys
from adapters.private_prisons.notice_receiver import running_notice_receiver

SAMPLES = Path(adapters.__file__).parent
RECEIVERS: dict[str, tuple[Callable[[], AbstractContextManager[Any]], Path]] = {
    "delius": (running_receiver, SAMPLES / "delius/samples/rendered/released-deported.xml"),
    "oasys": (running_oasys, SAMPLES / "oasys/samples/rendered/released-on-licence.xml"),
    "serco": (
        lambda: running_notice_receiver("serco"),
        SAMPLES / "private_prisons/samples/rendered/received-new-admission.xml",
    ),
}


@pytest.fixture(params=sorted(RECEIVERS))
def receiver(request: pytest.FixtureRequest) -> Iterator[tuple[str, Any, bytes]]:
    running, sample = RECEIVERS[request.param]
    with running() as (url, receiver):
        yield url, receiver, sample.read_bytes()


def post(url: str, body: bytes, event_id: str | None, delivery: str = "first") -> int:
    headers = {"Content-Type": "application/xml", "X-Gatehouse-Delivery": delivery}
    if event_id is not None:
        headers["X-Gatehouse-Event-Id"] = event_id
    return httpx.post(url, content=body, headers=headers, timeout=5).status_code


def received_ids(url: str) -> dict[str, Any]:
    return httpx.get(f"{url}/received", timeout=5).json()


def test_a_second_delivery_of_an_event_is_answered_202_and_dropped(
    receiver: tuple[str, Any, bytes],
) -> None:
    url, simulated, body = receiver
    assert post(url, body, "event-1") == 202
    assert post(url, body, "event-1", "redelivery") == 202
    assert post(url, body, "event-2") == 202
    assert post(url, body, "event-1", "replay") == 202

    assert len(simulated.received) == 2
    assert simulated.duplicates_dropped == 2
    assert received_ids(url) == {
        "eventIds": ["event-1", "event-2"],
        "duplicateIds": ["event-1", "event-1"],
    }
    counts = httpx.get(f"{url}/received/count", timeout=5).json()
    assert (counts["count"], counts["duplicatesDropped"]) == (2, 2)


def test_documents_without_an_event_id_are_all_kept(receiver: tuple[str, Any, bytes]) -> None:
    url, simulated, body = receiver
    assert [post(url, body, None) for _ in range(2)] == [202, 202]
    assert len(simulated.received) == 2
    assert simulated.duplicates_dropped == 0


def test_a_document_refused_as_invalid_is_taken_when_it_comes_again_valid(
    receiver: tuple[str, Any, bytes],
) -> None:
    url, simulated, body = receiver
    assert post(url, b"<Broken/>", "event-1") == 422
    assert post(url, body, "event-1", "redelivery") == 202
    assert len(simulated.received) == 1
    assert simulated.duplicates_dropped == 0
