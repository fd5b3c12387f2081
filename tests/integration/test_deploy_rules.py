"""The Prometheus files under deploy/ are valid, and the alert rules fire when they should:
checked by promtool (Debian's ``prometheus`` package), as an operator's CI would."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.support import service_unavailable

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
PROMETHEUS = DEPLOY / "prometheus"


@pytest.fixture(scope="module")
def promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        service_unavailable("promtool (apt-get install prometheus)")
    assert found is not None
    return found


def run(promtool: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [promtool, *args], cwd=PROMETHEUS, capture_output=True, text=True, timeout=60
    )


def test_the_alert_rules_pass_promtools_check(promtool: str) -> None:
    check = run(promtool, "check", "rules", "alerts.yml")
    assert check.returncode == 0, check.stdout + check.stderr


def test_the_rules_tests_prove_alerts_fire(promtool: str) -> None:
    tested = run(promtool, "test", "rules", "alerts_test.yml")
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "SUCCESS" in tested.stdout


def test_a_rules_test_expecting_an_alert_too_early_fails(promtool: str, tmp_path: Path) -> None:
    """The rules tests can fail: the red interface must be red for 10 minutes first."""
    shutil.copy(PROMETHEUS / "alerts.yml", tmp_path / "alerts.yml")
    early = (PROMETHEUS / "alerts_test.yml").read_text().replace("eval_time: 14m", "eval_time: 11m")
    (tmp_path / "alerts_test.yml").write_text(early)
    tested = subprocess.run(
        [promtool, "test", "rules", "alerts_test.yml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert tested.returncode != 0
    assert "GatehouseInterfaceRed" in tested.stdout + tested.stderr


def test_the_example_scrape_config_is_valid(promtool: str) -> None:
    check = run(promtool, "check", "config", "prometheus.yml")
    assert check.returncode == 0, check.stdout + check.stderr


def test_every_alert_says_what_and_why_and_the_dashboard_loads() -> None:
    rules = [
        rule
        for group in yaml.safe_load((PROMETHEUS / "alerts.yml").read_text())["groups"]
        for rule in group["rules"]
    ]
    assert {rule["alert"] for rule in rules} >= {
        "GatehouseInterfaceRed",
        "GatehouseDeadLettersWaiting",
        "GatehouseWorkerDown",
        "GatehouseQueueBacklog",
        "GatehouseInboundSilent",
        "GatehouseHttp5xx",
    }
    for rule in rules:
        assert rule["annotations"]["summary"] and rule["annotations"]["description"], rule
    dashboard = json.loads((DEPLOY / "grafana" / "gatehouse.json").read_text())
    exprs = " ".join(t["expr"] for p in dashboard["panels"] for t in p["targets"])
    for metric in (
        "gatehouse_worker_messages_total",
        "gatehouse_worker_batch_size_bucket",
        "gatehouse_worker_batch_seconds_bucket",
        "gatehouse_delivery_latency_seconds_bucket",
        "gatehouse_http_request_duration_seconds_bucket",
        "process_resident_memory_bytes",
    ):
        assert metric in exprs, metric
