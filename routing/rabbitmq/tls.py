"""AMQP over TLS (``amqps://``): whom the hub trusts as its broker, and the certificate it
shows when the broker asks for one.

``BrokerTls`` holds the files; ``connection_parameters`` turns a broker URL into pika's
parameters, with an SSL context that checks the broker's certificate against ``ca_file``
(or the system's CAs without one) and its host name against the URL's host, and presents
``cert_file``/``key_file`` when given. TLS settings with a plain ``amqp://`` URL are refused
rather than silently unused, so that no one believes a plain-text connection encrypted.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pika

DEFAULT_TLS_PORT = 5671


class BrokerTlsError(ValueError):
    """The TLS files cannot be used; the message names the file and why."""


@dataclass(frozen=True)
class BrokerTls:
    """The CA that signed the broker's certificate, and our client certificate and key.

    ``server_hostname`` overrides the name checked against the broker's certificate (the
    URL's host by default), e.g. when connecting through an IP address.
    """

    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None
    server_hostname: str | None = None

    def __post_init__(self) -> None:
        if self.key_file is not None and self.cert_file is None:
            raise BrokerTlsError("a broker client key was given without its certificate file")

    def context(self) -> ssl.SSLContext:
        """A client SSL context: TLS 1.2 or newer, the broker's certificate and host name
        checked."""
        try:
            context = ssl.create_default_context(
                cafile=str(self.ca_file) if self.ca_file is not None else None
            )
        except (OSError, ssl.SSLError) as error:
            raise BrokerTlsError(
                f"cannot read the broker CA file {self.ca_file}: {error}"
            ) from None
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        if self.cert_file is not None:
            try:
                context.load_cert_chain(
                    str(self.cert_file), str(self.key_file) if self.key_file else None
                )
            except (OSError, ssl.SSLError) as error:
                raise BrokerTlsError(
                    f"cannot load the broker client certificate {self.cert_file}"
                    f"{f' with key {self.key_file}' if self.key_file else ''}: {error}"
                ) from None
        return context


def connection_parameters(url: str, tls: BrokerTls | None) -> pika.URLParameters:
    """pika's parameters for ``url``; over TLS for ``amqps://``, with ``tls``'s files."""
    scheme = urlsplit(url).scheme
    if scheme not in ("amqp", "amqps"):
        raise ValueError(f"a broker URL is amqp:// or amqps://, not {scheme or 'schemeless'}://")
    if scheme == "amqp" and tls is not None and tls != BrokerTls():
        raise BrokerTlsError(
            "broker TLS files are configured but the broker URL is amqp:// (plain text); "
            "use amqps://"
        )
    parameters = pika.URLParameters(url)
    if scheme == "amqps":
        tls = tls or BrokerTls()
        host = tls.server_hostname or urlsplit(url).hostname or "localhost"
        parameters.ssl_options = pika.SSLOptions(tls.context(), host)
    return parameters
