"""The matcher on a generated identity test set in PostgreSQL: auto-links must be right
(precision at least 0.99) and find most people on record (recall at least 0.95); the rest
go to review rather than to a wrong person."""

from __future__ import annotations

from core_records.store.database import create_engine
from core_records.store.record_store import RecordStore
from tests.identity_people import evaluate, generate, store_people


def test_auto_links_on_a_generated_set_with_realistic_errors_are_precise_and_find_most(
    postgres_url: str,
) -> None:
    engine = create_engine(postgres_url)
    try:
        store = RecordStore(engine)
        identity_set = generate(people=1500, queries=1500, seed=11)
        numbers = store_people(store, identity_set.people)
        assert sum(n is not None for n in numbers) >= 0.99 * len(numbers)
        quality = evaluate(engine, identity_set, numbers, store.match_rules)
    finally:
        engine.dispose()
    assert quality.true_matches > 800
    assert quality.precision >= 0.99, quality.wrong_links[:5]
    assert quality.recall >= 0.95, quality.summary()
