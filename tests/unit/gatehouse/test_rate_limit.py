"""The API's rate limits: each partner's rate (or its override) asked of the shared limiter,
429 with Retry-After over it, and requests let through (with one warning) if the limiter
fails."""

from __future__ import annotations

import logging

import anyio
import httpx
import pytest
from fastapi import FastAPI

from core_records.bookkeeping.rate_limits import Rate
from gatehouse.api.rate_limit import PartnerRateLimit, RateLimits
from gatehouse.bootstrap import ConfigurationError, rate_limiter
from gatehouse.settings import Settings


class Recording:
    def __init__(self, waits: list[float]) -> None:
        self.waits = waits
        self.asked: list[tuple[str, Rate]] = []

    def wait_for(self, key: str, rate: Rate) -> float:
        self.asked.append((key, rate))
        return self.waits.pop(0)

    def close(self) -> None:
        pass


class Broken:
    def wait_for(self, key: str, rate: Rate) -> float:
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379.\nConnection refused.")

    def close(self) -> None:
        pass


def _get(limits: RateLimits, *tokens: str | None) -> list[httpx.Response]:
    """GET a route behind the middleware once with each token (None: no Authorization)."""
    app = FastAPI()
    app.add_api_route("/api/v1/ping", lambda: {"ok": True})
    app.add_middleware(
        PartnerRateLimit, limits=limits, identify=lambda token: {"t-serco": "serco"}.get(token)
    )

    async def get_all() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
            return [
                await client.get(
                    "/api/v1/ping", headers={"Authorization": f"Bearer {t}"} if t else {}
                )
                for t in tokens
            ]

    return anyio.run(get_all)


def test_a_partner_over_its_rate_is_answered_429_with_retry_after() -> None:
    limiter = Recording([0.0, 2.2])
    limits = RateLimits(5.0, 10, {"delius": 50.0}, limiter=limiter)
    allowed, refused, anonymous = _get(limits, "t-serco", "t-serco", None)
    assert allowed.status_code == 200
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "3"
    assert refused.json()["error"] == "rate_limited"
    assert limiter.asked == [("partner:serco", Rate(5.0, 10))] * 2
    assert anonymous.status_code == 200, "no token: not limited here, the route decides"


def test_an_override_sets_one_partners_rate() -> None:
    limits = RateLimits(5.0, 10, {"delius": 50.0}, limiter=Recording([]))
    assert limits.rate("delius") == Rate(50.0, 10)
    assert limits.rate("serco") == Rate(5.0, 10)


def test_a_failing_limiter_lets_requests_through_and_warns_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    limits = RateLimits(5.0, 10, limiter=Broken())
    with caplog.at_level(logging.WARNING, logger="gatehouse.api.rate_limit"):
        assert [limits.wait_for("serco") for _ in range(3)] == [0.0] * 3
    [record] = caplog.records
    assert record.getMessage() == (
        "rate limit not applied, the limiter failed: "
        "Error 111 connecting to 127.0.0.1:6379. Connection refused."
    )


def test_the_limiter_is_redis_where_configured_else_the_store() -> None:
    import sqlalchemy as sa

    engine = sa.create_engine("sqlite://")
    assert type(rate_limiter(Settings(redis_url=None), engine)).__name__ == "StoreRateLimiter"
    redis_settings = Settings(redis_url="redis://127.0.0.1:6379/0")
    assert type(rate_limiter(redis_settings, engine)).__name__ == "RedisRateLimiter"
    with pytest.raises(ConfigurationError, match="GATEHOUSE_REDIS_URL must be a redis://"):
        rate_limiter(Settings(redis_url="http://cache:6379"), engine)
