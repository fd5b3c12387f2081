"""``RateLimiter`` on Redis (``GATEHOUSE_REDIS_URL``): the store limiter's arithmetic
(``core_records.bookkeeping.rate_limits``, GCRA) in a Lua script, which Redis runs
atomically, so every api process shares one limit without a database write per request.

Keys are ``<namespace>:rate:<key>`` and expire once their bucket would be full again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import redis

from core_records.bookkeeping.rate_limits import MICROSECONDS, Rate, wall_clock_us

# KEYS[1]: the key; ARGV: now, interval and tolerance in microseconds.
# Returns 0 when the request may go (and it is counted), else the microseconds to wait.
_GCRA = """
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local tolerance = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or ARGV[1])
if tat < now then tat = now end
if tat - now > tolerance then
  return tat - now - tolerance
end
local new_tat = tat + interval
redis.call('SET', KEYS[1], string.format('%d', new_tat),
           'PX', math.ceil((new_tat - now) / 1000) + 1000)
return 0
"""


def client_name(namespace: str) -> str:
    """The name the limiter's connections give Redis (``CLIENT LIST``)."""
    return f"{namespace}-rate-limits"


class RedisRateLimiter:
    def __init__(
        self,
        client: redis.Redis,
        *,
        namespace: str,
        clock_us: Callable[[], int] = wall_clock_us,
    ) -> None:
        self._client = client
        self._prefix = f"{namespace}:rate:"
        self._script: Any = client.register_script(_GCRA)
        self._clock_us = clock_us

    @classmethod
    def from_url(cls, url: str, *, namespace: str) -> RedisRateLimiter:
        # Named, so that CLIENT LIST tells which hub's api processes hold connections.
        client = redis.Redis.from_url(
            url,
            socket_timeout=2,
            socket_connect_timeout=2,
            client_name=client_name(namespace),
        )
        return cls(client, namespace=namespace)

    def wait_for(self, key: str, rate: Rate) -> float:
        wait_us = int(
            self._script(
                keys=[self._prefix + key],
                args=[self._clock_us(), rate.interval_us, rate.tolerance_us],
            )
        )
        return wait_us / MICROSECONDS

    def forget(self, key: str) -> None:
        self._client.delete(self._prefix + key)

    def close(self) -> None:
        """Close the client's pooled connections to Redis."""
        self._client.close()
