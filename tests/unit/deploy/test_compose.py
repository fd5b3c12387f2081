"""compose.yaml can run as written: it follows the Compose specification, every service says
how it is healthy and how it restarts, services wait for what they need, no secret is
written in it, nothing but the API and Airflow's UI is published, the SFTP stand-in and
Airflow are set up as their images expect, and the images are the versions the tests use."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest

from adapters.transports.sftp_config import SftpInterface
from gatehouse.settings import Settings
from tests.unit.deploy import stack_files
from tests.unit.deploy.stack_files import (
    ROOT,
    compose,
    compose_debug,
    environment,
    healthcheck_command,
    services,
)

ONE_SHOT = {"migrate", "sftp-key"}
SECRET_NAME = re.compile(r"PASS|SECRET|TOKEN|PRIVATE", re.I)


def schema_errors(document: dict) -> list[str]:
    schema = json.loads(stack_files.SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema)
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(document)
    ]


@pytest.mark.parametrize("load", [compose, compose_debug], ids=["compose", "debug"])
def test_the_compose_files_follow_the_compose_specification(load) -> None:
    assert schema_errors(load()) == []


def test_the_schema_check_finds_what_compose_would_refuse() -> None:
    broken = copy.deepcopy(compose())
    broken["services"]["api"]["depends_on"]["migrate"]["condition"] = "service_finished"
    broken["services"]["worker"]["healthcheck"]["intervall"] = "5s"
    errors = schema_errors(broken)
    assert any(error.startswith("services/api/depends_on") for error in errors), errors
    assert any("intervall" in error for error in errors), errors


def test_long_running_services_restart_and_one_shot_jobs_do_not() -> None:
    policies = {name: service.get("restart") for name, service in services().items()}
    assert {name for name, policy in policies.items() if policy == "no"} == ONE_SHOT
    assert {policies[name] for name in policies.keys() - ONE_SHOT} == {"unless-stopped"}


def test_every_long_running_service_has_a_healthcheck_and_one_shot_jobs_turn_it_off() -> None:
    for name, service in services().items():
        check = service.get("healthcheck")
        assert check, f"{name} has no healthcheck (the image's own would apply)"
        if name in ONE_SHOT:
            assert check == {"disable": True}, name
        else:
            assert not check.get("disable") and check["test"][0] == "CMD", name
            assert {"interval", "timeout", "retries", "start_period"} <= check.keys(), name


def test_each_healthcheck_asks_the_service_itself() -> None:
    commands = {name: " ".join(healthcheck_command(name)) for name in services().keys() - ONE_SHOT}
    assert commands["postgres"].startswith("pg_isready -U gatehouse")
    assert commands["rabbitmq"] == "rabbitmq-diagnostics -q ping"
    assert "http://127.0.0.1:8000/health/ready" in commands["api"]
    assert "'/proc/net/tcp'" in commands["worker"] and "':1628'" in commands["worker"]
    assert "('127.0.0.1', 9000)" in commands["delius"]
    assert commands["shop-sftp"] == "bash -c exec 3<>/dev/tcp/127.0.0.1/22"
    assert "http://127.0.0.1:8080/api/v2/monitor/health" in commands["airflow"]
    assert commands["prometheus"] == "wget -q -O /dev/null http://127.0.0.1:9090/-/ready"


def test_prometheus_scrapes_the_api_and_every_worker_by_their_service_names() -> None:
    prometheus = services()["prometheus"]
    assert "./deploy/prometheus:/etc/prometheus:ro" in prometheus["volumes"]
    assert "--config.file=/etc/prometheus/prometheus.yml" in prometheus["command"]
    config = stack_files.load_yaml("deploy/prometheus/prometheus.yml")
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    api_port = services()["api"]["healthcheck"]["test"][-1].split("127.0.0.1:")[1][:4]
    for name in ("gatehouse-api", "gatehouse-api-process"):
        (targets,) = jobs[name]["static_configs"]
        assert targets["targets"] == [f"api:{api_port}"], name
    (workers,) = jobs["gatehouse-worker"]["dns_sd_configs"]
    assert workers["names"] == ["worker"] and workers["type"] == "A"
    assert services()["worker"]["deploy"]["replicas"] > 1, "one address each, found by DNS"
    assert workers["port"] == Settings.model_fields["worker_metrics_port"].default
    assert "GATEHOUSE_WORKER_METRICS_PORT" not in environment("worker")


def test_the_python_healthchecks_are_python() -> None:
    for name in services().keys() - ONE_SHOT:
        command = healthcheck_command(name)
        if command[:2] == ["python", "-c"]:
            compile(command[2], f"{name} healthcheck", "exec")


def test_services_wait_until_what_they_need_is_healthy_or_done() -> None:
    for name, service in services().items():
        for needed, how in (service.get("depends_on") or {}).items():
            condition = how["condition"]
            if needed in ONE_SHOT:
                assert condition == "service_completed_successfully", (name, needed)
            else:
                assert condition == "service_healthy", (name, needed)
                assert not services()[needed]["healthcheck"].get("disable"), needed
    for name in ("api", "worker", "airflow"):
        assert services()[name]["depends_on"].keys() >= {"migrate", "postgres", "rabbitmq"}
    assert services()["airflow"]["depends_on"].keys() >= {"sftp-key", "shop-sftp"}


def test_the_database_and_broker_publish_no_port_unless_the_debug_file_adds_them() -> None:
    published = {name for name, service in services().items() if service.get("ports")}
    assert published == {"api", "airflow"}
    assert services()["airflow"]["ports"] == ["127.0.0.1:8080:8080"]
    debug = compose_debug()["services"]
    assert debug.keys() == {"postgres", "rabbitmq", "shop-sftp", "prometheus"}
    for name, service in debug.items():
        assert service.keys() == {"ports"}, name
        assert all(port.startswith("127.0.0.1:") for port in service["ports"]), name


def test_no_secret_is_written_in_the_file() -> None:
    for name, service in services().items():
        for variable, value in (service.get("environment") or {}).items():
            if SECRET_NAME.search(variable):
                assert re.fullmatch(r"\$\{\w+:\?[^}]+\}", str(value)), (name, variable)
            for url in re.findall(r"\w+://[^\s\"]+", str(value)):
                password = urlsplit(url).password
                assert password is None or password.startswith("${"), (name, variable)


def test_every_variable_is_required_and_in_the_example_env_file() -> None:
    used = [v for s in stack_files.strings_in(compose()) for v in stack_files.VARIABLE.findall(s)]
    assert used and {operator for _, operator, _ in used} == {":?"}
    example = stack_files.env_example()
    assert {name for name, _, _ in used} == example.keys()
    assert all("change-me" in value for value in example.values()), example


def test_the_env_file_stays_out_of_git_and_a_missing_secret_is_named() -> None:
    git = shutil.which("git")
    if git is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    ignored = subprocess.run([git, "check-ignore", "-q", "--no-index", ".env"], cwd=ROOT)
    assert ignored.returncode == 0, ".env is not git-ignored"
    with pytest.raises(KeyError, match=r"POSTGRES_PASSWORD is required: set it in \.env"):
        stack_files.interpolate(str(services()["postgres"]["environment"]), {})


def test_the_hub_reaches_the_database_and_broker_with_the_passwords_they_are_given() -> None:
    hub, example = environment("api"), stack_files.env_example()
    database = urlsplit(hub["GATEHOUSE_DATABASE_URL"])
    broker = urlsplit(hub["GATEHOUSE_BROKER_URL"])
    assert (database.hostname, database.username) == ("postgres", "gatehouse")
    assert database.password == example["POSTGRES_PASSWORD"]
    assert environment("postgres")["POSTGRES_PASSWORD"] == example["POSTGRES_PASSWORD"]
    assert (broker.hostname, broker.port, broker.username) == ("rabbitmq", 5672, "gatehouse")
    assert broker.password == environment("rabbitmq")["RABBITMQ_DEFAULT_PASS"]
    for name in ("migrate", "worker", "airflow"):
        assert environment(name)["GATEHOUSE_DATABASE_URL"] == hub["GATEHOUSE_DATABASE_URL"]


def test_the_sftp_users_line_has_the_fields_atmoz_sftp_reads_by_position() -> None:
    (line,) = services()["shop-sftp"]["command"]
    fields = line.split(":")
    assert len(fields) == 5, f"atmoz/sftp reads user:pass:uid:gid:dirs by position: {line!r}"
    user, password, uid, gid, folders = fields
    assert (user, password) == ("shop", ""), "an empty password: the mounted key signs in"
    assert uid.isdigit() and gid.isdigit()
    volumes = services()["shop-sftp"]["volumes"]
    assert any(v.split(":")[1] == f"/home/{user}/.ssh/keys/gatehouse.pub" for v in volumes)
    for name, raw in stack_files.sftp_interfaces().items():
        interface = SftpInterface.model_validate(raw)
        assert (interface.host, interface.username) == ("shop-sftp", user), name
        needed = {interface.drop_dir, interface.receipt_dir, interface.archive_dir}
        assert needed | {interface.error_dir} <= set(folders.split(",")), name


def test_airflow_runs_as_its_image_user_and_can_read_the_key_copied_for_it() -> None:
    airflow, key_job = services()["airflow"], services()["sftp-key"]
    assert airflow["user"] == "50000:0"
    (mount,) = airflow["volumes"]
    volume, target, mode = mount.split(":")
    assert mode == "ro" and volume in compose()["volumes"]
    for name, interface in stack_files.sftp_interfaces().items():
        assert interface["key_file"].startswith(target + "/"), name
        key_name = interface["key_file"].removeprefix(target + "/")
    install = key_job["entrypoint"]
    owner, group, file_mode = (install[install.index(flag) + 1] for flag in ("-o", "-g", "-m"))
    assert (owner, group, file_mode) == ("50000", "0", "0400")
    assert f"{volume}:{install[-1].rsplit('/', 1)[0]}" in key_job["volumes"]
    assert install[-1].endswith("/" + key_name) and key_job["user"] == "0:0"


def test_the_images_are_the_versions_the_tests_run_against() -> None:
    assert services()["rabbitmq"]["image"] == "rabbitmq:3.10-management"
    assert services()["postgres"]["image"] == "postgres:15"
    inline = services()["airflow"]["build"]["dockerfile_inline"]
    base = re.search(r"^FROM apache/airflow:slim-(\S+)-python(\S+)$", inline, re.M)
    assert base, inline
    lock = (ROOT / "requirements" / "airflow.lock").read_text(encoding="utf-8")
    assert re.search(rf"^apache-airflow=={re.escape(base[1])} ", lock, re.M)
    assert base[2] == "3.11"
    assert "--require-hashes --no-deps -r /opt/gatehouse/requirements/airflow.lock" in inline
    assert "pip install --no-cache-dir --no-deps --no-build-isolation /opt/gatehouse" in inline


def test_the_pinned_database_and_broker_are_the_ones_installed_here() -> None:
    """Where the test services are installed (.ci/run's PostgreSQL and RabbitMQ), their
    versions are the ones compose.yaml pins."""
    postgresql = Path("/etc/postgresql")
    clusters = sorted(p.name for p in postgresql.iterdir()) if postgresql.is_dir() else []
    rabbitmqctl = shutil.which("rabbitmqctl")
    if not clusters or rabbitmqctl is None:
        pytest.skip("PostgreSQL or RabbitMQ is not installed here")
    assert services()["postgres"]["image"] == f"postgres:{clusters[-1]}"
    done = subprocess.run([rabbitmqctl, "version"], capture_output=True, text=True, timeout=60)
    major_minor = ".".join(done.stdout.strip().split(".")[:2])
    assert services()["rabbitmq"]["image"] == f"rabbitmq:{major_minor}-management"
