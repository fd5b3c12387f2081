"""Screenshots of the dashboard for the README, taken from a running ``gatehouse demo``.

    .venv/bin/python docs/take_screenshots.py [--chromium /usr/bin/chromium]

Starts the demo on a free port with a fresh data directory, lets the simulated partners
run until Delius has refused a document, then signs in with headless Chromium and saves
``docs/dashboard-overview.png`` and ``docs/dashboard-trace.png`` (the trace of a release
that reached Delius).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

from gatehouse.demo.dashboard import DEMO_PASSWORD, DEMO_USER

DOCS = Path(__file__).parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--warm-up-s", type=float, default=45.0)
    arguments = parser.parse_args()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as data_dir:
        environment = {**os.environ, "GATEHOUSE_DATA_DIR": data_dir}
        demo = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gatehouse",
                "demo",
                "--port",
                str(port),
                "--rate",
                "4",
            ],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(base)
            time.sleep(arguments.warm_up_s)  # let traffic, a refusal and its dead letter build up
            shoot(base, arguments.chromium)
        finally:
            demo.send_signal(signal.SIGINT)
            demo.wait(timeout=30)


def wait_for(base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health/live", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit("the demo did not start")


def shoot(base: str, chromium: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=["--no-sandbox"]
        )
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"{base}/dashboard")
        page.get_by_label("User name").fill(DEMO_USER)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_selector('[data-interface="delius.outbound"]')
        page.screenshot(path=str(DOCS / "dashboard-overview.png"), full_page=True)
        page.goto(f"{base}/dashboard/messages?adapter=delius.outbound&status=delivered")
        page.locator("#results a", has_text="trace").first.click()
        page.wait_for_selector("#timeline")
        page.screenshot(path=str(DOCS / "dashboard-trace.png"), full_page=True)
        browser.close()
    print(f"saved {DOCS / 'dashboard-overview.png'} and {DOCS / 'dashboard-trace.png'}")


if __name__ == "__main__":
    main()
