"""The demo's prison shop and kiosks: order files dropped, kiosk orders posted, rolls written.

For the people the simulated operators have received, it plays three parts: the prison's
finance system (crediting each new person's account once, straight into the store), a
prison shop (an order file per prison every cycle, with the odd repeated reference and
malformed line so that the receipts show refusals), and the kiosks (an order posted to the
edge for someone at a prison with kiosks).
"""

from __future__ import annotations

import logging
import random
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import sqlalchemy as sa

from core_records.canteen.account import CREDIT, RecordCanteenTransaction
from core_records.commands import InboundMessage
from core_records.custody.person_record import IN_PRISON
from core_records.identifiers import NOMS, Identifier
from core_records.tables import person
from gatehouse.bootstrap import Hub

log = logging.getLogger("gatehouse.demo.run.canteen")


def kiosk_tokens(hub: Hub, directory: Path) -> dict[str, str]:
    """A token per prison's kiosk system, by prison code, each also kept in a file."""
    directory.mkdir(parents=True, exist_ok=True)
    tokens: dict[str, str] = {}
    for partner, scope in hub.registry.adapter("kiosks").partners.items():
        token = hub.credentials.issue(partner)
        (directory / f"{partner}.token").write_text(token + "\n")
        (directory / f"{partner}.token").chmod(0o600)
        tokens.update(dict.fromkeys(scope.establishments, token))
    return tokens


class CanteenSimulator:
    def __init__(self, hub: Hub, base_url: str, drop: Path, tokens: dict[str, str]) -> None:
        self.hub, self.base_url, self.drop, self.tokens = hub, base_url, drop, tokens
        self.random = random.Random(7)
        self.credited: set[str] = set()
        self.sequence = 0

    def run(self, stop: threading.Event, every_s: float = 15.0) -> None:
        while not stop.wait(every_s):
            try:
                self.cycle()
            except Exception:  # the demo goes on; the log says what went wrong
                log.exception("the simulated shop could not complete a cycle")

    def cycle(self) -> None:
        held = self._people_in_custody()
        self._credit([n for numbers in held.values() for n in numbers if n not in self.credited])
        for prison, numbers in sorted(held.items()):
            self._order_file(prison, numbers)
            if prison in self.tokens:
                self._kiosk_order(prison, self.random.choice(numbers))

    def _people_in_custody(self) -> dict[str, list[str]]:
        query = sa.select(person.c.current_establishment, person.c.prison_number).where(
            person.c.custody_status == IN_PRISON
        )
        held: dict[str, list[str]] = {}
        with self.hub.engine.connect() as connection:
            for prison, number in connection.execute(query):
                held.setdefault(prison, []).append(number)
        return held

    def _credit(self, numbers: list[str]) -> None:
        now = datetime.now(UTC)
        messages = [
            InboundMessage(
                message_id=str(uuid.uuid4()),
                correlation_id=str(uuid.uuid4()),
                adapter="demo",
                message_type="private_cash",
                partner=None,
                received_at=now,
                commands=(
                    RecordCanteenTransaction(
                        (Identifier(NOMS, number),),
                        CREDIT,
                        self.random.randrange(1000, 5000),
                        f"DEMO-CASH-{number}",
                        now,
                    ),
                ),
            )
            for number in numbers
        ]
        if messages:
            self.hub.store.apply(messages)
            self.credited.update(numbers)

    def _order_file(self, prison: str, numbers: list[str]) -> None:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        self.sequence += 1
        lines = []
        for number in self.random.sample(numbers, min(len(numbers), 5)):
            reference = f"SHOP-{prison}-{self.sequence:05d}-{len(lines) + 1}"
            kind, pence = ("REFND", 99) if self.random.random() < 0.1 else ("CANT", 150)
            lines.append(
                f"TXN,{reference},{number},{kind},{pence * self.random.randint(1, 6)},{now}"
            )
        if lines and self.random.random() < 0.3:
            lines.append(lines[0])  # a repeated reference, refused on the receipt
        if lines and self.random.random() < 0.2:
            lines.append(f"TXN,SHOP-{prison}-{self.sequence:05d}-X,{numbers[0]},CANT,-5,{now}")
        body = "\n".join(
            [
                f"HDR,GHCANTORD,1,{prison}-{self.sequence:05d},{prison},{now}",
                *lines,
                f"TRL,{len(lines)}",
            ]
        )
        incoming = self.drop / "incoming"
        incoming.mkdir(parents=True, exist_ok=True)
        partial = incoming / f"{prison}-{self.sequence:05d}.partial"
        partial.write_text(body + "\n")
        partial.rename(partial.with_suffix(".csv"))

    def _kiosk_order(self, prison: str, number: str) -> None:
        self.sequence += 1
        order = {
            "version": 1,
            "kioskId": f"{prison}-WING-1",
            "establishment": prison,
            "prisonNumber": number,
            "orderReference": f"KSK-{prison}-{self.sequence:06d}",
            "placedAt": datetime.now(UTC).isoformat(),
            "items": [{"productCode": "CHOC-001", "quantity": 2, "unitPricePence": 85}],
        }
        try:
            response = httpx.post(
                f"{self.base_url}/api/v1/inbound/kiosks/order",
                json=order,
                headers={"Authorization": f"Bearer {self.tokens[prison]}"},
                timeout=10,
            )
            log.info("kiosk at %s ordered for %s: %s", prison, number, response.status_code)
        except httpx.HTTPError as error:
            log.warning("the kiosk at %s could not reach the hub: %s", prison, error)
