"""What the shared rate limit costs each API request: one turn of the limiter, on SQLite, on
PostgreSQL and on Redis, from one thread and from several at once on one key.

    .venv/bin/python bench/rate_limiter.py [--turns 2000] [--threads 8]
        [--postgres-url ...] [--redis-url ...]

A measurement, not a test: it prints microseconds per turn (median and p99 from one thread;
turns a second from ``--threads`` threads sharing one partner's key), and checks that the
limit let through exactly its burst when the rate is negligible.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import redis
from bench_database import fresh_database

from core_records.bookkeeping.rate_limits import Rate, RateLimiter, StoreRateLimiter
from core_records.store.database import create_engine
from core_records.store.migrate import upgrade
from gatehouse.api.redis_limiter import RedisRateLimiter

OPEN = Rate(per_s=1e9, burst=1_000_000)
"""A limit never reached: every turn is let through and updates the count."""
TIGHT = Rate(per_s=1e-6, burst=100)


def measure(name: str, limiter: RateLimiter, turns: int, threads: int) -> None:
    limiter.wait_for("bench:warm", OPEN)
    times = []
    for _ in range(turns):
        start = time.perf_counter()
        limiter.wait_for("partner:one", OPEN)
        times.append((time.perf_counter() - start) * 1e6)
    times.sort()
    p99 = times[int(len(times) * 0.99) - 1]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        start = time.perf_counter()
        list(pool.map(lambda _: limiter.wait_for("partner:shared", OPEN), range(turns)))
        per_s = turns / (time.perf_counter() - start)
        waits = list(pool.map(lambda _: limiter.wait_for("partner:tight", TIGHT), range(400)))
    let_through = sum(1 for wait in waits if wait == 0)
    print(
        f"{name:<10} median {statistics.median(times):7.0f} µs  p99 {p99:7.0f} µs  "
        f"{per_s:8.0f} turns/s from {threads} threads  "
        f"burst {TIGHT.burst}: {let_through} of 400 let through"
    )
    if let_through != TIGHT.burst:
        sys.exit(f"{name}: {let_through} let through, not {TIGHT.burst}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "GATEHOUSE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("GATEHOUSE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"),
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'bench.sqlite3'}"
        upgrade(url)
        engine = create_engine(url)
        measure("sqlite", StoreRateLimiter(engine), args.turns, args.threads)
        engine.dispose()
    with fresh_database(args.postgres_url, prefix="gh_bench_limits") as url:
        engine = create_engine(url)
        measure("postgresql", StoreRateLimiter(engine), args.turns, args.threads)
        engine.dispose()
    namespace = f"bench{os.getpid()}"
    client = redis.Redis.from_url(args.redis_url)
    try:
        measure("redis", RedisRateLimiter(client, namespace=namespace), args.turns, args.threads)
    finally:
        for key in client.scan_iter(f"{namespace}:rate:*"):
            client.delete(key)
        client.close()


if __name__ == "__main__":
    main()
