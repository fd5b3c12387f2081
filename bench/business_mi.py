"""The business-figures benchmark: the business page's figures (a week of every prison's days
and every partner's movement-to-delivery times) on a journal of 1,000,000 hops in
PostgreSQL, against a plain indexed ``count(*)`` of the same week's hops.

    .venv/bin/python bench/business_mi.py [--rows 1000000] [--repeats 15] [--postgres-url ...]

A fresh database is migrated and filled, with multi-row ``INSERT ... SELECT``, with an estate
of 126 prisons: 100,000 people on record of whom 80,000 are in prison, and 120 days of
movement messages (receptions, transfers, releases: about a thousand a day), each with eight
hops (received, stored, event published, a retry and deliveries to Delius, OASys and PNC, a
filtered one). The figures are then read through the page's own functions
(``monitoring.business``) and over HTTP from a served app, ``--repeats`` times each, once the
monitor worker's movement-delivery summary has been built from the journal (timed too);
medians are printed next to the baseline's as ratios. The target is under 300 ms. A
measurement, not a test. ``bench/replay.py`` prints the same lines through ``mi_figures()``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import httpx
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).parent))  # bench_database, when imported from elsewhere
from bench_database import fresh_database

from adapters.transports.local_server import serving
from core_records.bookkeeping.movement_deliveries import MovementDeliveries
from core_records.timestamps import utc_now
from gatehouse.app import create_app
from gatehouse.bootstrap import build_hub
from gatehouse.settings import Settings
from monitoring.business import BusinessFigures, Period
from monitoring.dashboard.users import DashboardUsers

POSTGRES_URL = os.environ.get(
    "GATEHOUSE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
TARGET_MS = 300
HOPS_PER_MESSAGE = 8
DAYS = 120
PEOPLE, IN_PRISON = 100_000, 80_000
PASSWORD = "benchmark password"

PEOPLE_SQL = """
INSERT INTO person (id, prison_number, version, date_of_birth, sex, custody_status,
                    care_status, current_establishment, created_at, updated_at)
SELECT g, chr(65 + g / 10000) || lpad((g % 10000)::text, 4, '0') || 'BC', 1,
       DATE '1980-01-01' + (g % 9000), 'M',
       CASE WHEN g <= :in_prison THEN 'IN_PRISON' ELSE 'OUTSIDE_PRISON' END,
       CASE WHEN g <= :in_prison THEN 'UNDER_PRISON_CARE' ELSE 'NOT_UNDER_PRISON_CARE' END,
       CASE WHEN g <= :in_prison THEN (CAST(:prisons AS text[]))[1 + g % 126] END, now(), now()
FROM generate_series(1, :people) AS g;
INSERT INTO booking (id, person_id, book_number, establishment, active, started_at)
SELECT g, g, lpad(g::text, 7, '0') || 'A', (CAST(:prisons AS text[]))[1 + g % 126],
       g <= :in_prison, now() - interval '1 year'
FROM generate_series(1, :people) AS g
"""

# Message g (older as g grows): 0-2 a reception, 3-6 a transfer (two movements), 7-9 a release.
MOVEMENTS_SQL = """
INSERT INTO movement (person_id, booking_id, movement_type, direction, reason_code,
                      from_agency, to_agency, occurred_at, message_id)
SELECT 1 + g % :people, 1 + g % :people,
       CASE WHEN g % 10 < 3 THEN 'ADM' WHEN g % 10 < 7 THEN 'TRN' ELSE 'REL' END,
       CASE WHEN g % 10 < 3 OR (g % 10 < 7 AND part = 2) THEN 'IN' ELSE 'OUT' END,
       CASE WHEN g % 10 < 3 THEN 'N' WHEN g % 10 < 7 THEN 'NOTR' ELSE 'CR' END,
       CASE WHEN g % 10 >= 3 THEN (CAST(:prisons AS text[]))[1 + g % 126] END,
       CASE WHEN g % 10 < 3 THEN (CAST(:prisons AS text[]))[1 + g % 126]
            WHEN g % 10 < 7 THEN (CAST(:prisons AS text[]))[1 + (g + 7) % 126] END,
       now() - (g * :spacing_s) * interval '1 second', 'm-' || g
FROM generate_series(CAST(:first AS integer), CAST(:last AS integer)) AS g
CROSS JOIN (VALUES (1), (2)) AS p(part)
WHERE part = 1 OR g % 10 BETWEEN 3 AND 6
ORDER BY g DESC, part
"""

HOPS = """
    ('received', 0.0, 'ok', 'private_prisons', 'inbound'),
    ('stored', 0.1, 'ok', 'private_prisons', 'inbound'),
    ('event_published', 0.15, 'ok', NULL, 'internal'),
    ('retry_scheduled', 0.3, 'retry', 'delius', 'outbound'),
    ('filtered', 0.35, 'ok', 'security', 'outbound'),
    ('delivered', 0.4, 'ok', 'delius', 'outbound'),
    ('delivered', 0.6, 'ok', 'oasys', 'outbound'),
    ('delivered', 0.9, 'ok', 'pnc', 'outbound')
"""

JOURNAL_SQL = f"""
INSERT INTO journal (message_id, hop, at, outcome, correlation_id, causation_id, adapter,
                     partner, direction, message_type, person_key, detail)
SELECT CASE WHEN h.direction = 'inbound' THEN 'm-' || g ELSE 'e-' || g END, h.hop,
       now() - (g * :spacing_s) * interval '1 second' + h.after * interval '1 second'
           + CASE WHEN h.hop = 'delivered' THEN (g % 17) * interval '100 milliseconds'
                  ELSE interval '0' END,
       h.outcome, 'c-' || g, CASE WHEN h.direction = 'inbound' THEN NULL ELSE 'm-' || g END,
       h.adapter, h.adapter, h.direction,
       CASE WHEN h.direction = 'inbound' THEN 'movement' ELSE 'prisoner.received' END,
       chr(65 + (1 + g % :people) / 10000) || lpad(((1 + g % :people) % 10000)::text, 4, '0')
           || 'BC',
       NULL
FROM generate_series(CAST(:first AS integer), CAST(:last AS integer)) AS g
CROSS JOIN (VALUES {HOPS}) AS h(hop, after, outcome, adapter, direction)
ORDER BY g DESC, h.after
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    arguments = parser.parse_args()
    for line in mi_figures(arguments.rows, arguments.repeats, arguments.postgres_url):
        print(line)


def mi_figures(
    rows: int = 1_000_000, repeats: int = 15, postgres_url: str = POSTGRES_URL
) -> list[str]:
    """Fill a fresh database, time the business page's figures against the baseline, drop
    the database; the lines to print."""
    with fresh_database(postgres_url, "gh_bench_business") as url:
        engine = sa.create_engine(url)
        try:
            lines = [fill(engine, rows // HOPS_PER_MESSAGE), summarise(engine)]
            lines += measure(engine, url, repeats)
        finally:
            engine.dispose()
    return lines


def fill(engine: sa.Engine, messages: int) -> str:
    started = time.perf_counter()
    with engine.connect() as connection:
        prisons = list(
            connection.execute(
                sa.text("SELECT code FROM agency WHERE agency_type = 'INST' ORDER BY code")
            ).scalars()
        )
    spacing_s = timedelta(days=DAYS).total_seconds() / messages
    shape = {"prisons": prisons, "people": PEOPLE, "in_prison": IN_PRISON, "spacing_s": spacing_s}
    with engine.begin() as connection:
        for statement in PEOPLE_SQL.split(";"):
            connection.execute(sa.text(statement), shape)
        step = 25_000
        for first in range(1, messages + 1, step):
            last = min(first + step - 1, messages)
            # Oldest first, so that ids rise with time as they do in a running hub.
            bounds = {"first": messages - last + 1, "last": messages - first + 1}
            connection.execute(sa.text(MOVEMENTS_SQL), {**shape, **bounds})
            connection.execute(sa.text(JOURNAL_SQL), {**shape, **bounds})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in ("journal", "movement", "person", "booking"):
            connection.execute(sa.text(f"VACUUM ANALYZE {table}"))
        hops = connection.execute(sa.text("SELECT count(*) FROM journal")).scalar_one()
        moves = connection.execute(sa.text("SELECT count(*) FROM movement")).scalar_one()
    return (
        f"business figures: {hops:,} journal hops, {moves:,} movements of {messages:,} "
        f"messages over {DAYS} days, {len(prisons)} prisons, {IN_PRISON:,} people in prison "
        f"(filled in {time.perf_counter() - started:.0f} s)"
    )


def summarise(engine: sa.Engine) -> str:
    """The monitor worker's movement-delivery summary, read from the whole journal at once
    (as on a first deployment; after that it reads a minute's hops at a time)."""
    started = time.perf_counter()
    written = MovementDeliveries(engine).rebuild()
    return (
        f"  movement-delivery summary built from the whole journal: {written:,} rows in "
        f"{time.perf_counter() - started:.1f} s (once; then a minute's hops a minute)"
    )


def measure(engine: sa.Engine, url: str, repeats: int) -> list[str]:
    today = utc_now().date()
    week = Period(today - timedelta(days=6), today)
    figures = BusinessFigures(engine)
    count = sa.text("SELECT count(*) FROM journal WHERE at >= :since AND at < :until")

    def baseline() -> None:
        with engine.connect() as connection:
            connection.execute(count, {"since": week.since, "until": week.until}).scalar_one()

    def page_figures(period: Period) -> Callable[[], None]:
        return lambda: (figures.establishment_days(period), figures.delivery_times(period))

    with engine.connect() as connection:
        counted = connection.execute(count, {"since": week.since, "until": week.until}).scalar()
    base = median_ms(baseline, repeats)
    lines = [
        f"  median of {repeats} runs each; the week's journal hops: {counted:,}",
        f"  {'count(*) of the week, indexed (baseline)':<52} {base:8.1f} ms   1.00x",
        _line("business page figures, last 7 days", median_ms(page_figures(week), repeats), base),
    ]
    with tempfile.TemporaryDirectory() as data_dir:
        hub = build_hub(Settings(database_url=url, broker_url=None, data_dir=Path(data_dir)))
        DashboardUsers(hub.engine, session_lifetime=timedelta(hours=1)).create(
            "bench", PASSWORD, "viewer", actor="bench"
        )
        try:
            with (
                serving(create_app(hub), name="business-bench") as api,
                httpx.Client(base_url=api, timeout=60) as client,
            ):
                sign_in(client)
                page = median_ms(lambda: ok(client.get("/dashboard/business")), repeats)
                lines.append(_line("GET /dashboard/business (HTTP), last 7 days", page, base))
        finally:
            hub.close()
    month = Period(today - timedelta(days=30), today)
    taken = median_ms(page_figures(month), max(repeats // 3, 3))
    lines.append(_line("business page figures, last 31 days", taken, base, target=False))
    return lines


def _line(label: str, taken: float, base: float, *, target: bool = True) -> str:
    verdict = (
        f"({'under' if taken < TARGET_MS else 'OVER'} the {TARGET_MS} ms target)"
        if target
        else "(no target)"
    )
    return f"  {label:<52} {taken:8.1f} ms  {taken / base:6.2f}x  {verdict}"


def sign_in(client: httpx.Client) -> None:
    page = client.get("/dashboard/sign-in").text
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = client.post(
        "/dashboard/sign-in", data={"username": "bench", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 303, response.text


def ok(response: httpx.Response) -> None:
    if response.status_code != 200:
        raise SystemExit(f"{response.request.url} answered {response.status_code}")


def median_ms(action: Callable[[], object], repeats: int) -> float:
    action()  # warm the caches and the connection pool
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


if __name__ == "__main__":
    main()
