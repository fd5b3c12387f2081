"""What a private-prison operator's message says, as plain values (format v1).

``reading`` turns a parsed document into an ``OperatorMessage`` and ``writing`` does the
reverse; both deal in the operator's own terms (identifiers as written, agency codes as
sent). ``translate`` decides what the message means for the canonical record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

NAMESPACE = "urn:gatehouse:private-prisons:v1"

ROOT_ELEMENTS = {"reception": "Reception", "transfer": "Transfer", "release": "Release"}
"""Message type (as in the inbound URL) to the document's root element."""

SCHEMAS = {message_type: f"private_prisons/{message_type}-v1.xsd" for message_type in ROOT_ELEMENTS}
"""Message type to its XSD under the ``schemas`` package."""


@dataclass(frozen=True)
class MessageHeader:
    """Who sent the message, from which prison, when, and under what reference."""

    operator: str
    establishment: str
    """The prison the message is sent from."""
    sent_at: datetime
    reference: str
    """The operator's own reference for the message."""


@dataclass(frozen=True)
class Alias:
    """Another name the person is known by."""

    surname: str
    forenames: str


@dataclass(frozen=True)
class OperatorPerson:
    """A person as the operator's system knows them; identifiers exactly as written."""

    local_id: str
    surname: str
    forenames: str
    date_of_birth: date
    sex: str
    prison_number: str | None = None
    pnc_id: str | None = None
    cro_number: str | None = None
    aliases: tuple[Alias, ...] = ()


@dataclass(frozen=True)
class Movement:
    """The movement the message reports; agencies as the operator sent them."""

    occurred_at: datetime
    reason_code: str
    from_agency: str | None
    to_agency: str | None


@dataclass(frozen=True)
class OperatorMessage:
    """One reception, transfer or release document, read."""

    message_type: str
    """reception, transfer or release."""
    header: MessageHeader
    person: OperatorPerson
    movement: Movement
