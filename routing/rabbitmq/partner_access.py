"""What an AMQP partner's own RabbitMQ user may touch: its two queues' ends, and nothing else.

A partner connects to the hub's broker with a user of its own whose permissions (RabbitMQ's
configure / write / read regular expressions, per virtual host) allow exactly:

- **read** ``<ns>.partner.<adapter>.out``: consume the documents Gatehouse sends it;
- **write** ``<ns>.partner.<adapter>.in``: publish its documents, and its replies (the
  ``reply_to`` of a request names that queue, which the exchange of the same name feeds);
- **configure** nothing: the hub declares the topology (``routing.topology.partner_topology``).

So PNC cannot read the security application's queue, publish to the hub's inbound or events
exchanges, or reach any queue through the default exchange (which would let it write to any
queue by name). ``gatehouse adapters amqp-access`` prints the ``rabbitmqctl`` commands that
create such a user.

Over TLS (``amqps://``, ``broker_tls_config``) the broker asks every client for a
certificate signed by the hub's CA (``verify_peer``, ``fail_if_no_peer_cert``), and the
partner still signs in with its user's password: the certificate proves the machine, the
password the user. ``certificate_commands`` are the ``openssl`` steps that give a partner its
certificate without its key ever leaving it: it makes the key and a signing request, the
hub's CA signs the request. A broker that should take the certificate instead of a password
enables ``rabbitmq_auth_mechanism_ssl`` and ``EXTERNAL_AUTH_CONFIG``; the certificate's
common name is then the user name, which ``certificate_commands`` already sets.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from routing.topology import partner_inbound_exchange_name, partner_outbound_queue_name

NOTHING = "^$"
"""RabbitMQ's idiom for no resource at all: the empty name matches no exchange or queue."""


@dataclass(frozen=True)
class PartnerAccess:
    """One partner user's permissions in a virtual host, as RabbitMQ takes them."""

    configure: str
    write: str
    read: str


def _exactly(name: str) -> str:
    return f"^{re.escape(name)}$"


def partner_access(adapter: str, namespace: str) -> PartnerAccess:
    """The permissions of ``adapter``'s partner user in the hub's ``namespace``."""
    return PartnerAccess(
        configure=NOTHING,
        write=_exactly(partner_inbound_exchange_name(adapter, namespace)),
        read=_exactly(partner_outbound_queue_name(adapter, namespace)),
    )


def rabbitmqctl_commands(adapter: str, namespace: str, user: str, vhost: str) -> list[list[str]]:
    """The ``rabbitmqctl`` commands that give ``user`` exactly ``adapter``'s access.

    ``add_user`` is given no password: ``rabbitmqctl`` then reads it from standard input, so
    it never appears in a process list or a shell history.
    """
    access = partner_access(adapter, namespace)
    return [
        ["rabbitmqctl", "add_user", user],
        [
            "rabbitmqctl",
            "set_permissions",
            "-p",
            vhost,
            user,
            access.configure,
            access.write,
            access.read,
        ],
    ]


def as_shell(command: list[str]) -> str:
    return " ".join(shlex.quote(part) for part in command)


CLIENT_EXTENSIONS = (
    "basicConstraints = critical,CA:FALSE\n"
    "keyUsage = critical,digitalSignature\n"
    "extendedKeyUsage = clientAuth\n"
)
"""What the CA puts in a partner's certificate, whatever the request asked for: a client
certificate that can sign nothing else."""

EXTERNAL_AUTH_CONFIG = (
    "auth_mechanisms.1 = PLAIN",
    "auth_mechanisms.2 = EXTERNAL",
    "ssl_cert_login_from = common_name",
)
"""rabbitmq.conf lines that let a client sign in by its certificate's common name (with the
``rabbitmq_auth_mechanism_ssl`` plugin enabled); PLAIN stays for the hub's own user."""


def broker_tls_config(
    port: int = 5671,
    ca_file: str = "/etc/rabbitmq/ca.pem",
    cert_file: str = "/etc/rabbitmq/server.pem",
    key_file: str = "/etc/rabbitmq/server.key",
) -> list[str]:
    """rabbitmq.conf lines for a TLS listener that takes only clients with a certificate
    signed by ``ca_file``."""
    return [
        f"listeners.ssl.default = {port}",
        f"ssl_options.cacertfile = {ca_file}",
        f"ssl_options.certfile = {cert_file}",
        f"ssl_options.keyfile = {key_file}",
        "ssl_options.verify = verify_peer",
        "ssl_options.fail_if_no_peer_cert = true",
    ]


@dataclass(frozen=True)
class CertificateCommands:
    """Shell lines: ``partner`` runs on the partner's machine (its key stays there), ``ca``
    where the hub's CA key is kept; the request and certificate travel between them."""

    partner: list[str]
    ca: list[str]
    key_file: str
    cert_file: str


def certificate_commands(
    user: str, *, ca_cert: str = "ca.pem", ca_key: str = "ca.key", days: int = 365
) -> CertificateCommands:
    """The ``openssl`` steps that give ``user`` a client certificate from the hub's CA."""
    key, request, cert, extensions = (
        f"{user}{suffix}" for suffix in (".key", ".csr", ".crt", ".ext")
    )
    q = shlex.quote
    printf_format = CLIENT_EXTENSIONS.replace("\n", "\\n")
    return CertificateCommands(
        partner=[
            f"openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
            f" -keyout {q(key)} -out {q(request)} -subj {q('/CN=' + user)}",
            f"chmod 600 {q(key)}",
        ],
        ca=[
            f"printf {q(printf_format)} > {q(extensions)}",
            f"openssl x509 -req -in {q(request)} -CA {q(ca_cert)} -CAkey {q(ca_key)}"
            f" -CAcreateserial -days {days} -sha256 -extfile {q(extensions)} -out {q(cert)}",
        ],
        key_file=key,
        cert_file=cert,
    )
