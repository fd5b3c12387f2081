"""Two ``gatehouse serve`` processes on one PostgreSQL store share each partner's rate limit:
posting to both in turn, the partner gets its limit in all, not twice it; the same with the
limit kept in Redis (``GATEHOUSE_REDIS_URL``)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest

from core_records.bookkeeping.credentials import PartnerCredentials
from core_records.store.database import create_engine
from gatehouse.api.redis_limiter import client_name
from gatehouse.app import create_app
from gatehouse.bootstrap import build_hub
from gatehouse.settings import Settings
from tests.running_hub import eventually
from tests.support import reachable, service_unavailable

REDIS_URL = os.environ.get("GATEHOUSE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
RECEPTION = (
    Path(__file__).parents[2] / "adapters/private_prisons/samples/valid/reception-new-person.xml"
)
BURST = 10
LIMIT = {
    # Ten at once, then one every six minutes: the test is over long before the next is due.
    "GATEHOUSE_PARTNER_RATE_PER_S": str(1 / 360),
    "GATEHOUSE_PARTNER_RATE_BURST": str(BURST),
}


@pytest.fixture(params=["store", "redis"])
def limits_in(request: pytest.FixtureRequest, namespace: str) -> Iterator[dict[str, str]]:
    """The settings that put the limit in the store, or in Redis (its keys deleted after)."""
    if request.param == "store":
        yield {}
        return
    if not reachable(REDIS_URL, 6379):
        service_unavailable(f"Redis at {REDIS_URL}")
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        yield {"GATEHOUSE_REDIS_URL": REDIS_URL}
    finally:
        for key in client.scan_iter(f"{namespace}:rate:*"):
            client.delete(key)
        client.close()


@contextmanager
def api_process(environment: dict[str, str], log: Path) -> Iterator[str]:
    """``gatehouse serve`` in a process of its own; its base URL, stopped on leaving."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gatehouse", "serve", "--port", str(port)],
            env=environment,
            # Not the checkout: a build's *.egg-info there would register the adapters twice.
            cwd=log.parent,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            eventually(lambda: _live(base, process, log), f"the api at {base}", timeout_s=60)
            yield base
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _live(base: str, process: subprocess.Popen[bytes], log: Path) -> bool:
    assert process.poll() is None, f"the api exited: {log.read_text()[-2000:]}"
    try:
        return httpx.get(f"{base}/health/live", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def test_two_api_processes_let_a_partner_through_at_its_limit_in_all(
    postgres_url: str, namespace: str, limits_in: dict[str, str], tmp_path: Path
) -> None:
    engine = create_engine(postgres_url)
    token = PartnerCredentials(engine).issue("serco")
    engine.dispose()
    base_environment = {k: v for k, v in os.environ.items() if not k.startswith("GATEHOUSE_")}
    statuses: dict[str, list[int]] = {}
    with ExitStack() as stack:
        apis = [
            stack.enter_context(
                api_process(
                    {
                        **base_environment,
                        **LIMIT,
                        **limits_in,
                        "GATEHOUSE_DATABASE_URL": postgres_url,
                        "GATEHOUSE_NAMESPACE": namespace,
                        # Each process publishes to an embedded queue of its own: only the
                        # limit and the store are shared.
                        "GATEHOUSE_DATA_DIR": str(tmp_path / name),
                    },
                    tmp_path / f"{name}.log",
                )
            )
            for name in ("api-1", "api-2")
        ]
        retry_after = []
        for n in range(3 * BURST):
            api = apis[n % 2]
            response = httpx.post(
                f"{api}/api/v1/inbound/private_prisons/reception",
                content=RECEPTION.read_bytes(),
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/xml"},
                timeout=30,
            )
            statuses.setdefault(api, []).append(response.status_code)
            if response.status_code == 429:
                retry_after.append(int(response.headers["retry-after"]))
    every = [status for answers in statuses.values() for status in answers]
    assert set(every) == {202, 429}, statuses
    assert every.count(202) == BURST, statuses
    assert all(answers.count(202) > 0 for answers in statuses.values()), (
        "both processes let requests through, counting against one limit"
    )
    assert min(retry_after) > 0


def test_closing_the_hub_closes_the_api_s_connections_to_redis(
    namespace: str, tmp_path: Path
) -> None:
    if not reachable(REDIS_URL, 6379):
        service_unavailable(f"Redis at {REDIS_URL}")
    import redis

    settings = Settings(data_dir=tmp_path, namespace=namespace, redis_url=REDIS_URL)
    hub = build_hub(settings, migrate=True)
    token = hub.credentials.issue("serco")
    observer = redis.Redis.from_url(REDIS_URL)
    name = client_name(namespace)

    def connections() -> int:
        return sum(1 for client in observer.client_list() if client["name"] == name)

    async def post_a_reception() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(hub))
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as api:
            return await api.post(
                "/api/v1/inbound/private_prisons/reception",
                content=RECEPTION.read_bytes(),
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/xml"},
            )

    try:
        response = asyncio.run(post_a_reception())
        assert response.status_code == 202, response.text
        assert connections() == 1, "the partner's request took its turn in Redis"
    finally:
        hub.close()
    try:
        assert connections() == 0
    finally:
        for key in observer.scan_iter(f"{namespace}:rate:*"):
            observer.delete(key)
        observer.close()
