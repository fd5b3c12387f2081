"""A simulated PNC, for tests and the demo: what PNC does with Gatehouse's documents, and
the documents PNC sends. Pure: documents in, documents out; ``routing.simulated_partner``
carries them over AMQP.

It knows some people by (surname, date of birth) and answers lookups for them FOUND; anyone
else is NOT_FOUND, unless ``assign_unknown``, when PNC creates a record and answers FOUND
with a new PNC id and CRO number (check letters and all). Custody statuses are kept, in
order, so that a test can say what PNC was told.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from lxml import etree

from adapters.pnc.documents import NAMESPACE
from core_records.identifiers import cro_check_letter, pnc_check_letter
from schemas.xml import parse_xml
from schemas.xsd_values import xsd_date_time

PersonKey = tuple[str, str]
"""(surname in capitals, date of birth as YYYY-MM-DD)."""


def pnc_id(year: int, serial: int) -> str:
    return f"{year:04d}/{serial:07d}{pnc_check_letter(year, serial)}"


def cro_number(serial: int, year: int) -> str:
    two = f"{year % 100:02d}"
    return f"{serial:06d}/{two}{cro_check_letter(str(serial), two)}"


def _add(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{NAMESPACE}}}{name}")
    element.text = text
    return element


def _document(root_name: str, reference: str) -> etree._Element:
    root = etree.Element(f"{{{NAMESPACE}}}{root_name}", nsmap={None: NAMESPACE})
    header = _add(root, "Header")
    _add(header, "Reference", reference)
    _add(header, "SentAt", xsd_date_time(datetime.now(UTC)))
    return root


def _bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


@dataclass
class PncSimulator:
    known: dict[PersonKey, tuple[str, str | None]] = field(default_factory=dict)
    """People PNC has a record of: (surname, date of birth) to (PNC id, CRO number)."""
    assign_unknown: bool = False
    year: int = 2024
    custody: list[dict[str, str]] = field(default_factory=list)
    """The custody statuses received: PncId, PrisonNumber, Status, EstablishmentCode and
    LicenceType (when there was a licence notice)."""
    lookups: list[dict[str, str]] = field(default_factory=list)
    """The lookup requests received."""
    _serials: itertools.count = field(default_factory=lambda: itertools.count(500_001))

    def respond(self, message_type: str, body: bytes) -> list[tuple[str, bytes]]:
        """PNC's answers to one document from Gatehouse."""
        document = parse_xml(body)
        fields = {
            etree.QName(child).localname: (child.text or "").strip()
            for child in document.iter()
            if len(child) == 0 and isinstance(child.tag, str)
        }
        kind = etree.QName(document).localname
        if kind == "CustodyStatus":
            self.custody.append(fields)
            return []
        if kind == "LookupRequest":
            self.lookups.append(fields)
            return [("reply", self.lookup_reply(fields))]
        return []

    def lookup_reply(self, request: dict[str, str]) -> bytes:
        key = (request["Surname"].upper(), request["DateOfBirth"])
        found = self.known.get(key)
        if found is None and self.assign_unknown:
            found = self.new_record(key, request.get("CroNumber"))
        root = _document("LookupReply", f"PNC-LKP-{uuid.uuid4().hex[:10]}")
        _add(root, "RequestId", request["RequestId"])
        _add(root, "PrisonNumber", request["PrisonNumber"])
        _add(root, "Outcome", "FOUND" if found else "NOT_FOUND")
        if found:
            _add(root, "PncId", found[0])
            if found[1]:
                _add(root, "CroNumber", found[1])
        _add(root, "AnsweredAt", xsd_date_time(datetime.now(UTC)))
        return _bytes(root)

    def new_record(self, key: PersonKey, cro: str | None = None) -> tuple[str, str]:
        """A new PNC record; it keeps the CRO number the person already has, if any."""
        serial = next(self._serials)
        record = (pnc_id(self.year, serial), cro or cro_number(serial % 1_000_000, self.year))
        self.known[key] = record
        return record

    # --- what PNC sends of its own accord -------------------------------------------------

    def identifiers_assigned(self, prison_number: str, pnc: str, cro: str | None = None) -> bytes:
        root = _document("IdentifiersAssigned", f"PNC-ID-{uuid.uuid4().hex[:10]}")
        _add(root, "PrisonNumber", prison_number)
        _add(root, "PncId", pnc)
        if cro:
            _add(root, "CroNumber", cro)
        _add(root, "AssignedAt", xsd_date_time(datetime.now(UTC)))
        return _bytes(root)

    def amendment(
        self, pnc: str, cro: str | None = None, names: tuple[tuple[str, str], ...] = ()
    ) -> bytes:
        root = _document("RecordAmended", f"PNC-AM-{uuid.uuid4().hex[:10]}")
        _add(root, "PncId", pnc)
        if cro:
            _add(root, "CroNumber", cro)
        for surname, forenames in names:
            name = _add(root, "Name")
            _add(name, "Surname", surname)
            _add(name, "Forenames", forenames)
        _add(root, "AmendedAt", xsd_date_time(datetime.now(UTC)))
        return _bytes(root)

    def merge(self, retained: str, merged: str) -> bytes:
        root = _document("RecordsMerged", f"PNC-MG-{uuid.uuid4().hex[:10]}")
        _add(root, "RetainedPncId", retained)
        _add(root, "MergedPncId", merged)
        _add(root, "MergedAt", xsd_date_time(datetime.now(UTC)))
        return _bytes(root)
