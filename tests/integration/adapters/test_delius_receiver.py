"""The simulated Delius: validates what it is sent, records it in arrival order, and fails
on demand."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import adapters.delius as delius_package
from adapters.delius.simulator import DeliusReceiver, running_receiver

RENDERED = Path(delius_package.__file__).parent / "samples" / "rendered"


@pytest.fixture
def delius() -> Iterator[tuple[str, DeliusReceiver]]:
    with running_receiver() as (url, receiver):
        yield url, receiver


def post(url: str, body: bytes) -> httpx.Response:
    return httpx.post(url, content=body, headers={"Content-Type": "application/xml"}, timeout=5)


def test_valid_documents_are_accepted_and_kept_in_arrival_order(
    delius: tuple[str, DeliusReceiver],
) -> None:
    url, receiver = delius
    documents = [path.read_bytes() for path in sorted(RENDERED.glob("*.xml"))]
    for body in documents:
        assert post(url, body).status_code == 202
    assert [r.body for r in receiver.received] == documents
    assert receiver.wait_for(len(documents), timeout_s=0.1)


def test_an_invalid_document_gets_422_with_the_fault_and_is_not_kept(
    delius: tuple[str, DeliusReceiver],
) -> None:
    url, receiver = delius
    body = (RENDERED / "released-on-licence.xml").read_bytes().replace(b"<Crn>", b"<CRN>", 1)
    response = post(url, body.replace(b"</Crn>", b"</CRN>", 1))
    assert response.status_code == 422
    fault = response.json()
    assert fault["element"] == "/CustodyStatus/Offender/CRN"
    assert fault["rule"] == "SCHEMAV_ELEMENT_CONTENT"
    assert isinstance(fault["line"], int)
    assert receiver.received == []


def test_hostile_xml_is_refused_like_any_invalid_document(
    delius: tuple[str, DeliusReceiver],
) -> None:
    url, _ = delius
    response = post(url, b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>')
    assert response.status_code == 422
    assert response.json()["rule"] == "no-dtd"


def test_it_fails_until_told_to_recover(delius: tuple[str, DeliusReceiver]) -> None:
    url, receiver = delius
    body = (RENDERED / "released-deported.xml").read_bytes()
    receiver.fail_until_recovered()
    assert [post(url, body).status_code for _ in range(3)] == [503, 503, 503]
    receiver.recover()
    assert post(url, body).status_code == 202
    assert receiver.requests == 4
    assert len(receiver.received) == 1


def test_it_can_fail_a_set_number_of_requests_with_any_status(
    delius: tuple[str, DeliusReceiver],
) -> None:
    url, receiver = delius
    body = (RENDERED / "released-deported.xml").read_bytes()
    receiver.fail_next(2, status=429)
    assert [post(url, body).status_code for _ in range(3)] == [429, 429, 202]


def test_waiting_for_documents_that_never_come_gives_up() -> None:
    assert DeliusReceiver().wait_for(1, timeout_s=0.05) is False


def test_it_stops_cleanly_and_frees_its_port() -> None:
    with running_receiver() as (url, _):
        assert post(url, (RENDERED / "released-deported.xml").read_bytes()).status_code == 202
    with pytest.raises(httpx.ConnectError):
        post(url, b"<r/>")
