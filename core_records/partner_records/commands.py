"""Commands from probation (Delius), OASys and private prisons' visits, sentences and
non-associations: what partners tell the record about a person beyond their movements.

Like the movement commands in ``core_records.commands`` they are imperative, frozen and
canonical; ``person`` is every identifier the partner named the person by (a CRN always
for Delius), and ``occurred_at`` is when the partner says it happened, with an offset.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from core_records.identifiers import Identifier

REGISTERED = "REGISTERED"
DEREGISTERED = "DEREGISTERED"

ROSH_LEVELS = ("LOW", "MEDIUM", "HIGH", "VERY_HIGH")
"""Risk of serious harm, lowest first."""
ROSH_GROUPS = ("CHILDREN", "PUBLIC", "KNOWN_ADULT", "STAFF", "PRISONERS")
"""Who is at risk. Levels are assessed in custody and in the community, except for other
prisoners (in custody only)."""


@dataclass(frozen=True)
class RecordProbationCase:
    """Delius has matched a person to its case: record the CRN (``crn``) against them."""

    person: tuple[Identifier, ...]
    """The identifiers Delius knows the person by, the CRN among them."""
    crn: Identifier
    occurred_at: datetime
    date_of_birth: date | None = None
    """When given, it must agree with the record: a mismatch is not the same person."""


@dataclass(frozen=True)
class AllocateOffenderManager:
    """Probation allocated the person's offender manager."""

    person: tuple[Identifier, ...]
    staff_code: str
    staff_name: str
    team_code: str
    provider_code: str
    allocated_on: date
    occurred_at: datetime


@dataclass(frozen=True)
class RecordRegistration:
    """Probation added (``REGISTERED``) or removed (``DEREGISTERED``) a registration, a risk
    flag such as MAPPA (MAPP) or high RoSH (RHRH)."""

    person: tuple[Identifier, ...]
    registration_type: str
    level: str | None
    action: str
    effective_on: date
    occurred_at: datetime


@dataclass(frozen=True)
class LicenceCondition:
    code: str
    description: str


@dataclass(frozen=True)
class RecordLicenceConditions:
    """The conditions of the person's licence, all of them: they replace any earlier set."""

    person: tuple[Identifier, ...]
    licence_starts_on: date
    conditions: tuple[LicenceCondition, ...]
    occurred_at: datetime


@dataclass(frozen=True)
class RoshLevel:
    group: str
    custody: str | None
    community: str | None


@dataclass(frozen=True)
class RecordRiskAssessment:
    """OASys completed an assessment: its summary, RoSH levels per group and scores."""

    person: tuple[Identifier, ...]
    assessment_id: str
    assessment_type: str
    status: str
    rosh: tuple[RoshLevel, ...]
    scores: tuple[tuple[str, int], ...]
    """(score name, percentage): OGRS3_1YR, OGRS3_2YR, OGP_1YR, OVP_1YR, ..."""
    occurred_at: datetime
    """When the assessment was completed."""

    @property
    def overall_rosh(self) -> str:
        """The highest level in any group, custody or community."""
        levels = [lvl for r in self.rosh for lvl in (r.custody, r.community) if lvl is not None]
        return max(levels, key=ROSH_LEVELS.index, default="LOW")


@dataclass(frozen=True)
class Visitor:
    surname: str
    forenames: str
    relationship: str


@dataclass(frozen=True)
class RecordVisit:
    """A visit to a person in custody at ``establishment`` took place, or did not."""

    person: tuple[Identifier, ...]
    establishment: str
    visit_reference: str
    visit_type: str
    """SOCIAL, LEGAL or OFFICIAL."""
    starts_at: datetime
    ends_at: datetime
    outcome: str
    """COMPLETED, CANCELLED, REFUSED or NO_SHOW."""
    visitors: tuple[Visitor, ...]

    @property
    def occurred_at(self) -> datetime:
        return self.starts_at


SENTENCE_DATE_CODES = frozenset(
    {"SED", "LED", "CRD", "ARD", "NPD", "PRRD", "HDCED", "HDCAD", "PED", "APD", "ROTL",
     "ERSED", "ETD", "MTD", "LTD", "TUSED", "TARIFF", "CRSD"}
)  # fmt: skip
"""Sentence key date codes (DOMAIN.md); CRSD is the confirmed release date."""


@dataclass(frozen=True)
class RecordSentence:
    """A sentence calculation for a person in custody at ``establishment``: its key dates
    (code, date), and the imprisonment status (legal status) when stated."""

    person: tuple[Identifier, ...]
    establishment: str
    key_dates: tuple[tuple[str, date], ...]
    occurred_at: datetime
    legal_status: str | None = None


NON_ASSOCIATION_REASONS = {
    "VIC": "victim",
    "PER": "perpetrator",
    "RIV": "rival gang",
    "BUL": "bullying",
    "GAN": "gang related",
    "OTH": "other",
}
"""Why two people must be kept apart, by code."""


@dataclass(frozen=True)
class RecordNonAssociation:
    """Two people in custody must be kept apart, from ``effective_on``: recorded on both
    their records by an operator, for people held in its own ``prisons``."""

    person: tuple[Identifier, ...]
    other_person: tuple[Identifier, ...]
    reason_code: str
    """One of ``NON_ASSOCIATION_REASONS``."""
    effective_on: date
    occurred_at: datetime
    """When the operator recorded it."""
    operator: str
    prisons: frozenset[str]
    """The prisons the operator runs: both people must be held in one of them."""
    comment: str | None = None
    """The operator's note; it stays in the hub, never rendered to partners."""


@dataclass(frozen=True)
class CloseNonAssociation:
    """The open non-association between two people ended on ``ended_on``."""

    person: tuple[Identifier, ...]
    other_person: tuple[Identifier, ...]
    reason_code: str
    """The open non-association's reason: a close names what it closes."""
    effective_on: date
    ended_on: date
    occurred_at: datetime
    operator: str
    prisons: frozenset[str]
    comment: str | None = None


NonAssociationCommand = RecordNonAssociation | CloseNonAssociation


PartnerCommand = (
    RecordProbationCase
    | AllocateOffenderManager
    | RecordRegistration
    | RecordLicenceConditions
    | RecordRiskAssessment
    | RecordVisit
    | RecordSentence
    | RecordNonAssociation
    | CloseNonAssociation
)
