"""The dashboard benchmark: the overview and a search by prison number on a journal of
1,000,000 hops in PostgreSQL, against a plain ``SELECT count(*)`` of the same table.

    .venv/bin/python bench/dashboard.py [--rows 1000000] [--repeats 25] [--postgres-url ...]

A fresh database is migrated and filled with a week of traffic (a quarter of a million
partner messages, four hops each: received, stored, event published, delivered, with a
few retries), for about 80,000 people. The hub then serves its app on it, a viewer signs
in, and each page is requested ``--repeats`` times over real HTTP; the medians are printed
next to the median of ``SELECT count(*) FROM journal`` (the baseline) as ratios. The target
is under 300 ms for each page. A measurement, not a test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx
import sqlalchemy as sa
from bench_database import fresh_database

from adapters.transports.local_server import serving
from gatehouse.app import create_app
from gatehouse.bootstrap import build_hub
from gatehouse.settings import Settings
from monitoring.dashboard.users import DashboardUsers

POSTGRES_URL = os.environ.get(
    "GATEHOUSE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
TARGET_MS = 300
PASSWORD = "benchmark password"

# One partner message's hops: (hop, seconds after receipt, outcome, adapter, direction, type).
HOPS = """
    ('received', 0.0, 'ok', 'private_prisons', 'inbound', 'release'),
    ('stored', 0.08, 'ok', 'private_prisons', 'inbound', 'release'),
    ('event_published', 0.15, 'ok', NULL, 'internal', 'prisoner.released'),
    ('delivered', 0.4, 'ok', 'delius', 'outbound', 'prisoner.released')
"""

FILL = f"""
INSERT INTO journal (message_id, hop, at, outcome, correlation_id, causation_id, adapter,
                     partner, direction, message_type, person_key, detail)
SELECT CASE WHEN h.direction = 'inbound' THEN 'm-' || g ELSE 'e-' || g END,
       CASE WHEN h.hop = 'delivered' AND g % 50 = 0 THEN 'retry_scheduled' ELSE h.hop END,
       now() - (g * :spacing_s) * interval '1 second' + h.after * interval '1 second',
       CASE WHEN h.hop = 'delivered' AND g % 50 = 0 THEN 'retry' ELSE h.outcome END,
       'c-' || g,
       CASE WHEN h.direction = 'inbound' THEN NULL ELSE 'm-' || g END,
       h.adapter,
       CASE WHEN h.adapter = 'private_prisons' THEN 'serco' WHEN h.adapter = 'delius'
            THEN 'delius' END,
       h.direction, h.type,
       chr(65 + (g % 80000) % 26) || lpad(((g % 80000) / 26)::text, 4, '0') || 'BC',
       NULL
FROM generate_series(CAST(:first AS integer), CAST(:last AS integer)) AS g
CROSS JOIN (VALUES {HOPS}) AS h(hop, after, outcome, adapter, direction, type)
ORDER BY g DESC, h.after
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=25)
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    arguments = parser.parse_args()

    with fresh_database(arguments.postgres_url, "gh_bench_dashboard") as url:
        run(url, arguments.rows, arguments.repeats)


def run(url: str, rows: int, repeats: int) -> None:
    messages = rows // 4
    spacing_s = timedelta(days=7).total_seconds() / messages
    print(f"filling the journal with {messages * 4:,} hops ({messages:,} messages over a week)")
    started = time.perf_counter()
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        step = 50_000
        for first in range(1, messages + 1, step):
            last = min(first + step - 1, messages)
            # Oldest first, so that ids rise with time as they do in a running hub.
            connection.execute(
                sa.text(FILL),
                {
                    "first": messages - last + 1,
                    "last": messages - first + 1,
                    "spacing_s": spacing_s,
                },
            )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("VACUUM ANALYZE journal"))
    print(f"  filled in {time.perf_counter() - started:.0f} s")

    def count() -> None:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT count(*) FROM journal")).scalar_one()

    with engine.connect() as connection:
        total = connection.execute(sa.text("SELECT count(*) FROM journal")).scalar_one()
        person = connection.execute(
            sa.text("SELECT person_key FROM journal WHERE id = (SELECT max(id) / 2 FROM journal)")
        ).scalar_one()
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(database_url=url, broker_url=None, data_dir=Path(data_dir))
        hub = build_hub(settings)
        DashboardUsers(hub.engine, session_lifetime=timedelta(hours=1)).create(
            "bench", PASSWORD, "viewer", actor="bench"
        )
        try:
            with (
                serving(create_app(hub), name="dashboard") as api,
                httpx.Client(base_url=api, timeout=60) as client,
            ):
                sign_in(client)
                pages = {
                    "overview": lambda: ok(client.get("/dashboard")),
                    f"search by prison number {person}": lambda: ok(
                        client.get("/dashboard/messages", params={"identifier": person})
                    ),
                }
                baseline = median_ms(count, repeats)
                print(f"\njournal rows: {total:,}; median of {repeats} requests each")
                print(
                    f"  {'SELECT count(*) FROM journal (baseline)':<48} {baseline:8.1f} ms   1.00x"
                )
                for label, request in pages.items():
                    taken = median_ms(request, repeats)
                    verdict = "under" if taken < TARGET_MS else "OVER"
                    print(
                        f"  {label:<48} {taken:8.1f} ms  {taken / baseline:5.2f}x  "
                        f"({verdict} the {TARGET_MS} ms target)"
                    )
                # For information (no target): a Prometheus scrape, and the heaviest page, an
                # interface's week (a quarter of a million steps summed up), fewer times.
                scrape = median_ms(lambda: ok(client.get("/metrics")), repeats)
                print(f"  {'/metrics (no target)':<48} {scrape:8.1f} ms  {scrape / baseline:5.2f}x")
                week = median_ms(
                    lambda: ok(client.get("/dashboard/interfaces/delius/outbound?period=week")),
                    max(repeats // 5, 3),
                )
                print(f"  {'Delius interface, last week (no target)':<48} {week:8.1f} ms  "
                      f"{week / baseline:5.2f}x")  # fmt: skip
        finally:
            hub.close()
            engine.dispose()


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


def median_ms(action: object, repeats: int) -> float:
    action()  # type: ignore[operator]  # warm the caches and the connection pool
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()  # type: ignore[operator]
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


if __name__ == "__main__":
    main()
