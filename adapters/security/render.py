"""Canonical events to security application documents (format v1): pure renderers.

prisoner.received / prisoner.released           Movement (IN / OUT), transfers included:
                                                the application tracks every move
person.alert.created / person.alert.inactive    Alert (ACTIVE / INACTIVE)
prisoner.non-association.created / .closed      NonAssociation (OPEN / CLOSED)
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from adapters.render_kit import OutboundXml, document_bytes
from adapters.render_kit import identifiers as identifiers_of
from adapters.security.documents import NAMESPACE
from core_records.events import (
    ALERT_CREATED,
    ALERT_INACTIVE,
    NON_ASSOCIATION_CLOSED,
    NON_ASSOCIATION_CREATED,
    PRISONER_RECEIVED,
    PRISONER_RELEASED,
    CanonicalEvent,
)
from core_records.identifiers import CRO, NOMS, PNC
from schemas.xsd_values import xsd_date_time

MOVEMENT_KEYS = frozenset(
    {"prisonId", "reason", "movementReasonCode", "fromPrisonId", "toPrisonId"}
)
ALERT_KEYS = frozenset({"alertType", "alertCode"})
NON_ASSOCIATION_KEYS = frozenset({"otherPrisonNumber", "reasonCode"})
INFORMATION_KEYS = MOVEMENT_KEYS | ALERT_KEYS | NON_ASSOCIATION_KEYS
"""The keys of ``additionalInformation`` the documents are made from."""


_SECURITY = OutboundXml(NAMESPACE, "a security document", "security-render")
_cannot_render = _SECURITY.cannot_render
_information = _SECURITY.information
_add = _SECURITY.add


def _start(event: CanonicalEvent, root_name: str) -> etree._Element:
    if event.occurred_at.utcoffset() is None:
        raise _cannot_render(event, "occurredAt has no offset from UTC")
    identifiers = identifiers_of(event)
    if NOMS not in identifiers:
        raise _cannot_render(event, "the person has no NOMS number")
    root = _SECURITY.root(root_name)
    _add(root, "EventId", event.event_id)
    _add(root, "OccurredAt", xsd_date_time(event.occurred_at))
    person = _add(root, "Person")
    for name, identifier_type in (("PrisonNumber", NOMS), ("PncId", PNC), ("CroNumber", CRO)):
        if identifier_type in identifiers:
            _add(person, name, identifiers[identifier_type])
    return root


def render_movement(event: CanonicalEvent) -> bytes:
    root = _start(event, "Movement")
    _add(root, "Direction", "IN" if event.event_type == PRISONER_RECEIVED else "OUT")
    _add(root, "EstablishmentCode", _information(event, "prisonId"))
    _add(root, "Reason", _information(event, "reason"))
    _add(root, "MovementReasonCode", _information(event, "movementReasonCode"))
    for name, key in (("FromPrison", "fromPrisonId"), ("ToPrison", "toPrisonId")):
        if key in event.additional_information:
            _add(root, name, _information(event, key))
    return document_bytes(root)


def render_alert(event: CanonicalEvent) -> bytes:
    root = _start(event, "Alert")
    _add(root, "Status", "ACTIVE" if event.event_type == ALERT_CREATED else "INACTIVE")
    _add(root, "AlertType", _information(event, "alertType"))
    _add(root, "AlertCode", _information(event, "alertCode"))
    return document_bytes(root)


def render_non_association(event: CanonicalEvent) -> bytes:
    root = _start(event, "NonAssociation")
    _add(root, "OtherPrisonNumber", _information(event, "otherPrisonNumber"))
    _add(root, "Status", "OPEN" if event.event_type == NON_ASSOCIATION_CREATED else "CLOSED")
    _add(root, "ReasonCode", _information(event, "reasonCode"))
    return document_bytes(root)


RENDERERS: dict[str, Callable[[CanonicalEvent], bytes]] = {
    PRISONER_RECEIVED: render_movement,
    PRISONER_RELEASED: render_movement,
    ALERT_CREATED: render_alert,
    ALERT_INACTIVE: render_alert,
    NON_ASSOCIATION_CREATED: render_non_association,
    NON_ASSOCIATION_CLOSED: render_non_association,
}
