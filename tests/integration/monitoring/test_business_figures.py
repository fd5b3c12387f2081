"""The estate's business figures on a small known estate, the same on SQLite and PostgreSQL:
movements per prison and day, the population at the end of each day, and movement to
delivery per partner interface."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from monitoring.business import BusinessFigures, Period
from tests.business_example import (
    EXPECTED_DAYS,
    EXPECTED_DELIVERY,
    FIRST,
    LAST,
    write_estate,
)


def _days(figures: BusinessFigures, period: Period) -> list[tuple[object, ...]]:
    return [
        (r.day, r.establishment, r.receptions, r.transfers_in, r.transfers_out, r.releases,
         r.population)
        for r in figures.establishment_days(period)
    ]  # fmt: skip


def test_each_prison_and_day_has_its_movements_and_population(engine: sa.Engine) -> None:
    write_estate(engine)
    assert _days(BusinessFigures(engine), Period(FIRST, LAST)) == EXPECTED_DAYS


def test_one_establishment_is_shown_alone_with_its_name(engine: sa.Engine) -> None:
    write_estate(engine)
    rows = BusinessFigures(engine).establishment_days(Period(FIRST, LAST, "MDI"))
    assert [r.establishment for r in rows] == ["MDI"] * 3
    assert rows[0].name == "Moorland"
    assert _days(BusinessFigures(engine), Period(FIRST, LAST, "MDI")) == EXPECTED_DAYS[3:]


def test_the_population_of_a_day_counts_back_from_now(engine: sa.Engine) -> None:
    write_estate(engine)
    [lei] = BusinessFigures(engine).establishment_days(
        Period(date(2025, 3, 6), date(2025, 3, 6), "LEI")
    )
    assert (lei.receptions, lei.population) == (1, 3)


def test_each_partner_hears_of_a_movement_at_its_first_delivery(engine: sa.Engine) -> None:
    write_estate(engine)
    times = BusinessFigures(engine).delivery_times(Period(FIRST, LAST))
    assert {t.adapter: (t.movements, t.median_s, t.p95_s) for t in times} == {
        adapter: (n, pytest.approx(median, abs=0.01), pytest.approx(p95, abs=0.01))
        for adapter, (n, median, p95) in EXPECTED_DELIVERY.items()
    }


def test_delivery_times_at_one_prison_are_of_its_movements_only(engine: sa.Engine) -> None:
    write_estate(engine)
    [delius] = BusinessFigures(engine).delivery_times(Period(FIRST, LAST, "MDI"))
    # The transfer in (1 s), the reception (10 s) and the release (6 s).
    assert (delius.adapter, delius.movements) == ("delius", 3)
    assert (delius.median_s, delius.p95_s) == (
        pytest.approx(6.0, abs=0.01),
        pytest.approx(10.0, abs=0.01),
    )


def test_a_period_without_movements_has_populations_and_no_delivery_times(
    engine: sa.Engine,
) -> None:
    write_estate(engine)
    period = Period(date(2025, 3, 1), date(2025, 3, 2))
    figures = BusinessFigures(engine)
    assert figures.delivery_times(period) == []
    # Before the period's movements only the person there all along was in.
    assert [(r.establishment, r.population) for r in figures.establishment_days(period)] == [
        ("LEI", 1), ("LEI", 1)
    ]  # fmt: skip


def test_a_period_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="ends"):
        Period(LAST, FIRST)
