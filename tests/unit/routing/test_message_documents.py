"""Which rendered documents a delivery batch keeps in the message history."""

from __future__ import annotations

from routing.delivery import Result
from routing.message_documents import KEPT_RESULTS


def test_delivered_and_dead_lettered_documents_are_kept() -> None:
    assert set(KEPT_RESULTS) == {Result.DELIVERED.value, Result.DEAD_LETTER.value}


def test_a_document_retried_held_or_filtered_is_not_kept_yet() -> None:
    for result in (Result.RETRY, Result.HELD, Result.FILTERED, Result.ALREADY_DELIVERED):
        assert result.value not in KEPT_RESULTS
