"""Delivery over HTTPS to a real receiver whose certificate a test CA signed: trusted with the
partner's CA configured, refused for good (naming the certificate problem) when its
certificate comes from a CA the hub was not told of, and with a client certificate when the
receiver demands one."""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from adapters.transports.http import HttpDelivery
from adapters.transports.tls import PartnerTls, PartnerTlsError
from core_records.errors import PartnerRejected, PartnerUnavailable
from tests.certificates import KeyPair, TestCa

DOCUMENT = b"<CustodyStatus/>"


class _Receiver(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        peer = self.connection.getpeercert() if isinstance(self.connection, ssl.SSLSocket) else {}
        subject = dict(item for part in (peer or {}).get("subject", ()) for item in part)
        self.server.received.append((body, subject.get("commonName")))  # type: ignore[attr-defined]
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def https_receiver(
    server: KeyPair, *, client_ca: Path | None = None
) -> Iterator[tuple[str, list[tuple[bytes, str | None]]]]:
    """An HTTPS receiver on 127.0.0.1 showing ``server``; requiring a client certificate
    from ``client_ca`` when given. Its URL, and what it received (body, client's name)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(server.cert_file, server.key_file)
    if client_ca is not None:
        context.load_verify_locations(client_ca)
        context.verify_mode = ssl.CERT_REQUIRED
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    httpd.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://localhost:{httpd.server_address[1]}/custody", httpd.received  # type: ignore[attr-defined]
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


@pytest.fixture
def partner_ca(tmp_path: Path) -> TestCa:
    return TestCa(tmp_path / "partner-pki", "Delius test CA")


def test_delivers_to_a_partner_whose_certificate_its_ca_signed(partner_ca: TestCa) -> None:
    with (
        https_receiver(partner_ca.server()) as (url, received),
        HttpDelivery(url, tls=PartnerTls(ca_file=partner_ca.ca_file)) as delivery,
    ):
        delivery.deliver(DOCUMENT, content_type="application/xml")
    assert received == [(DOCUMENT, None)]


def test_refuses_a_partner_certificate_from_an_unknown_ca_for_good(
    partner_ca: TestCa, tmp_path: Path
) -> None:
    impostor = TestCa(tmp_path / "impostor-pki", "Impostor CA")
    with (
        https_receiver(impostor.server()) as (url, received),
        HttpDelivery(url, attempts=3, tls=PartnerTls(ca_file=partner_ca.ca_file)) as delivery,
        pytest.raises(PartnerRejected) as refused,
    ):
        delivery.deliver(DOCUMENT, content_type="application/xml")
    assert received == []
    reason = str(refused.value)
    assert "TLS certificate was refused" in reason
    assert "unable to get local issuer certificate" in reason
    assert "GATEHOUSE_PARTNER_TLS" in reason


def test_refuses_a_certificate_for_another_host(partner_ca: TestCa) -> None:
    elsewhere = partner_ca.server("elsewhere", names=("delius.example",))
    with (
        https_receiver(elsewhere) as (url, received),
        HttpDelivery(url, tls=PartnerTls(ca_file=partner_ca.ca_file)) as delivery,
        pytest.raises(PartnerRejected, match="Hostname mismatch"),
    ):
        delivery.deliver(DOCUMENT, content_type="application/xml")
    assert received == []


def test_shows_its_client_certificate_to_a_partner_that_demands_one(
    partner_ca: TestCa, tmp_path: Path
) -> None:
    hub_ca = TestCa(tmp_path / "hub-pki", "Hub test CA")
    hub = hub_ca.client("gatehouse-hub")
    with https_receiver(partner_ca.server(), client_ca=hub_ca.ca_file) as (url, received):
        with HttpDelivery(
            url,
            tls=PartnerTls(
                ca_file=partner_ca.ca_file, cert_file=hub.cert_file, key_file=hub.key_file
            ),
        ) as delivery:
            delivery.deliver(DOCUMENT, content_type="application/xml")
        assert received == [(DOCUMENT, "gatehouse-hub")]

        # Without one the receiver ends the handshake. Over TLS 1.3 the client learns only
        # that the connection closed (or, at best, an alert), which may as well be a partner
        # restarting: a transient failure, named as a TLS one.
        with (
            HttpDelivery(url, attempts=1, tls=PartnerTls(ca_file=partner_ca.ca_file)) as without,
            pytest.raises(PartnerUnavailable, match="TLS failed"),
        ):
            without.deliver(DOCUMENT, content_type="application/xml")
        assert len(received) == 1


def test_unreadable_tls_files_are_named_at_once(tmp_path: Path) -> None:
    with pytest.raises(
        PartnerTlsError,
        match=r"TLS for https://localhost/x: cannot read the CA file .*missing-ca\.pem",
    ):
        HttpDelivery("https://localhost/x", tls=PartnerTls(ca_file=tmp_path / "missing-ca.pem"))
