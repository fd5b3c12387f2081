"""The demo's court: every so often it lists a hearing for someone held (at Leeds Crown
Court, tomorrow), and, once the hub has told it where they are held, gives a result: most
are committed or remanded (out to court and back), some sentenced, some bailed at court."""

from __future__ import annotations

import logging
import random
import threading
import uuid
from datetime import UTC, date, datetime, timedelta

import httpx
import sqlalchemy as sa
from lxml import etree

from adapters.courts.simulator import CourtReceiver, Defendant, hearing_list, hearing_result
from core_records.identifiers import NOMS, Identifier
from core_records.tables import person
from gatehouse.bootstrap import Hub

log = logging.getLogger("gatehouse.demo.run")

COURT = "LEEDCC"
OUTCOMES = ("COMMITTED", "REMANDED_IN_CUSTODY", "SENTENCED", "BAILED")


def _someone_held(hub: Hub, chosen: random.Random) -> Defendant | None:
    with hub.engine.connect() as connection:
        numbers = (
            connection.execute(
                sa.select(person.c.prison_number)
                .where(person.c.custody_status == "IN_PRISON")
                .limit(50)
            )
            .scalars()
            .all()
        )
    if not numbers:
        return None
    view = hub.store.person_view(Identifier(NOMS, chosen.choice(numbers)))
    if view is None:
        return None
    name = next(n for n in view["names"] if n.get("nameType", "CN") == "CN")
    return Defendant(name["surname"], name["forenames"], date.fromisoformat(view["dateOfBirth"]),
                     view["sex"], prison_number=view["prisonNumber"])  # fmt: skip


def simulate_court(
    hub: Hub, base_url: str, court: CourtReceiver, stop: threading.Event, every_s: float = 7.0
) -> None:
    """List someone held, wait for the custody notice, then post their result."""
    token = hub.credentials.issue("courts")
    chosen = random.Random(13)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/xml"}
    with httpx.Client(base_url=base_url, timeout=10) as client:
        while not stop.wait(every_s):
            defendant = _someone_held(hub, chosen)
            if defendant is None:
                continue
            now = datetime.now(UTC)
            case = f"T{chosen.randrange(10**7):07d}"
            reference = f"DEMO-L-{uuid.uuid4().hex[:12]}"
            tomorrow = (now + timedelta(days=1)).date()
            listing = hearing_list(COURT, tomorrow, [(case, defendant)], sent_at=now,
                                   reference=reference)  # fmt: skip
            told = len(court.received)
            try:
                client.post("/api/v1/inbound/courts/hearing-list", content=listing, headers=headers)
                if not court.wait_for(told + 1, timeout_s=20):
                    continue
                held_at = etree.fromstring(court.received[-1]).findtext("{*}HeldAt")
                outcome = chosen.choice(OUTCOMES)
                key_dates = {"SED": (now + timedelta(days=700)).date(),
                             "CRD": (now + timedelta(days=350)).date()}  # fmt: skip
                result = hearing_result(
                    COURT, case, defendant, outcome, datetime.now(UTC),
                    reference=f"DEMO-R-{uuid.uuid4().hex[:12]}",
                    left_prison_at=now, key_dates=key_dates if outcome == "SENTENCED" else None,
                )  # fmt: skip
                response = client.post(
                    "/api/v1/inbound/courts/hearing-result", content=result, headers=headers
                )
                log.info("court %s: %s held at %s, %s (%s)", COURT, defendant.prison_number,
                         held_at, outcome, response.status_code)  # fmt: skip
            except httpx.HTTPError as error:
                log.warning("the court could not reach the hub: %s", error)
