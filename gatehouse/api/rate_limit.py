"""Per-partner rate limits on the HTTP API: a token bucket per partner, 429 and Retry-After.

Each partner has a bucket of ``burst`` requests that refills at ``rate_per_s``; a request
finding it empty is answered 429 with ``Retry-After`` (whole seconds until a request
would be let through) and never reaches the route. Buckets live in the process: with N api
processes behind a balancer a partner gets up to N times its rate, which is why the limit
is set per process (README, "Partner credentials").

The middleware must know who is calling before the route does. It asks ``identify``
(token to partner) and remembers the answer for ``identity_ttl_s``: that cache only picks
the bucket, and the route still authenticates every request against the store, so that a
revoked token is refused at once.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import anyio
from starlette.types import ASGIApp, Receive, Scope, Send

from core_records.bookkeeping.credentials import token_hash
from gatehouse.api.auth import bearer_token_in_scope


@dataclass
class TokenBucket:
    rate_per_s: float
    burst: float
    tokens: float = field(init=False)
    updated: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.tokens = self.burst

    def take(self, now: float) -> float:
        """Take one request's token: 0 when taken, else the seconds until one is due."""
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate_per_s)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate_per_s


class RateLimits:
    """Buckets by partner: ``default`` requests per second unless ``overrides`` names one."""

    def __init__(
        self,
        default_per_s: float,
        burst: int,
        overrides: Mapping[str, float] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._default = default_per_s
        self._burst = burst
        self._overrides = dict(overrides or {})
        self._clock = clock
        self._buckets: dict[str, TokenBucket] = {}
        self._lock = threading.Lock()

    def wait_for(self, partner: str) -> float:
        """0 when ``partner`` may make a request now (and it is counted), else the seconds
        to wait."""
        with self._lock:
            bucket = self._buckets.get(partner)
            if bucket is None:
                rate = self._overrides.get(partner, self._default)
                bucket = self._buckets[partner] = TokenBucket(rate, max(self._burst, 1))
            return bucket.take(self._clock())


class PartnerRateLimit:
    """ASGI middleware applying ``RateLimits`` to requests under ``/api/``."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        limits: RateLimits,
        identify: Callable[[str], str | None],
        identity_ttl_s: float = 5.0,
    ) -> None:
        self.app = app
        self._limits = limits
        self._identify = identify
        self._ttl = identity_ttl_s
        self._known: dict[str, tuple[float, str | None]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        token = bearer_token_in_scope(scope)
        partner = await self._partner(token) if token else None
        if partner is not None:
            wait = self._limits.wait_for(partner)
            if wait > 0:
                await _too_many(send, partner, math.ceil(wait))
                return
        await self.app(scope, receive, send)

    async def _partner(self, token: str) -> str | None:
        key = token_hash(token)
        now = time.monotonic()
        cached = self._known.get(key)
        if cached is not None and now - cached[0] < self._ttl:
            return cached[1]
        partner = await anyio.to_thread.run_sync(self._identify, token)
        if len(self._known) > 10_000:
            self._known.clear()
        self._known[key] = (now, partner)
        return partner


async def _too_many(send: Send, partner: str, retry_after_s: int) -> None:
    body = json.dumps(
        {
            "error": "rate_limited",
            "reason": f"partner {partner} is over its request rate; retry after {retry_after_s} s",
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 429,
            "headers": [
                (b"content-type", b"application/json"),
                (b"retry-after", str(retry_after_s).encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
