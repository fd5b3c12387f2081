"""pika's parameters for an ``amqps://`` broker: the broker's certificate checked against the
configured CA and the URL's host, our client certificate shown; TLS files with a plain
``amqp://`` URL refused rather than silently unused."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from gatehouse.bootstrap import ConfigurationError, build_transport
from gatehouse.settings import Settings
from routing.rabbitmq.tls import BrokerTls, BrokerTlsError, connection_parameters
from tests.certificates import TestCa


@pytest.fixture
def ca(tmp_path: Path) -> TestCa:
    return TestCa(tmp_path / "pki")


def test_amqps_checks_the_broker_against_the_ca_and_shows_the_client_certificate(
    ca: TestCa,
) -> None:
    client = ca.client("gatehouse")
    tls = BrokerTls(ca.ca_file, client.cert_file, client.key_file)
    parameters = connection_parameters("amqps://hub:secret@mq.example:5671/%2F", tls)
    assert parameters.port == 5671
    assert parameters.ssl_options is not None
    assert parameters.ssl_options.server_hostname == "mq.example"
    context = parameters.ssl_options.context
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert context.minimum_version == ssl.TLSVersion.TLSv1_2
    assert [c["subject"] for c in context.get_ca_certs()] == [
        ((("organizationName", "Gatehouse tests"),), (("commonName", "Gatehouse test CA"),))
    ]


def test_amqps_without_files_trusts_the_systems_cas() -> None:
    parameters = connection_parameters("amqps://hub:secret@mq.example/%2F", None)
    assert parameters.ssl_options is not None
    assert parameters.ssl_options.context.verify_mode == ssl.CERT_REQUIRED


def test_plain_amqp_has_no_tls_and_refuses_tls_files(ca: TestCa) -> None:
    assert connection_parameters("amqp://guest:guest@127.0.0.1/%2F", None).ssl_options is None
    with pytest.raises(BrokerTlsError, match=r"broker URL is amqp:// \(plain text\); use amqps"):
        connection_parameters("amqp://guest:guest@127.0.0.1/%2F", BrokerTls(ca.ca_file))


def test_unreadable_files_are_named_by_the_settings_they_came_from(tmp_path: Path) -> None:
    settings = Settings(
        broker_url="amqps://hub:secret@mq.example/%2F", broker_ca_file=tmp_path / "no-ca.pem"
    )
    with pytest.raises(ConfigurationError, match=r"GATEHOUSE_BROKER_CA_FILE.*no-ca\.pem"):
        build_transport(settings)


def test_a_key_without_its_certificate_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BrokerTlsError, match="key was given without its certificate"):
        BrokerTls(key_file=tmp_path / "client.key")


def test_partner_tls_settings_by_json_or_field_by_field(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GATEHOUSE_PARTNER_TLS__DELIUS", '{"ca_file": "/etc/gh/delius-ca.pem"}')
    monkeypatch.setenv("GATEHOUSE_PARTNER_TLS__SERCO__CA_FILE", "/etc/gh/serco-ca.pem")
    monkeypatch.setenv("GATEHOUSE_PARTNER_TLS__SERCO__CERT_FILE", "/etc/gh/hub.pem")
    tls = Settings().partner_tls
    assert tls["delius"].ca_file == Path("/etc/gh/delius-ca.pem")
    assert tls["delius"].cert_file is None
    assert (tls["serco"].ca_file, tls["serco"].cert_file) == (
        Path("/etc/gh/serco-ca.pem"),
        Path("/etc/gh/hub.pem"),
    )
    monkeypatch.setenv("GATEHOUSE_PARTNER_TLS__OASYS", '{"ca": "/etc/gh/oasys-ca.pem"}')
    with pytest.raises(ValueError, match="ca\n  Extra inputs are not permitted"):
        Settings()
