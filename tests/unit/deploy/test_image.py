"""The Dockerfile builds in stages from the hash-checked lock and runs as a non-root user with
a healthcheck; .dockerignore keeps secrets and local state out of the build context while
letting in everything the Dockerfiles copy."""

from __future__ import annotations

import pytest

from tests.unit.deploy.stack_files import (
    ROOT,
    copied_sources,
    dockerignore_patterns,
    ignored,
    services,
    stages,
)

DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
AIRFLOW_DOCKERFILE = services()["airflow"]["build"]["dockerfile_inline"]


def runs(stage: list[tuple[str, str]]) -> str:
    return "\n".join(arguments for keyword, arguments in stage if keyword == "RUN")


def test_the_image_is_built_in_a_builder_stage_and_run_from_a_slim_one() -> None:
    builder, runtime = stages(DOCKERFILE)
    assert builder[0] == ("FROM", "python:3.11-slim AS builder")
    assert runtime[0] == ("FROM", "python:3.11-slim AS runtime")
    assert "pip wheel --require-hashes --no-deps --wheel-dir /wheels -r requirements/hub.lock" in (
        runs(builder)
    )
    assert ("COPY", "requirements/hub.lock requirements/") in builder
    # The runtime installs the builder's wheels and nothing from an index, then checks them.
    assert "--mount=type=bind,from=builder,source=/wheels" in runs(runtime)
    assert "pip install --no-cache-dir --no-index --no-deps /wheels/*.whl && pip check" in (
        runs(runtime)
    )
    assert copied_sources("\n".join(f"{k} {a}" for k, a in runtime)) == []


def test_the_image_runs_as_a_user_that_is_not_root() -> None:
    runtime = stages(DOCKERFILE)[-1]
    users = [arguments for keyword, arguments in runtime if keyword == "USER"]
    assert users == ["gatehouse"]
    assert "useradd --uid 10001 " in runs(runtime)
    assert ("EXPOSE", "8000") in runtime
    (command,) = [arguments for keyword, arguments in runtime if keyword == "CMD"]
    assert command.startswith('["gatehouse", "serve", "--host", "0.0.0.0"')


def test_the_image_checks_its_own_liveness() -> None:
    runtime = stages(DOCKERFILE)[-1]
    (check,) = [arguments for keyword, arguments in runtime if keyword == "HEALTHCHECK"]
    assert 'CMD ["python", "-c",' in check and "http://127.0.0.1:8000/health/live" in check
    code = check.split('"-c", "', 1)[1].rsplit('"]', 1)[0]
    compile(code, "HEALTHCHECK", "exec")


@pytest.mark.parametrize(
    "path",
    [
        ".env",
        ".env.local",
        "sftp-keys/gatehouse",
        "sftp-keys/ssh_host_ed25519_key",
        ".venv/bin/python",
        ".venv-airflow/bin/airflow",
        "var/gatehouse.sqlite3",
        ".git/config",
        "tests/unit/test_locks.py",
        "bench/pipeline.py",
        "docs/index.md",
        "gatehouse/__pycache__/app.cpython-311.pyc",
        "adapters/pnc/certs/hub.key",
        "deploy/partner-ca.pem",
        "id_ed25519",
    ],
)
def test_dockerignore_keeps_secrets_and_local_state_out(path: str) -> None:
    assert ignored(path), f"{path} would be sent to the image builder"


@pytest.mark.parametrize("dockerfile", [DOCKERFILE, AIRFLOW_DOCKERFILE], ids=["hub", "airflow"])
def test_dockerignore_lets_in_everything_the_images_copy(dockerfile: str) -> None:
    sources = copied_sources(dockerfile)
    assert "requirements/hub.lock" in sources or "requirements/airflow.lock" in sources
    for source in sources:
        assert (ROOT / source).exists(), f"COPY {source}: no such file"
        assert not ignored(source), f"COPY {source}: .dockerignore leaves it out"
    for package in ("gatehouse", "core_records", "routing", "adapters", "schemas", "monitoring"):
        assert package in sources
        assert not ignored(f"{package}/__init__.py")


def test_the_dockerignore_matcher_follows_dockers_rules() -> None:
    assert {".venv*", "tests", "sftp-keys", ".env", "**/*.pem", "**/*.key"} <= set(
        dockerignore_patterns()
    )
    assert ignored("tests") and ignored("tests/x/y.py") and not ignored("gatehouse/tests.py")
    assert not ignored("requirements/hub.lock") and not ignored("dags/gatehouse_sftp.py")
