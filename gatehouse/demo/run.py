"""``gatehouse demo``: the hub on its embedded default, with partners simulated around it.

It starts a simulated Delius receiver, the hub (SQLite store, embedded transport, every
worker loop) serving its API on http://127.0.0.1:8000, and private-prison operators posting
realistic receptions, transfers and releases to the inbound edge, so that a newcomer can
watch messages flow and can post their own with the printed token.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import uvicorn

from adapters.courts.simulator import running_court
from adapters.delius.simulator import running_receiver
from adapters.private_prisons.simulator import OperatorSimulator
from gatehouse.app import create_app
from gatehouse.bootstrap import Hub, build_hub
from gatehouse.demo import estate as demo_estate
from gatehouse.demo.amqp_partners import simulate_amqp_partners
from gatehouse.demo.canteen import CanteenSimulator, kiosk_tokens
from gatehouse.demo.courts import simulate_court
from gatehouse.demo.dashboard import DEMO_PASSWORD, DEMO_USER, create_demo_user, refuse_now_and_then
from gatehouse.demo.lids import simulate_public_prisons
from gatehouse.demo.partners import running_demo_partners, simulate_probation_and_oasys
from gatehouse.demo.subscriber import demo_subscriber_key, running_demo_webhook
from gatehouse.settings import Settings
from gatehouse.worker_loops import ROLES, build_loops
from routing.worker import WorkerRunner

log = logging.getLogger("gatehouse.demo.run")

SAMPLE = "adapters/private_prisons/samples/valid/reception-new-person.xml"
NON_ASSOCIATION_RATE = 0.01
"""About one simulated operator message in a hundred keeps two people apart, or ends that."""


def write_tokens(hub: Hub, directory: Path) -> dict[str, str]:
    """Issue a token for every private-prison operator, and keep each in a file of its own."""
    directory.mkdir(parents=True, exist_ok=True)
    tokens: dict[str, str] = {}
    for partner, scope in hub.registry.adapter("private_prisons").partners.items():
        token = hub.credentials.issue(partner)
        path = directory / f"{partner}.token"
        path.write_text(token + "\n")
        path.chmod(0o600)
        tokens[scope.partner] = token
    return tokens


def simulate_operators(
    hub: Hub, base_url: str, tokens: dict[str, str], rate: float, stop: threading.Event
) -> None:
    """Post simulated operator traffic to the edge at about ``rate`` messages a second."""
    partners = hub.registry.adapter("private_prisons").partners
    streams: list[tuple[str, Iterator[tuple[str, bytes]]]] = [
        (
            name,
            OperatorSimulator(name, sorted(scope.establishments), seed=index).random_traffic(
                non_association_rate=NON_ASSOCIATION_RATE
            ),
        )
        for index, (name, scope) in enumerate(sorted(partners.items()))
    ]
    sent = 0
    with httpx.Client(base_url=base_url, timeout=10) as client:
        while not stop.is_set():
            partner, stream = streams[sent % len(streams)]
            message_type, body = next(stream)
            try:
                response = client.post(
                    f"/api/v1/inbound/private_prisons/{message_type}",
                    content=body,
                    headers={
                        "Authorization": f"Bearer {tokens[partner]}",
                        "Content-Type": "application/xml",
                    },
                )
                log.info(
                    "%s sent a %s: %s %s",
                    partner,
                    message_type,
                    response.status_code,
                    response.json().get("messageId") or response.json().get("reason"),
                )
            except httpx.HTTPError as error:
                log.warning("%s could not reach the hub: %s", partner, error)
            sent += 1
            stop.wait(1.0 / rate)


def wait_until_serving(base_url: str, stop: threading.Event) -> bool:
    while not stop.is_set():
        try:
            if httpx.get(f"{base_url}/health/live", timeout=1).status_code == 200:
                return True
        except httpx.HTTPError:
            time.sleep(0.2)
    return False


def run_demo(*, port: int = 8000, rate: float = 2.0, data_dir: Path | None = None) -> None:
    data_dir = data_dir or Path(os.environ.get("GATEHOUSE_DATA_DIR", "var/demo"))
    stop = threading.Event()
    operators = ["g4s", "serco", "sodexo"]
    with (
        running_receiver() as (delius_url, receiver),
        running_demo_partners(operators) as urls,
        running_court() as (court_url, court),
        running_demo_webhook(data_dir) as webhook,
    ):
        settings = Settings(
            data_dir=data_dir,
            database_url=None,
            broker_url=None,
            partner_urls={"delius": delius_url, "courts": court_url, **urls},
            delay_tiers_ms=(1_000, 5_000, 30_000),
            canteen_drop_dir=data_dir / "canteen",
            subscriber_secret_key=demo_subscriber_key(data_dir),
            public_url=f"http://127.0.0.1:{port}",
        )
        hub = build_hub(settings, migrate=True)
        webhook.subscribe(hub)
        tokens = write_tokens(hub, data_dir / "tokens")
        create_demo_user(hub)
        threading.Thread(
            target=refuse_now_and_then,
            args=(receiver, stop, 20.0),
            name="delius-faults",
            daemon=True,
        ).start()
        base_url = f"http://127.0.0.1:{port}"
        workers = threading.Thread(
            target=WorkerRunner(build_loops(hub, (*ROLES, "canteen-files"))).run,
            args=(stop,),
            name="workers",
            daemon=True,
        )
        workers.start()
        amqp_partners = simulate_amqp_partners(hub, stop)

        def simulate() -> None:
            if wait_until_serving(base_url, stop):
                print_banner(base_url, data_dir, tokens, delius_url, webhook.url)
                simulate_operators(hub, base_url, tokens, rate, stop)

        simulator = threading.Thread(target=simulate, name="simulated-operators", daemon=True)
        simulator.start()
        probation = threading.Thread(
            target=simulate_probation_and_oasys,
            args=(hub, base_url, receiver, stop),
            name="simulated-probation-and-oasys",
            daemon=True,
        )
        probation.start()
        threading.Thread(
            target=simulate_court,
            args=(hub, base_url, court, stop),
            name="simulated-court",
            daemon=True,
        ).start()
        for name, target, args in (
            ("simulated-public-prisons", simulate_public_prisons, (hub, base_url, stop)),
            ("migrated-prison", demo_estate.run_migrated_prison, (hub, base_url, data_dir, stop)),
        ):
            threading.Thread(target=target, args=args, name=name, daemon=True).start()
        shop = CanteenSimulator(
            hub, base_url, data_dir / "canteen", kiosk_tokens(hub, data_dir / "tokens")
        )
        threading.Thread(target=shop.run, args=(stop,), name="simulated-shop", daemon=True).start()
        try:
            uvicorn.run(create_app(hub), host="127.0.0.1", port=port, log_level="warning")
        finally:
            stop.set()
            simulator.join(timeout=5)
            workers.join(timeout=15)
            amqp_partners.join(timeout=5)
            hub.close()
            log.info("Delius received %d custody updates during the demo", len(receiver.received))


def print_banner(
    base_url: str, data_dir: Path, tokens: dict[str, str], delius_url: str, webhook_url: str = ""
) -> None:
    token_file = data_dir / "tokens" / "serco.token"
    print(
        f"""
Gatehouse demo: the hub is serving on {base_url}  (Ctrl-C stops it)
  dashboard:          {base_url}/dashboard  (user {DEMO_USER}, password {DEMO_PASSWORD});
                      Delius refuses a document now and then: replay its dead letters there
  store and queues:   {data_dir}/ (SQLite store, embedded transport)
  simulated partners: {", ".join(sorted(tokens))} post receptions, transfers and releases;
                      a simulated Delius receives custody updates at {delius_url}
  tokens:             {data_dir}/tokens/<operator>.token
  prison shop:        order files dropped in {data_dir}/canteen/incoming, receipts in
                      {data_dir}/canteen/receipts; kiosks order at DNI, FBI, PRI, OWI, TSI
                      (gatehouse canteen roll DNI, for a prison's roll)
  the estate:         {demo_estate.estate_page_url(base_url)}: WWI, BMI and MRI send LIDS
                      traffic; a few seconds in, LEI is migrated from a generated extract
                      ({data_dir}/migration/) and goes live, its staff then recording
                      through the case-management API (gatehouse canteen roll LEI);
                      its cleansing report: {demo_estate.report_url(base_url)}
  event subscriber:   demo-webhook (no code, a row in the store) takes prisoner.* as signed
                      envelopes at {webhook_url}, checks each signature with hmac and
                      logs it to {data_dir}/demo-webhook.log (gatehouse subscribers list)

Post a reception yourself, then follow it:
  curl -si -X POST {base_url}/api/v1/inbound/private_prisons/reception \\
       -H "Authorization: Bearer $(cat {token_file})" -H "Content-Type: application/xml" \\
       --data-binary @{SAMPLE}
  curl -s {base_url}/api/v1/messages/<messageId> -H "Authorization: Bearer $(cat {token_file})"
""",
        flush=True,
    )
