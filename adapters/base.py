"""The adapter contract: what a partner adapter declares, and the pure functions it provides.

An adapter is a declaration plus pure functions. Inbound, it names the message types its
partners may send, each with a schema and a translator from the partner document to
canonical commands. Outbound, it names the event types its partner receives, each with a
renderer from a canonical event to the partner document. Routing runs adapters through this
contract only; an adapter never does I/O and never imports another adapter.

What a partner may see is its ``SharingPolicy``, applied centrally (``SharingPolicy.apply``)
before any renderer runs, so that a renderer cannot leak a field even by mistake: it never
receives one.

This module depends only on ``core_records`` and ``schemas``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from core_records.commands import Command
from core_records.errors import InvalidMessage
from core_records.events import CanonicalEvent
from schemas.json_documents import load_json_schema, parse_json, validate_json
from schemas.loader import load_schema, validate
from schemas.xml import DEFAULT_MAX_BYTES, parse_xml


@dataclass(frozen=True)
class PartnerScope:
    """Who is calling, and what they may touch.

    ``establishments`` is the set of prison codes a private-prison operator runs; it is
    empty for partners that are not tied to prisons.
    """

    partner: str
    adapter: str
    establishments: frozenset[str] = frozenset()


Translator = Callable[[Any, PartnerScope], tuple[Command, ...]]
"""Partner document in (an lxml element, or for a JSON type the parsed JSON value),
canonical commands out. Raises ``PermanentError`` subclasses only:
``InvalidMessage`` for a document it cannot read, ``InvalidIdentifier`` for a bad
identifier, ``NotPermitted`` for a request outside the partner's scope."""

Renderer = Callable[[CanonicalEvent], bytes | None]
"""Canonical event (already cut down by the sharing policy) in, partner document out; or
None when the partner needs nothing for this particular event (Delius, say, learns of a
transfer from the ``prisoner.received`` at the new prison, not from the release at the old)."""


XML = "xml"
JSON = "json"

MESSAGE_REFERENCE = "{*}MessageHeader/{*}MessageReference"
"""Where most partners' XML documents carry their own reference for the message."""


@dataclass(frozen=True)
class InboundType:
    name: str
    schema: str
    """Path of the schema under the ``schemas`` package: an XSD for XML
    (``private_prisons/reception-v1.xsd``), a JSON Schema for JSON
    (``kiosks/order-v1.schema.json``)."""
    translate: Translator
    format: str = XML
    """``xml`` or ``json``: how the edge and ingest parse and validate the body."""
    reference_at: str | None = None
    """Where a document carries the partner's own reference for the message, unique per
    message, which the edge keys resends on: an ElementPath from the root for XML
    (``MESSAGE_REFERENCE``), a top-level key for JSON. None: the format has none, and the
    edge takes an ``Idempotency-Key`` header instead."""

    @property
    def content_type(self) -> str:
        return "application/json" if self.format == JSON else "application/xml"

    def load_schema(self) -> None:
        """Compile the schema (cached), so that a broken one fails at declaration time."""
        if self.format == JSON:
            load_json_schema(self.schema)
        else:
            load_schema(self.schema)

    def parse(self, body: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Any:
        """The document in ``body``, parsed safely; ``InvalidMessage`` if it cannot be read."""
        if self.format == JSON:
            return parse_json(body, max_bytes=max_bytes)
        return parse_xml(body, max_bytes=max_bytes)

    def validate(self, document: Any) -> None:
        """``InvalidMessage`` naming the place and rule if ``document`` breaks the schema."""
        if self.format == JSON:
            validate_json(document, self.schema)
        else:
            validate(document, self.schema)

    def reference(self, document: Any) -> str | None:
        """The partner's reference for the message in a parsed ``document``, if it has one."""
        if self.reference_at is None:
            return None
        if self.format == JSON:
            value = document.get(self.reference_at) if isinstance(document, dict) else None
            return value.strip() or None if isinstance(value, str) else None
        text = document.findtext(self.reference_at)
        return text.strip() or None if text else None

    def read(self, body: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Any:
        """Parse and validate: the document, ready for ``translate``."""
        document = self.parse(body, max_bytes=max_bytes)
        self.validate(document)
        return document


@dataclass(frozen=True)
class Subscription:
    event_type: str
    render: Renderer
    schema: str | None = None
    """Path of the XSD the rendered document must satisfy, under the ``schemas`` package,
    when the partner's format has one (the contract kit validates rendered samples with it)."""


EVERYONE = "everyone"
OWN_PRISONS = "own_prisons"
ROW_SCOPES = (EVERYONE, OWN_PRISONS)

SECURITY_EVENT_PREFIXES = ("alert.security.", "intelligence.", "security.")
"""Event types that are the security application's business alone (``alert.security.*``,
``intelligence.*``, ``security.*``)."""

SECURITY_ALERT_TYPE = "X"
"""The alert type of security alerts (XEL escape list, XSA staff assaulter, ...)."""

EVENT_PRISON_KEYS = ("prisonId",)
"""The ``additionalInformation`` key naming the prison an event happened at."""


def is_security_event_type(event_type: str) -> bool:
    return event_type.startswith(SECURITY_EVENT_PREFIXES)


def carries_security_alert(event: CanonicalEvent) -> bool:
    """True for an event about a security (X) alert, whatever its type is called: an
    ``alertType`` of X, or an ``alertCode`` starting with X. Deny by default: a partner must
    be security-cleared to receive it."""
    information = event.additional_information
    alert_type = information.get("alertType")
    alert_code = information.get("alertCode")
    return is_security_event_type(event.event_type) or (
        alert_type == SECURITY_ALERT_TYPE
        or (isinstance(alert_code, str) and alert_code.upper().startswith(SECURITY_ALERT_TYPE))
    )


def event_prisons(event: CanonicalEvent) -> frozenset[str]:
    """The prisons an event happened at, as its ``additionalInformation`` names them."""
    information = event.additional_information
    return frozenset(
        value for key in EVENT_PRISON_KEYS if isinstance(value := information.get(key), str)
    )


@dataclass(frozen=True)
class SharingPolicy:
    """What one partner may receive: which event types, and which fields of them.

    ``identifier_types`` limits ``personReference.identifiers``; ``information_keys`` limits
    the keys of ``additionalInformation``. Anything not named is withheld.
    """

    event_types: frozenset[str]
    identifier_types: frozenset[str]
    information_keys: frozenset[str]
    person_fields: frozenset[str] = frozenset()
    """Keys of the person view (``core_records.custody.person_view``) the partner may read through
    the data share; empty means no data-share access."""
    rows: str = EVERYONE
    """Whose events the partner receives: ``EVERYONE``, or ``OWN_PRISONS`` for a partner
    tied to prisons (a private-prison operator), which receives an event only when the
    prison it happened at is one of its own (``Adapter.recipients``)."""
    security_cleared: bool = False
    """Only a security-cleared partner (the security application) may receive security
    events; for every other partner they are withheld whatever ``event_types`` says."""
    purposes: frozenset[str] = frozenset()
    """Why the partner may read through the data share (its data-sharing agreement's
    purposes): a read that gives none takes the one, if there is exactly one."""

    def allows(self, event_type: str) -> bool:
        if is_security_event_type(event_type) and not self.security_cleared:
            return False
        return event_type in self.event_types

    def permits(self, event: CanonicalEvent) -> bool:
        """Whether the partner may receive this event at all: its type, and, for a partner
        that is not security-cleared, no security (X) alert in it."""
        if not self.allows(event.event_type):
            return False
        return self.security_cleared or not carries_security_alert(event)

    def apply(self, event: CanonicalEvent) -> CanonicalEvent:
        """The event cut down to what the partner may see."""
        return replace(
            event,
            person_identifiers=tuple(
                i for i in event.person_identifiers if i.type in self.identifier_types
            ),
            additional_information={
                key: value
                for key, value in event.additional_information.items()
                if key in self.information_keys
            },
        )


NOTHING_SHARED = SharingPolicy(frozenset(), frozenset(), frozenset())


@dataclass(frozen=True)
class Adapter:
    """One partner system's adapter."""

    name: str
    """Lower-case, used in URLs and queue names, e.g. ``private_prisons``."""
    partner: str
    """The partner system, as a service manager would name it."""
    partners: Mapping[str, PartnerScope]
    """The partner identities credentials may be issued to, by name."""
    inbound: Mapping[str, InboundType] = field(default_factory=dict)
    subscriptions: Mapping[str, Subscription] = field(default_factory=dict)
    policy: SharingPolicy = NOTHING_SHARED
    delivery: str | None = None
    """How outbound documents travel (``http``), or None for an inbound-only adapter."""
    delivery_content_type: str = "application/xml"
    transports: tuple[str, ...] = ("http",)

    def inbound_type(self, message_type: str) -> InboundType:
        try:
            return self.inbound[message_type]
        except KeyError:
            known = ", ".join(sorted(self.inbound)) or "none"
            raise InvalidMessage(
                f"{self.name} does not accept {message_type!r} messages (it accepts: {known})",
                rule="message-type",
            ) from None

    def translate(
        self, message_type: str, document: Any, scope: PartnerScope
    ) -> tuple[Command, ...]:
        return self.inbound_type(message_type).translate(document, scope)

    def render(self, event: CanonicalEvent) -> bytes | None:
        """The partner document for ``event``, or None when the partner does not receive it
        (not subscribed, withheld by the policy, or nothing the partner needs).

        The policy is applied here, before the renderer sees the event.
        """
        subscription = self.subscriptions.get(event.event_type)
        if subscription is None or not self.policy.permits(event):
            return None
        return subscription.render(self.policy.apply(event))

    def recipients(self, event: CanonicalEvent) -> tuple[str, ...]:
        """The partner identities that may receive ``event``: none when the policy withholds
        it; with row scope ``OWN_PRISONS``, only the partners running the prison it
        happened at (an event naming no prison goes to none of them); else every partner."""
        if event.event_type not in self.subscriptions or not self.policy.permits(event):
            return ()
        if self.policy.rows == EVERYONE:
            return tuple(sorted(self.partners))
        prisons = event_prisons(event)
        return tuple(
            sorted(
                partner
                for partner, scope in self.partners.items()
                if prisons and prisons <= scope.establishments
            )
        )

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "partner": self.partner,
            "transports": list(self.transports),
            "inbound": sorted(self.inbound),
            "subscriptions": sorted(self.subscriptions),
            "rows": self.policy.rows,
        }
