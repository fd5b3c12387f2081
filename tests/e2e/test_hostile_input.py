"""Hostile and malformed documents at the edge: a clear 4xx, nothing leaked, the hub unharmed.

Run against the hub on PostgreSQL and RabbitMQ, its API under uvicorn.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from adapters.delius.simulator import DeliusReceiver
from gatehouse.bootstrap import Hub

pytestmark = pytest.mark.parametrize("backend", ["rabbitmq"], indirect=True)

SAMPLE = (
    Path(__file__).parents[2] / "adapters/private_prisons/samples/valid/reception-new-person.xml"
)
RECEPTION = "/api/v1/inbound/private_prisons/reception"

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Reception xmlns="urn:gatehouse:private-prisons:v1">&lol9;</Reception>"""

LOCAL_FILE_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE Reception [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Reception xmlns="urn:gatehouse:private-prisons:v1">
  <MessageHeader><Operator>&secret;</Operator></MessageHeader>
</Reception>"""


@pytest.fixture
def listener() -> Iterator[tuple[str, list[bytes]]]:
    """A loopback TCP listener recording every connection: proof of any network fetch."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    seen: list[bytes] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            with connection:
                seen.append(connection.recv(1024))

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}", seen
    stop.set()
    thread.join()
    server.close()


def post(api: str, token: str, body: bytes) -> httpx.Response:
    return httpx.post(
        f"{api}{RECEPTION}",
        content=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/xml"},
        timeout=60,
    )


def test_hostile_documents_are_refused_clearly_and_the_hub_carries_on(
    hub: Hub,
    api: str,
    delius: tuple[str, DeliusReceiver],
    listener: tuple[str, list[bytes]],
) -> None:
    token = hub.credentials.issue("serco")
    network_url, connections = listener
    external_dtd = (
        f'<?xml version="1.0"?><!DOCTYPE Reception SYSTEM "{network_url}/evil.dtd">'
        '<Reception xmlns="urn:gatehouse:private-prisons:v1"/>'
    ).encode()
    external_entity = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "{network_url}/e">]>'
        '<Reception xmlns="urn:gatehouse:private-prisons:v1">&e;</Reception>'
    ).encode()

    cases = {
        "entity expansion bomb": (BILLION_LAUGHS, 400, "no-dtd"),
        "external entity reading a local file": (LOCAL_FILE_ENTITY, 400, "no-dtd"),
        "external DTD over the network": (external_dtd, 400, "no-dtd"),
        "external entity over the network": (external_entity, 400, "no-dtd"),
        "not XML at all": (b"RECEPTION,DN0458812,HOLROYD,1987-11-23", 400, "well-formed"),
        "an empty body": (b"", 400, None),
    }
    for name, (body, expected_status, expected_rule) in cases.items():
        response = post(api, token, body)
        assert response.status_code == expected_status, f"{name}: {response.text}"
        answer = response.json()
        assert answer["reason"], name
        if expected_rule:
            assert answer["rule"] == expected_rule, name
        assert "root:" not in response.text, f"{name} leaked /etc/passwd"

    twenty_megabytes = b"<Reception>" + b"x" * (20 * 1024 * 1024) + b"</Reception>"
    too_large = post(api, token, twenty_megabytes)
    assert too_large.status_code == 413
    assert "1048576 byte limit" in too_large.json()["reason"]

    assert connections == [], "a hostile document made the hub open a network connection"
    assert httpx.get(f"{api}/health/ready").status_code == 200
    accepted = post(api, token, SAMPLE.read_bytes())
    assert accepted.status_code == 202
    assert delius[1].wait_for(1, timeout_s=30)
    assert hub.dead_letters.count("waiting") == 0
