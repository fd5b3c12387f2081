"""The demo's dashboard: a user to sign in with, and a Delius that sometimes refuses a
document, so that a failing interface and its dead letters are there to be seen and
replayed."""

from __future__ import annotations

import contextlib
import logging
import threading
from datetime import timedelta

from adapters.delius.simulator import DeliusReceiver
from gatehouse.bootstrap import Hub
from monitoring.dashboard.users import DashboardUsers, UserError

log = logging.getLogger("gatehouse.demo.run")

DEMO_USER = "demo"
DEMO_PASSWORD = "gatehouse-demo"


def create_demo_user(hub: Hub) -> None:
    users = DashboardUsers(hub.engine, session_lifetime=timedelta(hours=8))
    # An earlier run of the demo on the same data directory made it already.
    with contextlib.suppress(UserError):
        users.create(DEMO_USER, DEMO_PASSWORD, "operator", actor="demo")


def refuse_now_and_then(receiver: DeliusReceiver, stop: threading.Event, every_s: float) -> None:
    """Every ``every_s`` seconds Delius refuses the next document outright (HTTP 400): a
    permanent failure, so it is dead-lettered and Delius's interface turns red."""
    while True:
        receiver.fail_next(1, status=400)
        log.info("the simulated Delius will refuse its next document")
        if stop.wait(every_s):
            return
