"""Per-partner rate limits on the HTTP API, shared by every api process: 429 and Retry-After.

Each partner may make ``burst`` requests at once and ``rate_per_s`` on average, across all
api processes together: the count is kept where every process sees it, in Redis when
``GATEHOUSE_REDIS_URL`` is set (``gatehouse.api.redis_limiter``), else in the record store
(``core_records.bookkeeping.rate_limits``); ``gatehouse.bootstrap.rate_limiter`` chooses. A
request over the limit is answered 429 with ``Retry-After`` (whole seconds until a request
would be let through) and never reaches the route. If the limiter itself fails (Redis or
the store unreachable), requests are let through and a warning is logged, at most once a
minute: the route still authenticates every request against the store.

The middleware must know who is calling before the route does. It asks ``identify``
(token to partner) and remembers the answer for ``identity_ttl_s``: that cache only picks
the limit, and the route still authenticates every request against the store, so that a
revoked token is refused at once.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable, Mapping

import anyio
from starlette.types import ASGIApp, Receive, Scope, Send

from core_records.bookkeeping.credentials import token_hash
from core_records.bookkeeping.rate_limits import Rate, RateLimiter
from gatehouse.api.auth import bearer_token_in_scope
from gatehouse.api.problems import PROBLEM_JSON, problem_body

log = logging.getLogger(__name__)
WARN_EVERY_S = 60.0


class RateLimits:
    """Limits by partner: ``default`` requests per second unless ``overrides`` names one,
    counted by ``limiter`` under the key ``partner:<name>``."""

    def __init__(
        self,
        default_per_s: float,
        burst: int,
        overrides: Mapping[str, float] | None = None,
        *,
        limiter: RateLimiter,
    ) -> None:
        self._default = default_per_s
        self._burst = max(burst, 1)
        self._overrides = dict(overrides or {})
        self._limiter = limiter
        self._warned_at = -math.inf

    def rate(self, partner: str) -> Rate:
        return Rate(self._overrides.get(partner, self._default), self._burst)

    def wait_for(self, partner: str) -> float:
        """0 when ``partner`` may make a request now (and it is counted), else the seconds
        to wait. 0 also when the limiter cannot be reached (logged)."""
        try:
            return self._limiter.wait_for(f"partner:{partner}", self.rate(partner))
        except Exception as error:  # the limiter must not take the API down with it
            now = time.monotonic()
            if now - self._warned_at >= WARN_EVERY_S:
                self._warned_at = now
                reason = " ".join(str(error).split())
                log.warning("rate limit not applied, the limiter failed: %s", reason)
            return 0.0


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
            wait = await anyio.to_thread.run_sync(self._limits.wait_for, partner)
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
    reason = f"partner {partner} is over its request rate; retry after {retry_after_s} s"
    body = json.dumps(problem_body(429, "rate_limited", reason)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 429,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"retry-after", str(retry_after_s).encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
