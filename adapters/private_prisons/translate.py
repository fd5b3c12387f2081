"""Where the private-prison operators' documents are translated: each inbound message type
(format v1) to its pure translator and schema, one small module per kind of document.

    reception, transfer, release   movements.py         RecordReception, RecordTransfer,
                                                        RecordRelease
    visit                          visits.py            RecordVisit
    sentence                       sentences.py         RecordSentence
    non-association                non_associations.py  RecordNonAssociation, CloseNonAssociation

Reading a document into the operator's own terms is ``reading.py``; the batch-file form of
the same documents is ``batch.py``.
"""

from __future__ import annotations

from adapters.base import MESSAGE_REFERENCE, InboundType
from adapters.private_prisons.messages import SCHEMAS as MOVEMENT_SCHEMAS
from adapters.private_prisons.movements import (
    translate_reception,
    translate_release,
    translate_transfer,
)
from adapters.private_prisons.non_associations import SCHEMA as NON_ASSOCIATION_SCHEMA
from adapters.private_prisons.non_associations import translate_non_association
from adapters.private_prisons.sentences import SCHEMA as SENTENCE_SCHEMA
from adapters.private_prisons.sentences import translate_sentence
from adapters.private_prisons.visits import SCHEMA as VISIT_SCHEMA
from adapters.private_prisons.visits import translate_visit

_TRANSLATORS = {
    "reception": (MOVEMENT_SCHEMAS["reception"], translate_reception),
    "transfer": (MOVEMENT_SCHEMAS["transfer"], translate_transfer),
    "release": (MOVEMENT_SCHEMAS["release"], translate_release),
    "visit": (VISIT_SCHEMA, translate_visit),
    "sentence": (SENTENCE_SCHEMA, translate_sentence),
    "non-association": (NON_ASSOCIATION_SCHEMA, translate_non_association),
}

INBOUND = {
    message_type: InboundType(message_type, schema, translate, reference_at=MESSAGE_REFERENCE)
    for message_type, (schema, translate) in _TRANSLATORS.items()
}
"""Message type (as in the inbound URL) to what the adapter takes."""

__all__ = [
    "INBOUND",
    "translate_non_association",
    "translate_reception",
    "translate_release",
    "translate_sentence",
    "translate_transfer",
    "translate_visit",
]
