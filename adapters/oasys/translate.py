"""An OASys assessment summary (format v1) to ``RecordRiskAssessment``: a pure translator.

The schema has been checked first. Here: the person must be named (prison number or CRN),
a group may appear once, the PRISONERS group has no community level (other prisoners are a
risk in custody only), a group must give at least one level, and a score may appear once.
"""

from __future__ import annotations

from datetime import datetime

from lxml import etree

from adapters.base import PartnerScope
from adapters.render_kit import ElementPaths
from core_records.errors import InvalidMessage
from core_records.identifiers import CRN, NOMS, parse_identifier
from core_records.partner_records.commands import RecordRiskAssessment, RoshLevel

NAMESPACE = "urn:gatehouse:oasys:assessment:v1"
SCHEMA = "oasys/assessment-summary-v1.xsd"
_NS = {"o": NAMESPACE}
_PATHS = ElementPaths(NAMESPACE, "o", "/AssessmentSummary")
_text = _PATHS.text
_required = _PATHS.required


def _refused(reason: str, element: str, rule: str) -> InvalidMessage:
    return InvalidMessage(reason, element=f"/AssessmentSummary/{element}", rule=rule)


def _rosh(document: etree._Element) -> tuple[RoshLevel, ...]:
    levels: list[RoshLevel] = []
    for risk in document.iterfind("o:RiskOfSeriousHarm/o:Risk", _NS):
        group = str(risk.get("group"))
        level = RoshLevel(group, _text(risk, "o:Custody"), _text(risk, "o:Community"))
        if any(seen.group == group for seen in levels):
            raise _refused(
                f"the group {group} is assessed twice", "RiskOfSeriousHarm", "group-repeated"
            )
        if level.custody is None and level.community is None:
            raise _refused(f"the group {group} has no level", "RiskOfSeriousHarm", "level-required")
        if group == "PRISONERS" and level.community is not None:
            raise _refused(
                "other prisoners are at risk in custody only: PRISONERS has no community level",
                "RiskOfSeriousHarm",
                "prisoners-in-custody-only",
            )
        levels.append(level)
    return tuple(levels)


def _scores(document: etree._Element) -> tuple[tuple[str, int], ...]:
    scores = [
        (str(s.get("name")), int(s.text or "")) for s in document.iterfind("o:Scores/o:Score", _NS)
    ]
    names = [name for name, _ in scores]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise _refused(
            f"the score {', '.join(repeated)} is given twice", "Scores", "score-repeated"
        )
    return tuple(scores)


def translate_assessment(
    document: etree._Element, scope: PartnerScope
) -> tuple[RecordRiskAssessment]:
    person = tuple(
        parse_identifier(kind, value)
        for kind, path in ((NOMS, "o:Offender/o:NomsNumber"), (CRN, "o:Offender/o:Crn"))
        if (value := _text(document, path))
    )
    if not person:
        raise _refused(
            "an assessment must name the person by a prison number or CRN",
            "Offender",
            "identifier-required",
        )
    return (
        RecordRiskAssessment(
            person=person,
            assessment_id=_required(document, "o:Assessment/o:AssessmentId"),
            assessment_type=_required(document, "o:Assessment/o:Type"),
            status=_required(document, "o:Assessment/o:Status"),
            rosh=_rosh(document),
            scores=_scores(document),
            occurred_at=datetime.fromisoformat(_required(document, "o:Assessment/o:CompletedAt")),
        ),
    )
