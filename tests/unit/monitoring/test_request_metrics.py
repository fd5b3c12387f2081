"""The API's request durations, by method, route template and status, at /metrics/process."""

from __future__ import annotations

import anyio
import httpx
from fastapi import FastAPI, HTTPException
from prometheus_client.parser import text_string_to_metric_families

from monitoring.metrics import install_request_metrics


def app() -> FastAPI:
    app = FastAPI()

    @app.get("/things/{thing_id}")
    def thing(thing_id: str) -> dict[str, str]:
        if thing_id == "missing":
            raise HTTPException(404)
        return {"id": thing_id}

    @app.get("/broken")
    def broken() -> None:
        raise RuntimeError("boom")

    install_request_metrics(app)
    return app


def counts(text: str) -> dict[tuple[str, str, str], float]:
    return {
        (s.labels["method"], s.labels["route"], s.labels["status"]): s.value
        for family in text_string_to_metric_families(text)
        if family.name == "gatehouse_http_request_duration_seconds"
        for s in family.samples
        if s.name.endswith("_count")
    }


def test_requests_are_timed_by_route_template_and_status_and_process_metrics_served() -> None:
    transport = httpx.ASGITransport(app(), raise_app_exceptions=False)

    async def requests() -> tuple[str, str, int]:
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
            before = (await client.get("/metrics/process")).text
            for path in ("/things/a", "/things/b", "/things/missing", "/nowhere/at/all"):
                await client.get(path)
            broken = (await client.get("/broken")).status_code
            return before, (await client.get("/metrics/process")).text, broken

    before_text, text, broken = anyio.run(requests)
    before, after = counts(before_text), counts(text)

    def added(key: tuple[str, str, str]) -> float:
        return after.get(key, 0) - before.get(key, 0)

    assert broken == 500
    assert added(("GET", "/things/{thing_id}", "200")) == 2
    assert added(("GET", "/things/{thing_id}", "404")) == 1
    assert added(("GET", "unmatched", "404")) == 1
    assert added(("GET", "/broken", "500")) == 1
    assert not any("/things/a" in route for _, route, _ in after)
    assert "process_cpu_seconds_total" in text or "python_info" in text
    assert "python_gc_objects_collected_total" in text
