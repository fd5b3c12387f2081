"""What the HTTP edges check of a posted document before it is accepted: that it can be
read, that it meets its schema and the adapter's rules (by translating it, as ingest will),
and who it is about, which chooses its ingest partition. Shared by the partners' inbound
edge (``gatehouse.api.inbound``) and the case-management API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi.responses import JSONResponse

from adapters.base import InboundType, PartnerScope
from core_records.errors import InvalidIdentifier, InvalidMessage, NotPermitted, PermanentError
from core_records.identity.person_keys import person_key_of
from gatehouse.api.problems import problem


@dataclass(frozen=True)
class CheckedDocument:
    """A document the edge accepts, and who it is about as far as it can tell."""

    document: Any
    """As parsed (an lxml element, or JSON values)."""
    person_key: str | None
    """``core_records.identity.person_keys.person_key_of`` its commands: its ingest
    partition."""


def read_document(
    inbound_type: InboundType, body: bytes, scope: PartnerScope, max_body_bytes: int
) -> JSONResponse | CheckedDocument:
    """Parse and check a posted body: 400 when it cannot be read, the refusal of
    ``check_document`` when it breaks the rules, else the document and who it is about."""
    try:
        document = inbound_type.parse(body, max_bytes=max_body_bytes)
    except InvalidMessage as error:
        unreadable = f"invalid_{inbound_type.format}"
        return problem(400, unreadable, error.reason, line=error.line, rule=error.rule)
    return check_document(inbound_type, document, scope)


def check_document(
    inbound_type: InboundType, document: Any, scope: PartnerScope
) -> JSONResponse | CheckedDocument:
    """The refusal of a document that breaks its schema or the adapter's rules; else who
    it is about, read from the commands it translates to (translated here once anyway)."""
    try:
        inbound_type.validate(document)
        commands = inbound_type.translate(document, scope)
    except InvalidMessage as error:
        return problem(
            422,
            "invalid_message",
            error.reason,
            element=error.element,
            line=error.line,
            rule=error.rule,
        )
    except InvalidIdentifier as error:
        return problem(422, "invalid_identifier", error.reason, rule="identifier")
    except NotPermitted as error:
        return problem(403, "forbidden", error.reason)
    except PermanentError as error:
        return problem(422, "invalid_message", error.reason)
    return CheckedDocument(document, person_key_of(commands))
