"""The estate's business figures: per prison and per UTC day, receptions, transfers in and
out, releases and the population at the end of the day; and, per partner interface, how long
a movement took to reach the partner (median and p95 over the period).

Summed up in the database, with indexes that keep the cost proportional to the period asked
for rather than to the record's size:

- counts: the period's movements (``movement.occurred_at``), grouped by prison and day. An
  admission or transfer counts at the prison it went IN to, a transfer out or release at the
  prison it came OUT of. Court and temporary-absence movements leave a person in the prison's
  care, so they change neither counts nor population.
- population: each prison's population now (people IN_PRISON there, by a partial index) less
  the movements since the end of each day, so that people loaded without a movement (a
  migrated prison's roll) are counted too.
- movement to delivery: for each movement message of the period, from its ``stored`` hop (the
  record changed) to the first ``delivered`` hop per outbound interface of the events it
  caused, read from the summary that the monitor worker keeps from the journal
  (``core_records.bookkeeping.movement_deliveries``): joining the journal's hops afresh
  would cost seconds on a journal of millions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from core_records.custody.person_record import IN_PRISON
from core_records.custody.reference_data import PRISON
from core_records.store.database import READ_ONLY, store_errors
from core_records.tables import agency, movement, movement_delivery, person
from monitoring.reports import percentile

DEFAULT_DAYS = 7
"""The period a page shows when asked for none: the last week, today included."""
COUNTED = {
    # (movement type, direction): the column it counts in
    ("ADM", "IN"): "receptions",
    ("TRN", "IN"): "transfers_in",
    ("TRN", "OUT"): "transfers_out",
    ("REL", "OUT"): "releases",
}


@dataclass(frozen=True)
class Period:
    """UTC days ``first`` to ``last`` inclusive, for every prison or for one."""

    first: date
    last: date
    establishment: str | None = None

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(f"the period ends ({self.last}) before it starts ({self.first})")

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    @property
    def since(self) -> datetime:
        return datetime.combine(self.first, time.min, UTC)

    @property
    def until(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time.min, UTC)


@dataclass(frozen=True)
class EstablishmentDay:
    day: date
    establishment: str
    name: str
    receptions: int
    transfers_in: int
    transfers_out: int
    releases: int
    population: int
    """At the end of the day."""


@dataclass(frozen=True)
class DeliveryTime:
    """How long the period's movements took to reach one outbound interface."""

    adapter: str
    movements: int
    """Movement messages delivered to it."""
    median_s: float
    p95_s: float


class BusinessFigures:
    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        self._postgres = engine.dialect.name == "postgresql"

    def prisons(self) -> dict[str, str]:
        """Every prison's code and name, by code."""
        query = (
            sa.select(agency.c.code, agency.c.name)
            .where(agency.c.agency_type == PRISON)
            .order_by(agency.c.code)
        )
        with self._connection() as connection:
            return {code: name for code, name in connection.execute(query)}

    def establishment_days(self, period: Period) -> list[EstablishmentDay]:
        """One row per prison and day of the period, by prison then day: every prison with
        someone in it or a movement, or only the period's establishment."""
        names = self.prisons()
        with self._connection() as connection:
            counts = self._counts(connection, period)
            population = self._population_now(connection, period.establishment)
            for prison, net in self._net_since(
                connection, period.until, period.establishment
            ).items():
                population[prison] = population.get(prison, 0) - net
        prisons = {p for p, _ in counts} | {p for p, n in population.items() if n}
        if period.establishment is not None:
            prisons = {period.establishment}
        rows: list[EstablishmentDay] = []
        for prison in sorted(p for p in prisons if p in names):
            at_end = population.get(prison, 0)
            backwards = []
            for day in reversed(period.days):
                moved = counts.get((prison, day), {})
                backwards.append(
                    EstablishmentDay(
                        day, prison, names[prison],
                        *(moved.get(c, 0) for c in COUNTED.values()), population=at_end,
                    )
                )  # fmt: skip
                at_end -= moved.get("receptions", 0) + moved.get("transfers_in", 0)
                at_end += moved.get("transfers_out", 0) + moved.get("releases", 0)
            rows.extend(reversed(backwards))
        return rows

    def delivery_times(self, period: Period) -> list[DeliveryTime]:
        """Per outbound interface, by name: movement to first delivery, over the period's
        movements, from the summary the monitor keeps (``MovementDeliveries``)."""
        d = movement_delivery.c
        conditions = [d.occurred_at >= period.since, d.occurred_at < period.until]
        if period.establishment is not None:
            at = period.establishment
            conditions.append(sa.or_(d.prison_in == at, d.prison_out == at))
        with self._connection() as connection:
            if self._postgres:
                # percentile_disc is the nearest rank, as ``percentile`` is.
                query = (
                    sa.select(
                        d.adapter, sa.func.count(),
                        *(sa.func.percentile_disc(f).within_group(d.seconds) for f in (0.5, 0.95)),
                    )
                    .where(*conditions).group_by(d.adapter).order_by(d.adapter)
                )  # fmt: skip
                return [
                    DeliveryTime(a, int(n), float(median), float(p95))
                    for a, n, median, p95 in connection.execute(query)
                ]
            seconds: dict[str, list[float]] = defaultdict(list)
            for adapter, taken in connection.execute(
                sa.select(d.adapter, d.seconds).where(*conditions)
            ):
                seconds[adapter].append(float(taken))
        return [
            DeliveryTime(a, len(v), percentile(v, 0.50), percentile(v, 0.95))  # type: ignore[arg-type]
            for a, v in sorted(seconds.items())
        ]

    def _counts(
        self, connection: sa.Connection, period: Period
    ) -> dict[tuple[str, date], dict[str, int]]:
        """(prison, day): {column: movements} over the period."""
        day = self._day(movement.c.occurred_at).label("day")
        prison = self._prison().label("prison")
        query = (
            sa.select(prison, day, movement.c.movement_type, movement.c.direction, sa.func.count())
            .where(*self._movements_of(period))
            .group_by(prison, day, movement.c.movement_type, movement.c.direction)
        )
        counts: dict[tuple[str, date], dict[str, int]] = defaultdict(dict)
        for code, on, kind, direction, n in connection.execute(query):
            counts[(code, _as_date(on))][COUNTED[(kind, direction)]] = int(n)
        return counts

    def _population_now(
        self, connection: sa.Connection, establishment: str | None
    ) -> dict[str, int]:
        query = (
            sa.select(person.c.current_establishment, sa.func.count())
            .where(
                person.c.custody_status == IN_PRISON, person.c.current_establishment.is_not(None)
            )
            .group_by(person.c.current_establishment)
        )
        if establishment is not None:
            query = query.where(person.c.current_establishment == establishment)
        return {code: int(n) for code, n in connection.execute(query)}

    def _net_since(
        self, connection: sa.Connection, since: datetime, establishment: str | None
    ) -> dict[str, int]:
        """Per prison, people in less people out by movements at or after ``since``."""
        net = sa.case((movement.c.direction == "IN", 1), else_=-1)
        prison = self._prison().label("prison")
        query = (
            sa.select(prison, sa.func.sum(net))
            .where(*self._movements(since, None, establishment))
            .group_by(prison)
        )
        return {code: int(n) for code, n in connection.execute(query)}

    def _movements_of(self, period: Period) -> list[sa.ColumnElement[bool]]:
        return self._movements(period.since, period.until, period.establishment)

    def _movements(
        self, since: datetime, until: datetime | None, establishment: str | None
    ) -> list[sa.ColumnElement[bool]]:
        """The counted movements from ``since`` to ``until`` (None: no end), at
        ``establishment`` if given."""
        c = movement.c
        counted = sa.or_(*(sa.and_(c.movement_type == t, c.direction == d) for t, d in COUNTED))
        conditions = [counted, c.occurred_at >= since]
        if until is not None:
            conditions.append(c.occurred_at < until)
        if establishment is not None:
            conditions.append(self._prison() == establishment)
        return conditions

    def _prison(self) -> sa.ColumnElement[str]:
        """The prison a movement counts at: where it went in to, or came out of."""
        c = movement.c
        return sa.case((c.direction == "IN", c.to_agency), else_=c.from_agency)

    def _day(self, column: sa.ColumnElement[datetime]) -> sa.ColumnElement[object]:
        if self._postgres:
            return sa.func.date(sa.func.timezone("UTC", column))
        return sa.func.date(column)  # SQLite keeps UTC text

    @contextmanager
    def _connection(self) -> Iterator[sa.Connection]:
        with store_errors(), self._engine.connect() as connection:
            yield connection.execution_options(**READ_ONLY)


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def totals(rows: Sequence[EstablishmentDay]) -> dict[str, int]:
    """The period's movements over every row shown."""
    return {column: sum(getattr(r, column) for r in rows) for column in COUNTED.values()}


def period_of(
    first: str | None,
    last: str | None,
    establishment: str | None,
    *,
    today: date,
    max_days: int,
    prisons: Collection[str],
) -> Period:
    """The period a page or command asked for: ISO dates ``first`` to ``last`` inclusive, by
    default the last ``DEFAULT_DAYS`` days to ``today``; a ``ValueError`` that says what is
    wrong otherwise."""
    end = _date_of(last, "to") or today
    start = _date_of(first, "from") or end - timedelta(days=DEFAULT_DAYS - 1)
    code = (establishment or "").strip().upper() or None
    if code is not None and code not in prisons:
        raise ValueError(f"there is no prison {code}")
    period = Period(start, end, code)
    if len(period.days) > max_days:
        raise ValueError(f"a period is at most {max_days} days, not {len(period.days)}")
    return period


def _date_of(text: str | None, name: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{name} must be a date such as 2025-03-04, not {text!r}") from None
