"""Canteen order files through a running hub: a file dropped in the local directory is
checked, its lines travel the pipeline one message each, and the receipt names every line."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import adapters.prison_shops as package
from adapters.prison_shops import Receipt, read_receipt, read_roll
from adapters.prison_shops.translate import line_message_id
from core_records.bookkeeping.audit import audit_trail
from core_records.canteen import account as canteen
from core_records.canteen.account import RecordCanteenTransaction
from core_records.canteen.ledger import account_of
from core_records.commands import InboundMessage
from core_records.identifiers import NOMS, Identifier
from gatehouse.bootstrap import Hub
from gatehouse.cli import app
from gatehouse.worker_loops import ROLES
from tests.e2e.test_cli import environment_of
from tests.integration.core_records.examples import MONDAY, message, particulars, reception
from tests.running_hub import eventually, hub_settings, running_hub

FILES = Path(package.__file__).parent / "samples" / "files"
LEEDS_ORDERS = FILES / "valid" / "orders-leeds.csv"


@pytest.fixture
def drop(tmp_path: Path) -> Path:
    return tmp_path / "drop"


@pytest.fixture
def hub(backend: dict[str, str | None], namespace: str, tmp_path: Any, drop: Path) -> Iterator[Hub]:
    settings = hub_settings(
        database_url=backend["database_url"] or "",
        broker_url=backend["broker_url"],
        namespace=namespace,
        data_dir=tmp_path,
        delius_url="http://127.0.0.1:9/unused",
        canteen_drop_dir=drop,
    )
    roles = (*(r for r in ROLES if r != "delivery"), "canteen-files")
    with running_hub(settings, roles=roles) as running:
        _people_in_leeds(running)
        yield running


def _credit(prison_number: str, pence: int, reference: str) -> InboundMessage:
    return message(
        RecordCanteenTransaction(
            person=(Identifier(NOMS, prison_number),),
            transaction_type=canteen.CREDIT,
            amount_pence=pence,
            client_reference=reference,
            occurred_at=MONDAY,
        )
    )


def _people_in_leeds(hub: Hub) -> None:
    """A1234BC on remand with 3,000p, and B2345CD convicted with 1,000p, both at Leeds."""
    a = particulars(Identifier(NOMS, "A1234BC"), surname="SMITH", forenames="JOHN")
    b = particulars(Identifier(NOMS, "B2345CD"), surname="JONES", forenames="ANN")
    outcomes = hub.store.apply(
        [
            message(reception(a, "LEI", legal_status="REMAND")),
            message(reception(b, "LEI")),
            _credit("A1234BC", 3000, "CASH-A"),
            _credit("B2345CD", 1000, "CASH-B"),
        ]
    )
    assert [o.status for o in outcomes] == ["applied"] * 4, [o.error for o in outcomes]


def _drop(drop: Path, source: Path, name: str) -> None:
    incoming = drop / "incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, incoming / f"{name}.partial")
    (incoming / f"{name}.partial").rename(incoming / name)


def _receipt(drop: Path, name: str, *, exclude: frozenset[Path] = frozenset()) -> Path:
    found: list[Path] = []

    def written() -> bool:
        found[:] = [
            p
            for p in (drop / "receipts").glob(f"*-{Path(name).stem}.receipt.csv")
            if p not in exclude
        ]
        return bool(found)

    eventually(written, f"the receipt of {name}", timeout_s=60)
    return found[0]


def _read(path: Path) -> Receipt:
    with path.open("rb") as stream:
        return read_receipt(stream)


def _balance(hub: Hub, prison_number: str) -> int:
    view = account_of(hub.engine, prison_number, MONDAY)
    assert view is not None
    return view.balance_pence


def test_each_line_of_an_order_file_is_answered_in_its_receipt(hub: Hub, drop: Path) -> None:
    _drop(drop, LEEDS_ORDERS, "orders.csv")

    with _receipt(drop, "orders.csv").open("rb") as stream:
        receipt = read_receipt(stream)

    assert (receipt.file_reference, receipt.establishment) == ("LEI-20261123-01", "LEI")
    assert [(e.line_number, e.accepted, e.reason) for e in receipt.entries] == [
        (2, True, None),
        (3, False, canteen.INSUFFICIENT_FUNDS),
        (4, True, None),
        (5, False, canteen.DUPLICATE_REFERENCE),
        (6, True, None),
        (7, False, canteen.UNKNOWN_PRISONER),
        (8, False, canteen.MALFORMED_LINE),
    ]
    assert [e.balance_after_pence for e in receipt.entries if e.accepted] == [1750, 550, 1949]
    assert receipt.counts == (7, 3, 4)
    assert (_balance(hub, "A1234BC"), _balance(hub, "B2345CD")) == (1949, 550)
    assert list((drop / "done").glob("*-orders.csv"))
    assert not list((drop / "processing").iterdir())


def test_the_same_file_dropped_twice_is_applied_once_and_answered_alike(
    hub: Hub, drop: Path
) -> None:
    _drop(drop, LEEDS_ORDERS, "orders.csv")
    first = _receipt(drop, "orders.csv")
    _drop(drop, LEEDS_ORDERS, "orders.csv")
    second = _receipt(drop, "orders.csv", exclude=frozenset({first}))

    assert _read(second).entries == _read(first).entries
    assert (_balance(hub, "A1234BC"), _balance(hub, "B2345CD")) == (1949, 550)


def test_a_reference_applied_in_an_earlier_file_is_refused_in_a_later_one(
    hub: Hub, drop: Path, tmp_path: Path
) -> None:
    _drop(drop, LEEDS_ORDERS, "orders.csv")
    _receipt(drop, "orders.csv")
    later = tmp_path / "later.csv"
    later.write_text(
        "HDR,GHCANTORD,1,LEI-20261124-01,LEI,2026-11-24T20:00:00+00:00\n"
        "TXN,DHL-LEI-000101,A1234BC,CANT,100,2026-11-24T18:00:00+00:00\n"
        "TRL,1\n"
    )
    _drop(drop, later, "later.csv")

    [entry] = _read(_receipt(drop, "later.csv")).entries

    assert (entry.accepted, entry.reason) == (False, canteen.DUPLICATE_REFERENCE)
    assert _balance(hub, "A1234BC") == 1949


@pytest.mark.parametrize(
    ("sample", "why"),
    [
        ("orders-trailer-miscounts.csv", "counts 2 transaction lines"),
        ("orders-without-trailer.csv", "without a TRL record"),
    ],
)
def test_a_file_refused_whole_applies_nothing_and_its_receipt_says_why(
    hub: Hub, drop: Path, sample: str, why: str
) -> None:
    _drop(drop, FILES / "invalid" / sample, "bad.csv")

    receipt = _read(_receipt(drop, "bad.csv"))

    assert receipt.rejection is not None and why in receipt.rejection
    assert receipt.entries == [] and receipt.counts == (0, 0, 0)
    assert list((drop / "rejected").glob("*-bad.csv"))
    assert _balance(hub, "A1234BC") == 3000


def test_a_file_for_a_prison_that_does_not_exist_is_refused_whole(
    hub: Hub, drop: Path, tmp_path: Path
) -> None:
    unknown = tmp_path / "unknown.csv"
    unknown.write_text(
        "HDR,GHCANTORD,1,XXI-1,XXI,2026-11-24T20:00:00+00:00\n"
        "TXN,X-1,A1234BC,CANT,100,2026-11-24T18:00:00+00:00\nTRL,1\n"
    )
    _drop(drop, unknown, "unknown.csv")

    receipt = _read(_receipt(drop, "unknown.csv"))

    assert receipt.rejection is not None and "XXI" in receipt.rejection


def test_each_line_travels_as_its_own_message_correlated_to_its_file(hub: Hub, drop: Path) -> None:
    _drop(drop, LEEDS_ORDERS, "orders.csv")
    _receipt(drop, "orders.csv")
    file_id = hashlib.sha256(LEEDS_ORDERS.read_bytes()).hexdigest()

    def file_hops() -> list[str]:
        the_file = hub.journal.trace(f"canteen-order:{file_id}")
        return [h.hop for h in the_file if h.message_type == "order_file"]

    # The receipt is written first and its "delivered" hop journalled after it, so the
    # receipt's appearance alone does not mean the hop is there yet.
    eventually(lambda: "delivered" in file_hops(), "the order file's delivered hop")
    hops = hub.journal.trace(line_message_id(file_id, 2))

    assert [h.hop for h in hops if h.message_id == line_message_id(file_id, 2)] == ["stored"]
    assert {h.correlation_id for h in hops} == {f"canteen-order:{file_id}"}
    the_file = hub.journal.trace(f"canteen-order:{file_id}")
    assert [h.hop for h in the_file if h.message_type == "order_file"] == ["received", "delivered"]
    assert "5 lines published, 2 refused as read" in (the_file[0].detail or "")


def test_the_roll_command_writes_each_prisons_people_with_their_spends(
    hub: Hub, tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        app,
        ["canteen", "roll", "LEI", "--out-dir", str(tmp_path / "rolls")],
        env=environment_of(hub),
    )

    assert result.exit_code == 0, result.output
    with (tmp_path / "rolls" / "LEI-roll.csv").open("rb") as stream:
        establishment, people = read_roll(stream)
    assert establishment == "LEI"
    assert [(p.prison_number, p.surname, p.available_spends_pence) for p in people] == [
        ("A1234BC", "SMITH", 3000),  # remand, standard: the balance is the limit
        ("B2345CD", "JONES", 1000),
    ]
    with hub.engine.connect() as connection:
        [written] = audit_trail(connection, "establishment:LEI")
    assert (written.action, written.detail) == ("canteen_roll.written", "2 people")


def test_the_roll_command_refuses_a_code_that_is_not_a_prison(hub: Hub) -> None:
    result = CliRunner().invoke(app, ["canteen", "roll", "XXI"], env=environment_of(hub))

    assert result.exit_code == 1
    assert "XXI" in result.output


def test_the_account_command_shows_a_balance(hub: Hub) -> None:
    result = CliRunner().invoke(app, ["canteen", "account", "b2345cd"], env=environment_of(hub))

    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["balance_pence"] == 1000


def test_the_roll_command_writes_a_roll_for_every_prison_holding_anyone(
    hub: Hub, tmp_path: Path
) -> None:
    arguments = ["canteen", "roll", "--all", "--out-dir", str(tmp_path / "rolls")]
    result = CliRunner().invoke(app, arguments, env=environment_of(hub))

    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "rolls").iterdir()) == ["LEI-roll.csv"]
