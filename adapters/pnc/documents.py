"""PNC's message format (Gatehouse's own, v1): namespace, schemas and element helpers.

Inbound message types (the AMQP ``type`` PNC sets) and their root elements:

    identifiers   IdentifiersAssigned   PNC id and CRO number given to a person in custody
    amendment     RecordAmended         a corrected CRO number, names PNC holds
    merge         RecordsMerged         one PNC record merged into another
    reply         LookupReply           the answer to a LookupRequest

Outbound: ``CustodyStatus`` and ``LookupRequest`` (``schemas/pnc/outbound-v1.xsd``), and
``PrisonMerge`` (``schemas/pnc/prison-merge-v1.xsd``).
"""

from __future__ import annotations

from schemas.namespaced_documents import NamespacedDocuments

NAMESPACE = "urn:gatehouse:pnc:v1"

ROOT_ELEMENTS = {
    "identifiers": "IdentifiersAssigned",
    "amendment": "RecordAmended",
    "merge": "RecordsMerged",
    "reply": "LookupReply",
}
SCHEMAS = {message_type: f"pnc/{message_type}-v1.xsd" for message_type in ROOT_ELEMENTS}
OUTBOUND_SCHEMA = "pnc/outbound-v1.xsd"

_DOCUMENTS = NamespacedDocuments(NAMESPACE, ROOT_ELEMENTS, "PNC")
root = _DOCUMENTS.root
children = _DOCUMENTS.children
optional_text = _DOCUMENTS.optional_text
text = _DOCUMENTS.text
date_time = _DOCUMENTS.date_time
