"""Every partner the pipeline benchmark's receptions fan out to, each in a process of its own
(real partners are other machines), so that no partner's queue fills or its deliveries fail
during a run, and the hub's figures include all the delivery work a reception causes.

    HTTP   Delius            python -m adapters.delius.simulator --no-validate
           OASys             python -m adapters.oasys.simulator --no-validate
           each operator     python -m adapters.private_prisons.notice_receiver NAME --no-validate
    AMQP   PNC               python -m gatehouse.demo.amqp_partners pnc
           security app      python -m gatehouse.demo.amqp_partners security

The HTTP receivers take documents unread, as Delius does here: a real partner checks them on
its own machines. PNC answers each lookup request (creating a record for anyone it does not
know, as in the demo) and the security application flags every fifth arrival; their answers
come back over AMQP and are real ingest work for the hub. Every receiver answers
``GET <status>/received/count`` (how many it received; for an AMQP partner also how many
answers it sent) and ``GET <status>/received`` (the event ids, in arrival order).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx


@dataclass(frozen=True)
class Receiver:
    """One partner's receiving process."""

    partner: str
    """The partner name its deliveries are journaled under (an operator, for private prisons)."""
    adapter: str
    module: str
    arguments: tuple[str, ...]
    port: int
    path: str
    """Where it receives (HTTP) or reports (AMQP), under its base URL."""
    over_amqp: bool = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    def counts(self) -> tuple[int, int]:
        """(documents received, answers sent back)."""
        answer = httpx.get(f"{self.url}/received/count", timeout=10).json()
        return int(answer["count"]), int(answer.get("answered", 0))

    def event_ids(self) -> list[str]:
        """The event ids that arrived: those taken, in arrival order, then the repeats the
        receiver dropped as duplicates (so that the loss check still sees a double)."""
        answer = httpx.get(f"{self.url}/received", timeout=120).json()
        arrived = [*answer["eventIds"], *answer.get("duplicateIds", [])]
        return [str(event_id) for event_id in arrived]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def receivers_for(operators: list[str]) -> list[Receiver]:
    """A receiver for Delius, OASys, each of ``operators``, PNC and the security app."""
    unread = ("--no-validate",)
    operator_module = "adapters.private_prisons.notice_receiver"
    amqp_module = "gatehouse.demo.amqp_partners"
    return [
        Receiver("delius", "delius", "adapters.delius.simulator", unread, _free_port(),
                 "/custody-status"),
        Receiver("oasys", "oasys", "adapters.oasys.simulator", unread, _free_port(),
                 "/offender-updates"),
        *(Receiver(name, "private_prisons", operator_module, (name, *unread), _free_port(),
                   "/custody-notices") for name in operators),
        *(Receiver(name, name, amqp_module, (name,), _free_port(), "", over_amqp=True)
          for name in ("pnc", "security")),
    ]  # fmt: skip


@contextmanager
def running_receivers(
    operators: list[str], broker_url: str, namespace: str, log: Path
) -> Iterator[list[Receiver]]:
    """Start every receiver (output to ``log``), wait until each answers, stop them at the end."""
    receivers = receivers_for(operators)
    environment = {
        **os.environ,
        "GATEHOUSE_BROKER_URL": broker_url,
        "GATEHOUSE_NAMESPACE": namespace,
    }
    processes: list[subprocess.Popen[bytes]] = []
    try:
        with log.open("ab") as output:
            for receiver in receivers:
                command = [sys.executable, "-m", receiver.module, *receiver.arguments]
                processes.append(
                    subprocess.Popen(
                        [*command, "--port", str(receiver.port)],
                        env=environment,
                        stdout=output,
                        stderr=subprocess.STDOUT,
                    )
                )
        for receiver, process in zip(receivers, processes, strict=True):
            _wait_until_answering(receiver, process)
        yield receivers
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def _wait_until_answering(receiver: Receiver, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            receiver.counts()
            return
        except httpx.HTTPError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit(f"the simulated {receiver.partner} did not start") from None
            time.sleep(0.1)
