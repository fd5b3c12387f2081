"""A simulated security application, for tests and the demo. Pure: documents in, documents
out; ``routing.simulated_partner`` carries them over AMQP.

It keeps every document Gatehouse sends it, and, as a security department would, reacts to
some arrivals: every ``flag_every``-th person received is given an intelligence flag, and
anyone arriving on a security transfer (TRN reason SEC) is put on the escape list.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from lxml import etree

from adapters.security.documents import NAMESPACE
from schemas.xml import parse_xml
from schemas.xsd_values import xsd_date_time

FLAG_CODES = ("GANG_AFFILIATION", "DRUG_SUPPLY", "MOBILE_PHONE", "CORRUPTION")


def _add(parent: etree._Element, name: str, text: str) -> None:
    etree.SubElement(parent, f"{{{NAMESPACE}}}{name}").text = text


def _document(root_name: str, prison_number: str) -> etree._Element:
    root = etree.Element(f"{{{NAMESPACE}}}{root_name}", nsmap={None: NAMESPACE})
    header = etree.SubElement(root, f"{{{NAMESPACE}}}Header")
    _add(header, "Reference", f"SEC-MSG-{uuid.uuid4().hex[:10]}")
    _add(header, "SentAt", xsd_date_time(datetime.now(UTC)))
    _add(root, "PrisonNumber", prison_number)
    return root


def _bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def security_alert(prison_number: str, code: str, reference: str, *, raised: bool = True) -> bytes:
    root = _document("SecurityAlert", prison_number)
    _add(root, "AlertReference", reference)
    _add(root, "AlertCode", code)
    _add(root, "Status", "RAISED" if raised else "CLOSED")
    _add(root, "At", xsd_date_time(datetime.now(UTC)))
    return _bytes(root)


def intelligence_flag(prison_number: str, code: str, grading: str, reference: str) -> bytes:
    root = _document("IntelligenceFlag", prison_number)
    _add(root, "FlagReference", reference)
    _add(root, "FlagCode", code)
    _add(root, "Grading", grading)
    _add(root, "RaisedAt", xsd_date_time(datetime.now(UTC)))
    return _bytes(root)


@dataclass
class SecuritySimulator:
    flag_every: int = 5
    received: list[dict[str, str]] = field(default_factory=list)
    """Every document received, as its leaf elements (and its kind under ``document``)."""
    _arrivals: int = 0

    def respond(self, message_type: str, body: bytes) -> list[tuple[str, bytes]]:
        document = parse_xml(body)
        fields = {
            etree.QName(e).localname: (e.text or "").strip()
            for e in document.iter()
            if len(e) == 0 and isinstance(e.tag, str)
        }
        fields["document"] = etree.QName(document).localname
        self.received.append(fields)
        if fields["document"] != "Movement" or fields.get("Direction") != "IN":
            return []
        prison_number = fields["PrisonNumber"]
        answers: list[tuple[str, bytes]] = []
        if fields.get("MovementReasonCode") == "SEC":
            reference = f"SEC-ALT-{uuid.uuid4().hex[:10]}"
            answers.append(("alert", security_alert(prison_number, "XEL", reference)))
        self._arrivals += 1
        if self._arrivals % self.flag_every == 0:
            code = FLAG_CODES[self._arrivals // self.flag_every % len(FLAG_CODES)]
            reference = f"INT-{uuid.uuid4().hex[:10]}"
            answers.append(("flag", intelligence_flag(prison_number, code, "B2", reference)))
        return answers
