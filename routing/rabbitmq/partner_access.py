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
