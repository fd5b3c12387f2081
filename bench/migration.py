"""The establishment-migration benchmark: a generated 1,500-person legacy extract for one
prison, with realistic dirt (3% bad check letters, 2% unknown codes, 1% duplicates of people
already on record), migrated on PostgreSQL, its events relayed to RabbitMQ.

    .venv/bin/python bench/migration.py [--people 1500] [--batch-size 100] [--postgres-url ...]

A fresh database is migrated; the people the duplicates match are put on record first. The
baseline is a plain multi-row ``INSERT`` of the same rows (their values as text) into a table
of their own in the same database, in the same run. Then ``gatehouse estate migrate``'s own
function loads the extract through the record store (identity matching, inbox, outbox,
journal), and the outbox relay publishes every event the migration raised to RabbitMQ with
publisher confirms. Printed: rows per second of each, the ratio, the report's
reconciliation, and the time the whole estate (80,000 people) would take at the measured
rate against the 30-minute target. A measurement, not a test.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).parent))  # bench_database, when imported from elsewhere
from bench_database import fresh_database
from pipeline import POSTGRES_URL, RABBITMQ_URL, delete_topology

from core_records.estate.migration import figures, migrate, text_summary
from core_records.estate.migration.extract import COLUMNS
from core_records.estate.migration.generator import Dirt, generate_extract
from gatehouse.bootstrap import build_hub
from gatehouse.settings import Settings
from routing.relay import OutboxRelay

ESTATE = 80_000
TARGET_MINUTES = 30
PRISON = "LEI"


def plain_insert_s(engine: sa.Engine, text: str) -> float:
    """Seconds for one multi-row INSERT of the extract's rows, as text, in one transaction."""
    rows = list(csv.reader(io.StringIO(text)))[1:]
    table = sa.Table(
        f"bench_legacy_row_{uuid.uuid4().hex[:6]}",
        sa.MetaData(),
        *(sa.Column(name, sa.Text) for name in COLUMNS),
    )
    table.create(engine)
    try:
        values = [dict(zip(COLUMNS, row, strict=False)) for row in rows]
        started = time.perf_counter()
        with engine.begin() as connection:
            connection.execute(sa.insert(table).values(values))
        return time.perf_counter() - started
    finally:
        table.drop(engine)


def relay_all(relay: OutboxRelay) -> tuple[int, float]:
    started, published = time.perf_counter(), 0
    while sent := relay.run_once():
        published += sent
    return published, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=1_500)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--rabbitmq-url", default=RABBITMQ_URL)
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    args = parser.parse_args()
    n = args.people
    dirt = Dirt.rates(n, bad_check_letters=0.03, unknown_codes=0.02, duplicates=0.01)
    print(f"generating a {n}-person extract for {PRISON} ...", flush=True)
    made = generate_extract(PRISON, n, dirt, seed=2026)
    with fresh_database(args.postgres_url) as database_url:
        settings = Settings(
            database_url=database_url,
            broker_url=args.rabbitmq_url,
            namespace=f"benchmigration{uuid.uuid4().hex[:6]}",
        )
        hub = build_hub(settings)
        try:
            hub.store.apply(made.on_record)
            relay = OutboxRelay(hub.store, hub.transport, hub.topology.events_exchange)
            relay_all(relay)  # the people on record's own events, before the clock starts
            baseline_s = plain_insert_s(hub.engine, made.text)
            print("migrating ...", flush=True)
            started = time.perf_counter()
            run = migrate(
                hub.store, PRISON, made.text, extract_name="bench.csv", batch_size=args.batch_size
            )
            migrate_s = time.perf_counter() - started
            published, relay_s = relay_all(relay)
            relay.close()
        finally:
            delete_topology(hub)
            hub.close()
    found = figures(run)
    rate = n / (migrate_s + relay_s)
    baseline = n / baseline_s
    estate_minutes = ESTATE / rate / 60
    print()
    print(text_summary(run))
    print()
    print(f"{'rows':<44}{n:>10}")
    print(f"{'plain multi-row INSERT':<44}{baseline:>10.0f} rows/s")
    print(f"{'migration through the record store':<44}{n / migrate_s:>10.0f} rows/s")
    print(f"{'  events relayed to RabbitMQ':<44}{published:>10} in {relay_s:.1f} s")
    print(f"{'migration and relay together':<44}{rate:>10.0f} rows/s")
    print(f"{'ratio, INSERT : migration':<44}{baseline / rate:>10.1f} x")
    print(f"{'reconciles (read = loaded + refused + held)':<44}{found.reconciles!s:>10}")
    verdict = "within" if estate_minutes < TARGET_MINUTES else "OVER"
    print(
        f"{'the whole estate (80,000 people) at this rate':<44}{estate_minutes:>10.1f} min"
        f" ({verdict} the {TARGET_MINUTES}-minute target)"
    )


if __name__ == "__main__":
    main()
