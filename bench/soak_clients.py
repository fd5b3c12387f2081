"""The soak's partners: operator clients posting over HTTP as a partner must (the same
document again after a timeout, a dropped connection, a 503 or a 429), and the plan of what
they post: receptions of new people, and releases of some of them once their reception has
been applied (an operator releases someone it holds, not someone it has only just sent)."""

from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
import sqlalchemy as sa

from adapters.private_prisons.simulator import OperatorSimulator
from core_records import tables
from core_records.bookkeeping import journal
from core_records.identity.tables import identity_case

OPERATORS = {
    "serco": ["ASI", "DGI", "DNI", "LGI", "TSI"],
    "sodexo": ["BZI", "FBI", "NLI", "PBI", "PFI"],
    "g4s": ["ACI", "FWI", "OWI", "PRI", "RHI"],
}
RECEPTION, RELEASE = "reception", "release"


@dataclass(frozen=True)
class Document:
    person: str
    """The operator's local id of the person."""
    kind: str
    operator: str
    body: bytes

    @property
    def correlation(self) -> str:
        """Sent as ``X-Correlation-Id``, so that Delius's copy names the person and kind."""
        return f"soak:{self.person}:{self.kind}"

    @property
    def reference(self) -> str:
        found = re.search(rb"<MessageReference>([^<]+)</MessageReference>", self.body)
        return found.group(1).decode() if found else ""


@dataclass
class Plan:
    """One client's documents: receptions, and the releases of every ``release_every``th."""

    operator: str
    receptions: list[Document] = field(default_factory=list)
    releases: dict[str, Document] = field(default_factory=dict)
    """By person."""


def plans(messages: int, clients: int, seed: int) -> list[Plan]:
    """``messages`` receptions and ``messages // 10`` releases shared out among ``clients``,
    each client posting for one operator."""
    operators = list(OPERATORS)
    made = [Plan(operators[i % len(operators)]) for i in range(clients)]
    simulators = {
        name: OperatorSimulator(name, prisons, seed=seed + i)
        for i, (name, prisons) in enumerate(OPERATORS.items())
    }
    for index in range(messages):
        plan = made[index % clients]
        simulator = simulators[plan.operator]
        person = simulator.person(known_to_prisons=False)
        body = simulator.reception(person)
        plan.receptions.append(Document(person.local_id, RECEPTION, plan.operator, body))
        if index % 10 == 9:
            release = simulator.release(person)
            plan.releases[person.local_id] = Document(
                person.local_id, RELEASE, plan.operator, release
            )
    return made


@dataclass
class Tally:
    """What the clients did, shared by their threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    accepted: dict[str, Document] = field(default_factory=dict)
    """Message id to the document the API accepted under it."""
    ids_by_reference: dict[str, set[str]] = field(default_factory=dict)
    attempts: int = 0
    retries: int = 0
    replayed: int = 0
    """202s that said the document had been accepted before (``Idempotent-Replayed``)."""
    refused: list[str] = field(default_factory=list)
    given_up: list[Document] = field(default_factory=list)
    releases_skipped: int = 0
    """Releases not posted: their reception was held for review or refused."""

    def accept(self, message_id: str, document: Document, replayed: bool) -> None:
        with self.lock:
            self.accepted[message_id] = document
            self.ids_by_reference.setdefault(document.reference, set()).add(message_id)
            self.replayed += replayed

    @property
    def done(self) -> int:
        with self.lock:
            return len(self.accepted) + len(self.refused) + len(self.given_up)


class Client(threading.Thread):
    """Posts its plan's receptions, then each release once its reception is applied."""

    def __init__(
        self, api: Callable[[], str], token: str, plan: Plan, engine: sa.Engine, tally: Tally,
        deadline: float,
    ) -> None:  # fmt: skip
        super().__init__(daemon=True, name=f"client-{plan.operator}")
        self.api, self.token, self.plan, self.engine = api, token, plan, engine
        self.tally, self.deadline = tally, deadline
        self._random = random.Random(hash(plan.operator))
        self._waiting: dict[str, Document] = {}
        """Reception message id to the release waiting for it."""

    def run(self) -> None:
        with httpx.Client(timeout=10.0) as http:
            for document in self.plan.receptions:
                message_id = self.post(http, document)
                release = self.plan.releases.get(document.person)
                if release is not None and message_id is not None:
                    self._waiting[message_id] = release
                self.release_ready(http, force=False)
            while self._waiting and time.monotonic() < self.deadline:
                self.release_ready(http, force=True)
                time.sleep(0.5)

    def post(self, http: httpx.Client, document: Document) -> str | None:
        """Post until accepted, refused or past the deadline; the message id if accepted."""
        pause = 0.2
        while time.monotonic() < self.deadline:
            with self.tally.lock:
                self.tally.attempts += 1
            try:
                response = http.post(
                    f"{self.api()}/api/v1/inbound/private_prisons/{document.kind}",
                    content=document.body,
                    headers={
                        "Authorization": f"Bearer {self.token}",
                        "Content-Type": "application/xml",
                        "X-Correlation-Id": document.correlation,
                    },
                )
            except httpx.HTTPError:
                response = None
            if response is not None and response.status_code == 202:
                message_id = str(response.json()["messageId"])
                replayed = response.headers.get("idempotent-replayed") == "true"
                self.tally.accept(message_id, document, replayed)
                return message_id
            if response is not None and response.status_code not in (429, 500, 502, 503, 504):
                with self.tally.lock:
                    self.tally.refused.append(f"{response.status_code} {response.text[:200]}")
                return None
            with self.tally.lock:
                self.tally.retries += 1
            wait = pause
            if response is not None and response.status_code == 429:
                wait = float(response.headers.get("retry-after", "1"))
            time.sleep(wait * (0.5 + self._random.random()))
            pause = min(pause * 2, 3.0)
        with self.tally.lock:
            self.tally.given_up.append(document)
        return None

    _checked_at = 0.0

    def release_ready(self, http: httpx.Client, *, force: bool) -> None:
        """Post the releases whose reception is applied; drop those whose reception was
        held for review or refused. At most once a second unless ``force``."""
        if not self._waiting or (not force and time.monotonic() - self._checked_at < 1.0):
            return
        self._checked_at = time.monotonic()
        applied, settled_otherwise = reception_outcomes(self.engine, list(self._waiting))
        for message_id in applied | settled_otherwise:
            release = self._waiting.pop(message_id)
            if message_id in applied:
                self.post(http, release)
            else:
                with self.tally.lock:
                    self.tally.releases_skipped += 1


def reception_outcomes(engine: sa.Engine, message_ids: list[str]) -> tuple[set[str], set[str]]:
    """Of ``message_ids``: those applied, and those held for review or refused."""
    inbox, journal_table = tables.inbox, tables.journal
    with engine.connect() as connection:
        applied = set(
            connection.execute(
                sa.select(inbox.c.message_id).where(inbox.c.message_id.in_(message_ids))
            ).scalars()
        )
        held = set(
            connection.execute(
                sa.select(identity_case.c.message_id).where(
                    identity_case.c.message_id.in_(message_ids)
                )
            ).scalars()
        )
        refused = set(
            connection.execute(
                sa.select(journal_table.c.message_id).where(
                    journal_table.c.message_id.in_(message_ids),
                    journal_table.c.hop.in_([journal.REJECTED, journal.DEAD_LETTERED]),
                )
            ).scalars()
        )
    return applied - held, held | (refused - applied)
