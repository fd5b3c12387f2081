"""The demo's migrated prison: a few seconds in, Leeds (LEI) is migrated from a generated
legacy extract with realistic dirt, through what ``gatehouse estate migrate`` runs, and
taken live (audited as ``demo``); from then on its staff application records movements,
incentive reviews and credits through the case-management API, while the prisons still on
LIDS go on sending theirs. The dashboard's estate page shows LEI live, and links its
cleansing report.
"""

from __future__ import annotations

import logging
import random
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from adapters.case_management import partner_for
from core_records.canteen import ledger
from core_records.estate.migration import figures
from core_records.estate.migration.generator import Dirt, generate_extract
from gatehouse.bootstrap import Hub
from gatehouse.cli.estate_migration import migrate_extract
from monitoring.dashboard.migration_pages import migration_report_path
from monitoring.dashboard.web import PREFIX
from routing.estate_release import go_live

log = logging.getLogger("gatehouse.demo.run")

PRISON = "LEI"
"""Leeds: a public prison no LIDS simulation uses, migrated and taken live in the demo."""
PEOPLE = 80
DIRT = Dirt(
    bad_check_letters=3, unknown_codes=2, duplicates_on_record=2, possible_matches=1,
    held_elsewhere=1, sentence_end_before_start=1, malformed=1,
)  # fmt: skip
"""A little of every kind of dirt the cleansing report names."""
ACTOR = "demo"
SURNAMES = ("ASHCROFT", "BEVAN", "CALLAGHAN", "DRUMMOND", "ELLWOOD", "FAIRCLOUGH", "GOODWIN")
FORENAMES = ("ALFIE", "BRANDON", "CARL", "DANNY", "ELLIOT", "FRANKIE", "GEORGE")


def estate_page_url(base_url: str) -> str:
    return f"{base_url}{PREFIX}/estate"


def report_url(base_url: str) -> str:
    return f"{base_url}{migration_report_path(PRISON)}"


def migrate_and_go_live(hub: Hub, data_dir: Path) -> None:
    """Generate LEI's extract, put its people held before elsewhere on record, migrate it
    and take LEI live."""
    made = generate_extract(PRISON, PEOPLE, DIRT, seed=12)
    hub.store.apply(made.on_record)
    directory = data_dir / "migration"
    directory.mkdir(parents=True, exist_ok=True)
    extract = directory / f"{PRISON}-extract.csv"
    extract.write_text(made.text, encoding="utf-8")
    run, html = migrate_extract(hub, PRISON, made.text, extract.name, directory, by=ACTOR)
    made_of = figures(run)
    log.info("migrated %s from %s: rows read %d = loaded %d + refused %d + held %d; report %s",
             PRISON, extract, made_of.rows_read, made_of.loaded, made_of.refused, made_of.held,
             html)  # fmt: skip
    go_live(hub.store, hub.registry, PRISON, actor=ACTOR,
            max_body_bytes=hub.settings.max_body_bytes)  # fmt: skip
    log.info("%s is live: its staff record through the case-management API", PRISON)


def run_migrated_prison(
    hub: Hub, base_url: str, data_dir: Path, stop: threading.Event, every_s: float = 3.0
) -> None:
    """Migrate LEI and take it live a few seconds in, then post its staff's traffic."""
    token = hub.credentials.issue(partner_for(PRISON))
    if stop.wait(3.0):
        return
    try:
        migrate_and_go_live(hub, data_dir)
    except Exception:  # the rest of the demo goes on; the log says what went wrong
        log.exception("the demo could not migrate %s", PRISON)
        return
    staff = StaffApplication(hub, base_url, token)
    while not stop.wait(every_s):
        staff.next_message()


class StaffApplication:
    """LEI's staff application: receptions, temporary absences out and back, releases,
    incentive reviews and credits for the people LEI holds (its canteen roll)."""

    def __init__(self, hub: Hub, base_url: str, token: str) -> None:
        self.hub, self.base_url, self.token = hub, base_url, token
        self.random = random.Random(12)
        self.sent = 0
        self.away: list[str] = []

    def next_message(self) -> None:
        self.sent += 1
        held = [entry.prison_number for entry in ledger.roll(self.hub.engine, PRISON, _now())]
        here = [number for number in held if number not in self.away]
        step = self.sent % 6
        if step in (1, 4) or not here:
            self._post("movements", {"movementType": "ADM", "reasonCode": "N",
                                     "person": self._new_person()})  # fmt: skip
        elif step == 2:
            number = self.random.choice(here)
            self.away.append(number)
            self._post("movements", _absence(number, "OUT"))
        elif step == 3 and self.away:
            self._post("movements", _absence(self.away.pop(0), "IN"))
        elif step == 5:
            level = self.random.choice(("STD", "ENH"))
            self._post("incentive-reviews", {"prisonNumber": self.random.choice(here),
                                             "level": level})  # fmt: skip
        elif self.sent % 12 == 0:
            self._post("movements", {"movementType": "REL", "reasonCode": "CR",
                                     "prisonNumber": self.random.choice(here)})  # fmt: skip
        else:
            self._post("credits", {"prisonNumber": self.random.choice(here),
                                   "source": "PRIVATE_CASH", "amountPence": 1500})  # fmt: skip

    def _new_person(self) -> dict[str, Any]:
        born = date(1970, 1, 1) + timedelta(days=self.random.randrange(12_000))
        return {"surname": self.random.choice(SURNAMES),
                "forenames": self.random.choice(FORENAMES),
                "dateOfBirth": born.isoformat(), "sex": "M"}  # fmt: skip

    def _post(self, resource: str, document: dict[str, Any]) -> None:
        body = {"version": 1, "reference": f"LEI-DEMO-{self.sent:06d}",
                "occurredAt": _now().isoformat(), **document}  # fmt: skip
        try:
            response = httpx.post(
                f"{self.base_url}/api/v1/establishments/{PRISON}/{resource}",
                json=body,
                headers={"Authorization": f"Bearer {self.token}"},
                timeout=10,
            )
            log.info("%s staff recorded %s: %s", PRISON, resource, response.status_code)
        except httpx.HTTPError as error:
            log.warning("%s's staff application could not reach the hub: %s", PRISON, error)


def _absence(number: str, direction: str) -> dict[str, Any]:
    """A temporary absence for family ties (R3), out or back."""
    return {"movementType": "TAP", "direction": direction, "reasonCode": "R3",
            "prisonNumber": number}  # fmt: skip


def _now() -> datetime:
    return datetime.now(UTC)
