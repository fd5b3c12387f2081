"""What Delius sends (format v1) to canonical commands: pure translators.

    case          ProbationCase              -> RecordProbationCase (the CRN of a person)
    allocation    OffenderManagerAllocation  -> AllocateOffenderManager
    registration  Registration               -> RecordRegistration (a risk flag)
    licence       LicenceConditions          -> RecordLicenceConditions

The schema has been checked before a translator runs; identifiers are parsed to canonical
form here (``InvalidIdentifier`` says what is wrong with one). Who the person is, and
whether the record allows the change, is the store's business.
"""

from __future__ import annotations

from datetime import date, datetime

from lxml import etree

from adapters.base import PartnerScope
from adapters.render_kit import ElementPaths
from core_records.errors import InvalidMessage
from core_records.identifiers import CRN, CRO, NOMS, PNC, Identifier, parse_identifier
from core_records.partner_records.commands import (
    AllocateOffenderManager,
    LicenceCondition,
    RecordLicenceConditions,
    RecordProbationCase,
    RecordRegistration,
)

NAMESPACE = "urn:gatehouse:delius:probation:v1"
SCHEMAS = {
    "case": "delius/probation-case-v1.xsd",
    "allocation": "delius/allocation-v1.xsd",
    "registration": "delius/registration-v1.xsd",
    "licence": "delius/licence-v1.xsd",
}
_NS = {"d": NAMESPACE}
_PATHS = ElementPaths(NAMESPACE, "d")
_text = _PATHS.text
_required = _PATHS.required


def _sent_at(document: etree._Element) -> datetime:
    return datetime.fromisoformat(_required(document, "d:MessageHeader/d:SentAt"))


def _case(document: etree._Element) -> tuple[Identifier, ...]:
    """The CRN and, when Delius gives it, the prison number."""
    crn = parse_identifier(CRN, _required(document, "d:Case/d:Crn"))
    noms = _text(document, "d:Case/d:NomsNumber")
    return (crn, parse_identifier(NOMS, noms)) if noms else (crn,)


def translate_case(document: etree._Element, scope: PartnerScope) -> tuple[RecordProbationCase]:
    crn = parse_identifier(CRN, _required(document, "d:Crn"))
    known = [
        parse_identifier(kind, value)
        for kind, path in ((NOMS, "d:NomsNumber"), (PNC, "d:PncId"), (CRO, "d:CroNumber"))
        if (value := _text(document, f"d:Offender/{path}"))
    ]
    if not known:
        raise InvalidMessage(
            "a probation case must name the person by a prison number, PNC id or CRO number",
            element="/ProbationCase/Offender",
            rule="identifier-required",
        )
    born = _text(document, "d:Offender/d:DateOfBirth")
    return (
        RecordProbationCase(
            person=(*known, crn),
            crn=crn,
            occurred_at=_sent_at(document),
            date_of_birth=date.fromisoformat(born) if born else None,
        ),
    )


def translate_allocation(
    document: etree._Element, scope: PartnerScope
) -> tuple[AllocateOffenderManager]:
    manager = "d:OffenderManager/d:"
    return (
        AllocateOffenderManager(
            person=_case(document),
            staff_code=_required(document, f"{manager}StaffCode"),
            staff_name=_required(document, f"{manager}Name"),
            team_code=_required(document, f"{manager}TeamCode"),
            provider_code=_required(document, f"{manager}ProviderCode"),
            allocated_on=date.fromisoformat(_required(document, "d:AllocatedOn")),
            occurred_at=_sent_at(document),
        ),
    )


def translate_registration(
    document: etree._Element, scope: PartnerScope
) -> tuple[RecordRegistration]:
    return (
        RecordRegistration(
            person=_case(document),
            registration_type=_required(document, "d:Type"),
            level=_text(document, "d:Level"),
            action=_required(document, "d:Action"),
            effective_on=date.fromisoformat(_required(document, "d:EffectiveOn")),
            occurred_at=_sent_at(document),
        ),
    )


def translate_licence(
    document: etree._Element, scope: PartnerScope
) -> tuple[RecordLicenceConditions]:
    conditions = tuple(
        LicenceCondition(_required(c, "d:Code"), _required(c, "d:Description"))
        for c in document.iterfind("d:Conditions/d:Condition", _NS)
    )
    codes = [c.code for c in conditions]
    repeated = sorted({code for code in codes if codes.count(code) > 1})
    if repeated:
        raise InvalidMessage(
            f"the licence lists the condition {', '.join(repeated)} more than once",
            element="/LicenceConditions/Conditions",
            rule="condition-repeated",
        )
    return (
        RecordLicenceConditions(
            person=_case(document),
            licence_starts_on=date.fromisoformat(_required(document, "d:LicenceStartsOn")),
            conditions=conditions,
            occurred_at=_sent_at(document),
        ),
    )
