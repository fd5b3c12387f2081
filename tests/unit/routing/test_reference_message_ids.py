"""A batch document's message id comes from its partner and reference, so that the same
document imported again is the same message to the ingest inbox."""

from __future__ import annotations

import uuid

from routing.file_interfaces.document_batches import reference_message_id


def test_the_same_partner_and_reference_give_the_same_message_id() -> None:
    first = reference_message_id("serco", "SER-DNI-2024-0001873")
    assert first == reference_message_id("serco", "SER-DNI-2024-0001873")
    assert str(uuid.UUID(first)) == first


def test_another_partner_or_reference_gives_another_message_id() -> None:
    ids = {
        reference_message_id("serco", "SER-1"),
        reference_message_id("sodexo", "SER-1"),
        reference_message_id("serco", "SER-2"),
    }
    assert len(ids) == 3
