"""The hub's long-running commands: ``gatehouse serve`` (the HTTP API), ``gatehouse worker``
(consume and process messages) and ``gatehouse demo`` (all of it on the embedded default,
with simulated partners)."""

from __future__ import annotations

import logging
import threading
from typing import Annotated

import typer
from pydantic import ValidationError

from gatehouse.bootstrap import ConfigurationError
from gatehouse.cli.common import fail, open_hub
from gatehouse.logging_setup import LogFormat, configure
from gatehouse.settings import Settings
from gatehouse.worker_loops import ROLES, build_loops


def configure_logging(verbose: bool = False, default_format: LogFormat = "json") -> LogFormat:
    """Log as ``GATEHOUSE_LOG_FORMAT`` says, else in ``default_format`` (JSON for the
    services, whose logs a collector reads; text for the demo, read in a terminal). A
    configuration that does not load is left for ``open_hub`` to report."""
    try:
        log_format = Settings().log_format or default_format
    except ValidationError:
        log_format = default_format
    configure(log_format, verbose)
    return log_format


def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Serve the HTTP API: the inbound edge, message status and health."""
    import uvicorn

    from gatehouse.app import create_app

    log_format = configure_logging()
    with open_hub() as hub:
        settings = hub.settings
        uvicorn.run(
            create_app(hub),
            host=host or settings.http_host,
            port=port or settings.http_port,
            log_level="info",
            # In JSON, uvicorn's records go through the root's one-line JSON handler too.
            **({"log_config": None} if log_format == "json" else {}),
        )


def worker(
    role: Annotated[
        list[str] | None,
        typer.Option("--role", help=f"Run only these roles ({', '.join(ROLES)}); all by default."),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Consume and process messages until SIGTERM, which finishes the work in hand; serve
    the process's Prometheus metrics on GATEHOUSE_WORKER_METRICS_PORT."""
    from routing.worker import WorkerRunner, stop_on_signals
    from routing.worker_metrics import serve_worker_metrics

    configure_logging(verbose)
    stop = threading.Event()
    stop_on_signals(stop)
    with open_hub(wait_until=stop) as hub:
        try:
            loops = build_loops(hub, role or ROLES)
        except ConfigurationError as error:
            raise fail(str(error)) from error
        logging.getLogger("gatehouse").info(
            "worker running %s on %s",
            ", ".join(loop.name for loop in loops),
            hub.settings.describe(),
        )
        serve_worker_metrics(hub.settings.worker_metrics_port, hub.settings.worker_metrics_host)
        WorkerRunner(loops).run(stop)


def demo(
    port: Annotated[int, typer.Option(help="Port of the API.")] = 8000,
    rate: Annotated[float, typer.Option(help="Simulated partner messages per second.")] = 2.0,
) -> None:
    """The hub on its embedded default, serving, with simulated partner traffic."""
    from gatehouse.demo.run import run_demo

    configure_logging(default_format="text")
    run_demo(port=port, rate=rate)
