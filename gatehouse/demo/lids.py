"""The demo's public prisons on their legacy LIDS: each round, a new day at a few prisons
(receptions, a trip to court and back, incentive reviews, private cash, an alert), posted
message by message as each prison's LIDS would, so that the dashboard shows the public
estate feeding the record and the canteen roll of each lists its people."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta

import httpx

from adapters.lids import partner_name
from adapters.lids.simulator import day_of_traffic
from gatehouse.bootstrap import Hub

log = logging.getLogger("gatehouse.demo.run")

PRISONS = ["WWI", "BMI", "MRI"]
"""Wandsworth, Birmingham and Manchester: public prisons still on LIDS in the demo."""


def simulate_public_prisons(
    hub: Hub, base_url: str, stop: threading.Event, every_s: float = 20.0
) -> None:
    """Post a day of each prison's LIDS traffic every ``every_s`` seconds until ``stop``."""
    tokens = {prison: hub.credentials.issue(partner_name(prison)) for prison in PRISONS}
    start = datetime.now(UTC) - timedelta(days=1)
    round_number = 0
    with httpx.Client(base_url=base_url, timeout=10) as client:
        while not stop.wait(every_s if round_number else 2.0):
            day = start + timedelta(minutes=round_number)
            for prison, message_type, body in day_of_traffic(
                PRISONS, day, round_number=round_number
            ):
                headers = {"Authorization": f"Bearer {tokens[prison]}",
                           "Content-Type": "application/xml"}  # fmt: skip
                try:
                    client.post(f"/api/v1/inbound/lids/{message_type}", content=body,
                                headers=headers)  # fmt: skip
                except httpx.HTTPError as error:
                    log.warning("%s's LIDS could not reach the hub: %s", prison, error)
            round_number += 1
