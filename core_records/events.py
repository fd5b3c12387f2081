"""Canonical events: what changed in the record, in the envelope partners already know.

The envelope follows the justice domain's event shape (``eventType``, ``version``,
``occurredAt``, ``publishedAt``, ``description``, ``detailUrl``, ``additionalInformation``,
``personReference.identifiers``) so that partners recognise it. Its JSON Schema is
``schemas/events/envelope.schema.json``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from core_records.identifiers import CRN, CRO, NOMS, PNC, Identifier

# Every event type the record announces, by area.

# custody: receptions, releases, merges of prisoner records
PRISONER_RECEIVED = "prisoner.received"
PRISONER_RELEASED = "prisoner.released"
PRISONER_MERGED = "prisoner.merged"
PRISONER_UNMERGED = "prisoner.unmerged"
PRISONER_UPDATED = "prisoner.updated"
PRISONER_APPLICATION_SUBMITTED = "prisoner.application.submitted"
ALERT_CREATED = "person.alert.created"
ALERT_INACTIVE = "person.alert.inactive"
INCENTIVE_LEVEL_CHANGED = "incentives.level.changed"

# courts: a hearing listed for a person the hub holds (the court's custody notice)
COURT_HEARING_LISTED = "prisoner.court-hearing.listed"

# The canonical reasons of the temporary movements out and back, court (CRT) and temporary
# absence (TAP), raised as ``prisoner.released`` / ``prisoner.received`` as the justice
# domain does: the person stays in their prison's care and count while away, so partners
# that keep a custody record (probation, police, risk) must not record a release or a
# reception for them.
SENT_TO_COURT = "SENT_TO_COURT"
RETURN_FROM_COURT = "RETURN_FROM_COURT"
TEMPORARY_ABSENCE_RELEASE = "TEMPORARY_ABSENCE_RELEASE"
TEMPORARY_ABSENCE_RETURN = "TEMPORARY_ABSENCE_RETURN"
TEMPORARY_MOVEMENT_REASONS = frozenset(
    {SENT_TO_COURT, RETURN_FROM_COURT, TEMPORARY_ABSENCE_RELEASE, TEMPORARY_ABSENCE_RETURN}
)

# police (PNC), security and intelligence
POLICE_IDENTIFIERS_CHANGED = "prisoner.police-identifiers.changed"
SECURITY_ALERT_RAISED = "alert.security.raised"
SECURITY_ALERT_CLOSED = "alert.security.closed"
INTELLIGENCE_FLAG_RAISED = "intelligence.flag.raised"
NON_ASSOCIATION_CREATED = "prisoner.non-association.created"
NON_ASSOCIATION_CLOSED = "prisoner.non-association.closed"

# probation (Delius) and risk (OASys)
PRISON_IDENTIFIER_ADDED = "probation-case.prison-identifier.added"
OFFENDER_MANAGER_ALLOCATED = "probation-case.offender-manager.allocated"
REGISTRATION_ADDED = "probation-case.registration.added"
REGISTRATION_REMOVED = "probation-case.registration.deregistered"
LICENCE_CONDITIONS_CHANGED = "probation-case.licence-conditions.changed"
ASSESSMENT_SUMMARY_PRODUCED = "assessment.summary.produced"
VISIT_RECORDED = "prisoner.visit.recorded"
SENTENCE_DATES_CHANGED = "prisoner.sentence-dates-changed"
IMPRISONMENT_STATUS_CHANGED = "prisoner.imprisonment-status-changed"

# canteen (prison shops)
CANTEEN_TRANSACTION_APPLIED = "canteen.transaction.applied"
CANTEEN_TRANSACTION_REFUSED = "canteen.transaction.refused"

# Security alerts and intelligence flags are security-classified by their type's prefix
# (``adapters.base.is_security_event_type``): only a partner whose policy is
# ``security_cleared`` may receive them.

EVENT_DESCRIPTIONS = {
    PRISONER_RECEIVED: "A prisoner has been received into a prison",
    PRISONER_RELEASED: "A prisoner has been released from a prison",
    PRISONER_MERGED: "Two prisoner records have been merged",
    PRISONER_UNMERGED: "A merge of two prisoner records has been undone",
    PRISONER_UPDATED: "A prisoner's names or date of birth have changed",
    POLICE_IDENTIFIERS_CHANGED: "PNC has assigned, amended or merged a person's police ids",
    SECURITY_ALERT_RAISED: "A security alert has been raised",
    SECURITY_ALERT_CLOSED: "A security alert has been closed",
    INTELLIGENCE_FLAG_RAISED: "An intelligence flag has been raised",
    NON_ASSOCIATION_CREATED: "A non-association has been created",
    NON_ASSOCIATION_CLOSED: "A non-association has been closed",
    COURT_HEARING_LISTED: "A court has listed a hearing for a person in custody",
    INCENTIVE_LEVEL_CHANGED: "A prisoner's incentive level has changed",
}


EVENT_IDENTIFIER_TYPES = (NOMS, PNC, CRO, CRN)
"""The identifiers an event's personReference carries, in this order."""


DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"
_public_url = [DEFAULT_PUBLIC_URL]
"""Where the hub's API is reached from outside: one per deployment, set by the composition
root (``publish_detail_urls_under``), so that ``detailUrl`` is absolute wherever an
envelope is made (outbox, relay, subscribers) without each being handed the address."""


def publish_detail_urls_under(public_url: str) -> None:
    """Make every ``detailUrl`` from now on absolute under ``public_url``."""
    _public_url[0] = public_url.rstrip("/")


def detail_url(prison_number: str) -> str:
    """The data-share URL of the person: absolute, so that a consumer calls it as given with
    its own token (the purpose taken from the token's grant)."""
    return f"{_public_url[0]}/api/v1/people/{prison_number}"


def new_event_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class CanonicalEvent:
    """One business event about one person."""

    event_type: str
    occurred_at: datetime
    person_identifiers: tuple[Identifier, ...]
    additional_information: Mapping[str, Any]
    event_id: str = field(default_factory=new_event_id)
    version: int = 1
    description: str = ""
    published_at: datetime | None = None

    @property
    def person_key(self) -> str | None:
        """The prison number, which orders deliveries per person and keys journal searches."""
        for identifier in self.person_identifiers:
            if identifier.type == "NOMS":
                return identifier.value
        return None

    def to_envelope(self) -> dict[str, Any]:
        envelope: dict[str, Any] = {
            "eventId": self.event_id,
            "eventType": self.event_type,
            "version": self.version,
            "occurredAt": self.occurred_at.isoformat(),
            "publishedAt": (self.published_at or datetime.now(UTC)).isoformat(),
            "description": self.description or EVENT_DESCRIPTIONS.get(self.event_type, ""),
            "additionalInformation": dict(self.additional_information),
            "personReference": {
                "identifiers": [{"type": i.type, "value": i.value} for i in self.person_identifiers]
            },
        }
        if self.person_key:
            envelope["detailUrl"] = detail_url(self.person_key)
        return envelope

    def to_json(self) -> bytes:
        return json.dumps(self.to_envelope(), separators=(",", ":"), sort_keys=True).encode()

    @classmethod
    def from_envelope(cls, envelope: Mapping[str, Any]) -> CanonicalEvent:
        return cls(
            event_id=envelope["eventId"],
            event_type=envelope["eventType"],
            version=int(envelope["version"]),
            occurred_at=datetime.fromisoformat(envelope["occurredAt"]),
            published_at=(
                datetime.fromisoformat(envelope["publishedAt"])
                if envelope.get("publishedAt")
                else None
            ),
            description=envelope.get("description", ""),
            additional_information=dict(envelope.get("additionalInformation", {})),
            person_identifiers=tuple(
                Identifier(i["type"], i["value"])
                for i in envelope.get("personReference", {}).get("identifiers", [])
            ),
        )

    @classmethod
    def from_json(cls, body: bytes) -> CanonicalEvent:
        return cls.from_envelope(json.loads(body))


def person_event(
    event_type: str,
    occurred_at: datetime,
    identifiers: Iterable[Identifier],
    information: dict[str, Any],
    *,
    description: str = "",
) -> CanonicalEvent:
    """An event about the person who holds ``identifiers``: its personReference carries
    those of ``EVENT_IDENTIFIER_TYPES``, in that order, once each."""
    reference = sorted(
        (i for i in set(identifiers) if i.type in EVENT_IDENTIFIER_TYPES),
        key=lambda i: (EVENT_IDENTIFIER_TYPES.index(i.type), i.value),
    )
    return CanonicalEvent(
        event_type=event_type,
        occurred_at=occurred_at,
        person_identifiers=tuple(reference),
        additional_information=information,
        description=description,
    )


def naming_prison_number(event: CanonicalEvent, prison_number: str) -> CanonicalEvent:
    """``event`` with ``prison_number`` the only NOMS number in its personReference: after a
    merge the record also holds the retired number (so that messages naming it still find
    the person), but partners are told the surviving one."""
    return replace(
        event,
        person_identifiers=tuple(
            i for i in event.person_identifiers if i.type != NOMS or i.value == prison_number
        ),
    )
