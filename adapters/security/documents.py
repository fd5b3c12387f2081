"""The security application's message format (Gatehouse's own, v1).

Inbound message types (the AMQP ``type`` the application sets) and their root elements:

    alert   SecurityAlert      a security (X type) alert raised or closed
    flag    IntelligenceFlag   an intelligence flag, with its grading

Outbound (``schemas/security/outbound-v1.xsd``): ``Movement``, ``Alert``, ``NonAssociation``;
(``schemas/security/identity-v1.xsd``): ``PrisonMerge``, ``PersonUpdated``.
"""

from __future__ import annotations

from schemas.namespaced_documents import NamespacedDocuments

NAMESPACE = "urn:gatehouse:security:v1"
ROOT_ELEMENTS = {"alert": "SecurityAlert", "flag": "IntelligenceFlag"}
SCHEMAS = {message_type: f"security/{message_type}-v1.xsd" for message_type in ROOT_ELEMENTS}
OUTBOUND_SCHEMA = "security/outbound-v1.xsd"

_DOCUMENTS = NamespacedDocuments(NAMESPACE, ROOT_ELEMENTS, "security")
root = _DOCUMENTS.root
text = _DOCUMENTS.text
date_time = _DOCUMENTS.date_time
