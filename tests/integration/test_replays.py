"""Replaying an interface to a real HTTP partner, on real PostgreSQL and RabbitMQ.

Several people's receptions, transfers and releases reach the simulated Delius live; a
service manager then replays a window, one person, or one document
(``gatehouse messages replay`` / ``resend``). The partner receives exactly the documents
delivered in the window, each person's in their order, each marked with the replay's id,
while live traffic goes on unmarked; a dry run sends nothing; re-rendering applies the
sharing policy as it is now; every run is audited and journalled.
"""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from datetime import UTC, datetime

import sqlalchemy as sa
from lxml import etree
from typer.testing import CliRunner

from adapters.delius.simulator import DeliusReceiver, ReceivedDocument
from adapters.private_prisons.simulator import OperatorSimulator
from core_records import tables
from core_records.bookkeeping.audit import audit_trail
from core_records.bookkeeping.interface_control import InterfaceControl
from core_records.bookkeeping.message_history import Document, MessageHistory, record_document
from core_records.bookkeeping.replays import RESENT, ReplayWindow
from gatehouse.bootstrap import Hub
from gatehouse.cli import app
from gatehouse.replays import replay_runner
from gatehouse.settings import Settings
from tests.integration.test_pipeline_faults import SERCO_PRISONS, publish_inbound
from tests.running_hub import eventually, running_hub

ACTIONS = ["RECEPTION", "TRANSFER", "RELEASE"]


def lives(operator: OperatorSimulator, count: int) -> list[tuple[str, bytes]]:
    """``count`` people's reception, transfer and release documents."""
    people = [operator.person(sex="M", known_to_prisons=False) for _ in range(count)]
    return (
        [("reception", operator.reception(p, "DNI", "N")) for p in people]
        + [("transfer", operator.transfer(p, "TSI")) for p in people]
        + [("release", operator.release(p, "CR")) for p in people]
    )


def person_of(document: ReceivedDocument) -> str:
    return etree.fromstring(document.body).findtext("{*}Offender/{*}NomsNumber") or ""


def action_of(document: ReceivedDocument) -> str:
    return etree.fromstring(document.body).findtext("{*}Action") or ""


def replayed(receiver: DeliusReceiver, run_id: str | None = None) -> list[ReceivedDocument]:
    return [
        d
        for d in receiver.received
        if "x-gatehouse-replay" in d.headers
        and (run_id is None or d.headers["x-gatehouse-replay"] == run_id)
    ]


def live(receiver: DeliusReceiver) -> list[ReceivedDocument]:
    return [d for d in receiver.received if "x-gatehouse-replay" not in d.headers]


def cli(hub: Hub, *arguments: str) -> tuple[int, str]:
    settings = hub.settings
    environment = {
        "GATEHOUSE_DATABASE_URL": settings.store_url,
        "GATEHOUSE_BROKER_URL": settings.broker_url or "",
        "GATEHOUSE_NAMESPACE": settings.namespace,
        "GATEHOUSE_DATA_DIR": str(settings.data_dir),
        "GATEHOUSE_PARTNER_URLS": json.dumps(settings.partner_urls),
    }
    result = CliRunner().invoke(app, list(arguments), env=environment)
    return result.exit_code, result.output


def journalled(hub: Hub) -> int:
    j = tables.journal.c
    with hub.engine.connect() as connection:
        return int(
            connection.execute(
                sa.select(sa.func.count()).where(j.adapter == "delius", j.hop == "delivered")
            ).scalar_one()
        )


def deliver_live(
    hub: Hub, receiver: DeliusReceiver, documents: list[tuple[str, bytes]]
) -> list[str]:
    """Publish ``documents`` and wait for Delius to have them; the people they were about
    (prison numbers the hub gave them), in order."""
    already = len(live(receiver))
    publish_inbound(hub, documents)
    expected = already + len(documents)
    eventually(lambda: len(live(receiver)) == expected, "live deliveries", timeout_s=60)
    # The delivery is journalled just after the partner answers: a window ends after it.
    eventually(lambda: journalled(hub) == expected, "live deliveries journalled")
    return list(dict.fromkeys(person_of(d) for d in live(receiver)[already:]))


def test_a_window_is_replayed_in_order_per_person_marked_as_a_replay_while_live_traffic_flows(
    settings: Settings, delius: tuple[str, DeliusReceiver]
) -> None:
    _, receiver = delius
    operator = OperatorSimulator("serco", SERCO_PRISONS, seed=14)
    early, in_window, late = lives(operator, 2), lives(operator, 4), lives(operator, 2)

    with running_hub(settings) as hub:
        before = deliver_live(hub, receiver, early)
        since = datetime.now(UTC)
        window_people = deliver_live(hub, receiver, in_window)
        until = datetime.now(UTC)
        window_live = [d for d in live(receiver) if person_of(d) in window_people]

        code, output = cli(
            hub, "messages", "replay", "--interface", "delius.outbound",
            "--since", since.isoformat(), "--until", until.isoformat(), "--dry-run",
        )  # fmt: skip
        assert code == 0, output
        assert f"{len(in_window)} documents delivered on delius.outbound" in output
        assert "today's sharing policy" in output
        assert all(f"{person}  3" in output for person in window_people)
        assert replayed(receiver) == []
        with hub.engine.connect() as connection:
            assert (
                connection.execute(
                    sa.select(sa.func.count()).select_from(tables.replay_run)
                ).scalar()
                == 0
            )

        # New events go on live while the replay runs.
        publisher = threading.Thread(target=publish_inbound, args=(hub, late))
        publisher.start()
        code, output = cli(
            hub, "messages", "replay", "--interface", "delius.outbound",
            "--since", since.isoformat(), "--until", until.isoformat(), "--rate", "200",
            "--reason", "Delius restored a backup", "--json",
        )  # fmt: skip
        publisher.join()
        assert code == 0, output
        run = json.loads(output)
        assert (run["status"], run["selected"], run["sent"]) == (
            "done",
            len(in_window),
            len(in_window),
        )
        eventually(
            lambda: len(live(receiver)) == len(early) + len(in_window) + len(late),
            "the live traffic sent during the replay",
            timeout_s=60,
        )

        again = replayed(receiver, run["id"])
        assert sorted(d.headers["x-gatehouse-event-id"] for d in again) == sorted(
            d.headers["x-gatehouse-event-id"] for d in window_live
        )
        assert all(d.headers["x-gatehouse-delivery"] == "replay" for d in again)
        for person in window_people:
            theirs = [d for d in again if person_of(d) == person]
            assert [action_of(d) for d in theirs] == ACTIONS
            assert [d.headers["x-gatehouse-event-id"] for d in theirs] == [
                d.headers["x-gatehouse-event-id"] for d in window_live if person_of(d) == person
            ]
        assert len({person_of(d) for d in live(receiver)} - {*before, *window_people}) == 2
        assert all(d.headers["x-gatehouse-delivery"] != "replay" for d in live(receiver))

        with hub.engine.connect() as connection:
            trail = audit_trail(connection, f"replay:{run['id']}")
            resent = connection.execute(
                sa.select(sa.func.count())
                .select_from(tables.journal)
                .where(tables.journal.c.hop == RESENT, tables.journal.c.adapter == "delius")
            ).scalar()
        assert [e.action for e in trail] == ["interface.replay_started", "interface.replay_done"]
        assert "Delius restored a backup" in (trail[0].detail or "")
        assert trail[0].actor == trail[1].actor and "@" in trail[0].actor
        assert resent == len(in_window)


def test_one_person_is_replayed_and_one_document_resent(
    settings: Settings, delius: tuple[str, DeliusReceiver]
) -> None:
    _, receiver = delius
    operator = OperatorSimulator("serco", SERCO_PRISONS, seed=15)
    documents = lives(operator, 3)

    with running_hub(settings) as hub:
        people = deliver_live(hub, receiver, documents)
        code, output = cli(
            hub, "messages", "replay", "--interface", "delius.outbound", "--person", people[1],
            "--reason", "probation fixed its import", "--json",
        )  # fmt: skip
        assert code == 0, output
        run = json.loads(output)
        theirs = replayed(receiver, run["id"])
        assert [person_of(d) for d in theirs] == [people[1]] * 3
        assert [action_of(d) for d in theirs] == ACTIONS

        release = next(
            d for d in live(receiver) if person_of(d) == people[2] and action_of(d) == "RELEASE"
        )
        event_id = release.headers["x-gatehouse-event-id"]
        code, output = cli(
            hub, "messages", "resend", "--event", event_id, "--interface", "delius.outbound",
            "--reason", "Delius says it never got the release", "--json",
        )  # fmt: skip
        assert code == 0, output
        resent = replayed(receiver, json.loads(output)["id"])
        assert [d.headers["x-gatehouse-event-id"] for d in resent] == [event_id]
        assert resent[0].body == release.body

        code, output = cli(
            hub, "messages", "resend", "--event", "no-such-event", "--interface", "delius.outbound",
            "--reason", "a mistake",
        )  # fmt: skip
        assert code == 1 and "was not delivered on delius.outbound" in output


def test_a_stored_document_is_resent_as_its_bytes_were_kept(
    settings: Settings, delius: tuple[str, DeliusReceiver]
) -> None:
    _, receiver = delius
    operator = OperatorSimulator("serco", SERCO_PRISONS, seed=17)
    with running_hub(settings) as hub:
        deliver_live(hub, receiver, lives(operator, 1))
        reception = live(receiver)[0]
        event_id = reception.headers["x-gatehouse-event-id"]
        # As the message history keeps what delivery sent (a comment tells these bytes apart
        # from a fresh rendering).
        kept = reception.body + b"<!-- as sent -->"
        with hub.engine.begin() as connection:
            record_document(
                connection,
                Document(event_id, "delius.outbound", "outbound", kept, "application/xml"),
            )
        stored = MessageHistory(hub.engine).documents_for(message_id=event_id)[-1]

        code, output = cli(
            hub, "messages", "resend", "--document", str(stored.id),
            "--reason", "Delius lost it", "--json",
        )  # fmt: skip
        assert code == 0, output
        run = json.loads(output)
        assert run["mode"] == "stored"
        assert [d.body for d in replayed(receiver, run["id"])] == [kept]


def test_re_rendering_applies_the_sharing_policy_as_it_is_now(
    settings: Settings, delius: tuple[str, DeliusReceiver]
) -> None:
    _, receiver = delius
    operator = OperatorSimulator("serco", SERCO_PRISONS, seed=16)
    documents = lives(operator, 3)

    with running_hub(settings) as hub:
        since = datetime.now(UTC)
        people = deliver_live(hub, receiver, documents)
        runner = replay_runner(hub)
        delius = hub.registry.adapter("delius")
        # Today Delius may no longer receive releases.
        narrowed = replace(
            delius,
            policy=replace(
                delius.policy, event_types=delius.policy.event_types - {"prisoner.released"}
            ),
        )
        runner.adapters = {**runner.adapters, "delius": narrowed}
        window = ReplayWindow("delius", since=since, until=datetime.now(UTC))
        run = runner.runs.start(
            window, mode="rerender", reason="policy check", actor="tester",
            rate_per_s=500, owner=runner.owner,
        )  # fmt: skip
        done = runner.run_to_end(run.id)
        runner.close()

        assert (done.status, done.selected) == ("done", len(documents))
        assert (done.sent, done.filtered) == (2 * len(people), len(people))
        again = replayed(receiver, run.id)
        assert sorted(action_of(d) for d in again) == sorted(["RECEPTION", "TRANSFER"] * 3)


def test_a_run_whose_worker_died_is_taken_up_after_its_cursor_by_the_replays_role(
    settings: Settings, delius: tuple[str, DeliusReceiver]
) -> None:
    _, receiver = delius
    operator = OperatorSimulator("serco", SERCO_PRISONS, seed=18)
    documents = lives(operator, 3)

    with running_hub(settings) as hub:
        since = datetime.now(UTC)
        deliver_live(hub, receiver, documents)
        window = ReplayWindow("delius", since=since, until=datetime.now(UTC))
        dying = replay_runner(hub)
        dying.step, dying.lease_s = 4, 0.5
        run = dying.runs.start(
            window, mode="rerender", reason="crash test", actor="tester",
            rate_per_s=500, owner=dying.owner, lease_s=dying.lease_s,
        )  # fmt: skip
        claimed = dying.runs.claim(dying.owner, dying.lease_s, run.id)
        assert claimed is not None
        after_one_step, _ = dying.step_run(claimed)
        dying.close()  # and never heard of again: its lease lapses
        assert (after_one_step.status, after_one_step.sent) == ("running", 4)

        def finished() -> bool:
            found = dying.runs.get(run.id)
            return found is not None and found.status == "done"

        eventually(finished, "the replays worker role finishing the run")
        done = dying.runs.get(run.id)
        assert done is not None and done.sent == len(documents) and done.owner is None
        again = replayed(receiver, run.id)
        ids = [d.headers["x-gatehouse-event-id"] for d in again]
        assert len(ids) == len(set(ids)) == len(documents)
        for person in {person_of(d) for d in again}:
            assert [action_of(d) for d in again if person_of(d) == person] == ACTIONS


def test_a_replay_to_a_paused_interface_waits_and_goes_on_after_resume(
    settings: Settings, delius: tuple[str, DeliusReceiver]
) -> None:
    _, receiver = delius
    operator = OperatorSimulator("serco", SERCO_PRISONS, seed=19)
    documents = lives(operator, 2)

    with running_hub(settings) as hub:
        since = datetime.now(UTC)
        deliver_live(hub, receiver, documents)
        control = InterfaceControl(hub.engine)
        control.pause("delius.outbound", actor="tester", reason="Delius release")
        runner = replay_runner(hub)
        runner.wait_when_down_s = 2.0  # resumed well before, so no worker finds it still paused
        run = runner.runs.start(
            ReplayWindow("delius", since=since, until=datetime.now(UTC)), mode="rerender",
            reason="pause test", actor="tester", rate_per_s=500, owner=runner.owner,
        )  # fmt: skip
        waiting = runner.run_to_end(run.id)
        runner.close()
        assert (waiting.status, waiting.sent) == ("waiting", 0)
        assert waiting.detail == "delius.outbound is paused"
        assert replayed(receiver, run.id) == []

        control.resume("delius.outbound", actor="tester")
        eventually(
            lambda: len(replayed(receiver, run.id)) == len(documents), "the replay after resume"
        )
