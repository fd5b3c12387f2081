"""The prison shops' files over SFTP: order files from a real OpenSSH server answered with
the shops' own receipts, and the nightly roll written back, through a hub on RabbitMQ and
PostgreSQL."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import adapters.prison_shops as package
from adapters.prison_shops import read_receipt, read_roll
from core_records.canteen import account as canteen
from core_records.canteen.account import RecordCanteenTransaction
from core_records.canteen.ledger import account_of
from core_records.identifiers import NOMS, Identifier
from gatehouse.bootstrap import Hub
from gatehouse.file_interfaces import sftp_poller
from gatehouse.file_tasks import send_file
from tests.integration.core_records.examples import MONDAY, message, particulars, reception
from tests.running_hub import eventually, hub_settings, running_hub
from tests.sftp_server import SftpServer

FILES = Path(package.__file__).parent / "samples" / "files"
ORDERS = "shop_orders"
ROLL = "shop_roll"


@pytest.fixture
def interfaces(sftp: SftpServer) -> dict[str, dict[str, Any]]:
    shop = {"adapter": "prison_shops", "partner": "prison_shops"}
    return {
        ORDERS: sftp.interface(
            **shop, file_format="prison_shops.orders", drop_dir="orders", pattern="*.csv"
        ),
        ROLL: sftp.interface(
            **shop,
            file_format="prison_shops.roll",
            direction="outbound",
            drop_dir="rolls",
            establishments=["LEI"],
        ),
    }


@pytest.fixture
def hub(
    interfaces: dict[str, Any], postgres_url: str, rabbitmq_url: str, namespace: str, tmp_path: Any
) -> Iterator[Hub]:
    settings = hub_settings(
        database_url=postgres_url,
        broker_url=rabbitmq_url,
        namespace=namespace,
        data_dir=tmp_path,
        delius_url="http://127.0.0.1:9/unused",
        sftp_interfaces=interfaces,
    )
    with running_hub(settings, roles=("ingest", "dead-letters")) as running:
        a = particulars(Identifier(NOMS, "A1234BC"))
        b = particulars(Identifier(NOMS, "B2345CD"), surname="JONES", forenames="ANN")
        outcomes = running.store.apply(
            [
                message(reception(a, "LEI", legal_status="REMAND")),
                message(reception(b, "LEI")),
                _credit("A1234BC", 3000, "CASH-A"),
                _credit("B2345CD", 1000, "CASH-B"),
            ]
        )
        assert [o.status for o in outcomes] == ["applied"] * 4
        yield running


def _credit(prison_number: str, pence: int, reference: str):  # type: ignore[no-untyped-def]
    return message(
        RecordCanteenTransaction(
            person=(Identifier(NOMS, prison_number),),
            transaction_type=canteen.CREDIT,
            amount_pence=pence,
            client_reference=reference,
            occurred_at=MONDAY,
        )
    )


def upload(sftp: SftpServer, source: Path, name: str) -> None:
    orders = sftp.path("orders")
    orders.mkdir(exist_ok=True)
    shutil.copy(source, orders / f"{name}.part")
    os.rename(orders / f"{name}.part", orders / name)


def answered(hub: Hub, sftp: SftpServer, name: str):  # type: ignore[no-untyped-def]
    poller = sftp_poller(hub, ORDERS)
    poller.poll_now()
    receipt = sftp.path(f"receipts/{Path(name).stem}.receipt.csv")
    eventually(lambda: poller.run_once() >= 0 and receipt.exists(), f"the receipt of {name}")
    with receipt.open("rb") as stream:
        return read_receipt(stream)


def balance(hub: Hub, prison_number: str) -> int:
    view = account_of(hub.engine, prison_number, MONDAY)
    assert view is not None
    return view.balance_pence


def test_an_order_file_over_sftp_is_answered_line_by_line_in_the_shops_receipt(
    hub: Hub, sftp: SftpServer
) -> None:
    upload(sftp, FILES / "valid" / "orders-leeds.csv", "orders-leeds.csv")

    receipt = answered(hub, sftp, "orders-leeds.csv")

    assert [(e.line_number, e.accepted, e.reason) for e in receipt.entries] == [
        (2, True, None),
        (3, False, canteen.INSUFFICIENT_FUNDS),
        (4, True, None),
        (5, False, canteen.DUPLICATE_REFERENCE),
        (6, True, None),
        (7, False, canteen.UNKNOWN_PRISONER),
        (8, False, canteen.MALFORMED_LINE),
    ]
    assert receipt.counts == (7, 3, 4)
    assert (balance(hub, "A1234BC"), balance(hub, "B2345CD")) == (1949, 550)
    assert sftp.path("archive/orders-leeds.csv").exists()


def test_an_order_file_with_a_bad_trailer_over_sftp_applies_nothing(
    hub: Hub, sftp: SftpServer
) -> None:
    upload(sftp, FILES / "invalid" / "orders-trailer-miscounts.csv", "short.csv")

    receipt = answered(hub, sftp, "short.csv")

    assert receipt.rejection is not None and "counts 2 transaction lines" in receipt.rejection
    assert receipt.entries == []
    assert sftp.path("error/short.csv").exists()
    assert balance(hub, "A1234BC") == 3000


def test_the_nightly_roll_is_written_to_the_shop_as_part_then_renamed(
    hub: Hub, sftp: SftpServer, interfaces: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    settings = hub.settings
    monkeypatch.setenv("GATEHOUSE_DATABASE_URL", settings.store_url)
    monkeypatch.setenv("GATEHOUSE_BROKER_URL", settings.broker_url or "")
    monkeypatch.setenv("GATEHOUSE_NAMESPACE", settings.namespace)
    monkeypatch.setenv("GATEHOUSE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("GATEHOUSE_SFTP_INTERFACES", json.dumps(interfaces))

    path = send_file(ROLL, "LEI")

    day = datetime.now(UTC).date()
    assert path == f"rolls/roll-LEI-{day:%Y%m%d}.csv"
    assert [p.name for p in sftp.path("rolls").iterdir()] == [f"roll-LEI-{day:%Y%m%d}.csv"]
    with sftp.path(path).open("rb") as stream:
        establishment, people = read_roll(stream)
    assert establishment == "LEI"
    assert sorted(p.prison_number for p in people) == ["A1234BC", "B2345CD"]


def test_the_cli_polls_an_interface_and_sends_a_roll_by_hand(
    hub: Hub, sftp: SftpServer, interfaces: dict[str, Any]
) -> None:
    import json

    from typer.testing import CliRunner

    from gatehouse.cli import app
    from tests.e2e.test_cli import environment_of

    env = {**environment_of(hub), "GATEHOUSE_SFTP_INTERFACES": json.dumps(interfaces)}
    upload(sftp, FILES / "invalid" / "orders-without-trailer.csv", "cut-short.csv")

    polled = CliRunner().invoke(app, ["files", "poll", ORDERS], env=env)
    sent = CliRunner().invoke(app, ["files", "send", ROLL, "--establishment", "LEI"], env=env)
    unknown = CliRunner().invoke(app, ["files", "poll", "nowhere"], env=env)

    assert polled.exit_code == 0, polled.output
    assert sftp.path("error/cut-short.csv").exists()
    assert sftp.path("receipts/cut-short.receipt.csv").exists()
    assert sent.exit_code == 0, sent.output
    assert sent.output.strip().startswith("rolls/roll-LEI-")
    assert unknown.exit_code == 2
    assert "no SFTP interface 'nowhere'" in unknown.output
