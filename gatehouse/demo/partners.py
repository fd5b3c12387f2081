"""The demo's other simulated partners: OASys and the operators' systems receiving what the
hub sends them, and probation and OASys speaking of the people the operators receive."""

from __future__ import annotations

import logging
import random
import threading
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime

import httpx
from lxml import etree

from adapters.delius.simulator import DeliusReceiver
from adapters.oasys.simulator import assessment_summary, running_oasys
from adapters.private_prisons.notice_receiver import running_notice_receiver
from gatehouse.bootstrap import Hub

log = logging.getLogger("gatehouse.demo.run")

LEVELS = ("LOW", "MEDIUM", "HIGH", "VERY_HIGH")


@contextmanager
def running_demo_partners(operators: list[str]) -> Iterator[dict[str, str]]:
    """Serve a simulated OASys and each operator's notice receiver; yields their URLs."""
    with ExitStack() as stack:
        urls = {"oasys": stack.enter_context(running_oasys())[0]}
        for operator in operators:
            urls[operator] = stack.enter_context(running_notice_receiver(operator))[0]
        yield urls


def _case_document(crn: str, prison_number: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ProbationCase xmlns="urn:gatehouse:delius:probation:v1">
  <MessageHeader>
    <SentAt>{datetime.now(UTC).isoformat(timespec="seconds")}</SentAt>
    <MessageReference>DEL-DEMO-{uuid.uuid4().hex[:16]}</MessageReference>
  </MessageHeader>
  <Crn>{crn}</Crn>
  <Offender><NomsNumber>{prison_number}</NomsNumber></Offender>
</ProbationCase>""".encode()


def simulate_probation_and_oasys(
    hub: Hub, base_url: str, delius: DeliusReceiver, stop: threading.Event, every_s: float = 5.0
) -> None:
    """Every few seconds, Delius matches a case to someone just received, and OASys
    assesses them."""
    tokens = {partner: hub.credentials.issue(partner) for partner in ("delius", "oasys")}
    chosen = random.Random(11)
    seen: set[str] = set()
    with httpx.Client(base_url=base_url, timeout=10) as client:
        while not stop.wait(every_s):
            received = [
                etree.fromstring(d.body).findtext("{*}Offender/{*}NomsNumber")
                for d in delius.received
                if b"<Action>RECEPTION</Action>" in d.body
            ]
            fresh = [p for p in received if p and p not in seen]
            if not fresh:
                continue
            prison_number = fresh[0]
            seen.add(prison_number)
            crn = f"{chosen.choice('ABCDEFGHJKLMNPRSTX')}{chosen.randrange(10**6):06d}"
            levels = {group: (chosen.choice(LEVELS[:3]), chosen.choice(LEVELS))
                      for group in ("CHILDREN", "PUBLIC", "STAFF")}  # fmt: skip
            summary = assessment_summary(
                str(chosen.randrange(10**7, 10**8)), datetime.now(UTC), levels,
                prison_number=prison_number, scores={"OGRS3_1YR": chosen.randrange(5, 90)},
            )  # fmt: skip
            for partner, path, body in (
                ("delius", "/api/v1/inbound/delius/case", _case_document(crn, prison_number)),
                ("oasys", "/api/v1/inbound/oasys/assessment", summary),
            ):
                try:
                    response = client.post(
                        path,
                        content=body,
                        headers={"Authorization": f"Bearer {tokens[partner]}",
                                 "Content-Type": "application/xml"},
                    )  # fmt: skip
                    log.info("%s sent about %s: %s", partner, prison_number, response.status_code)
                except httpx.HTTPError as error:
                    log.warning("%s could not reach the hub: %s", partner, error)
