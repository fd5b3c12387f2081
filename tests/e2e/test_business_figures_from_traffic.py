"""The business figures of real traffic: a reception posted at the edge, stored, published
and delivered to a simulated Delius, counted at its prison and timed to Delius through the
journal's own hops."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest

from adapters.delius.simulator import DeliusReceiver
from core_records.bookkeeping.movement_deliveries import MovementDeliveries
from gatehouse.bootstrap import Hub
from monitoring.business import BusinessFigures, Period
from tests.e2e.dashboard_support import SAMPLE
from tests.running_hub import eventually

MAY_DAY = date(2024, 5, 1)  # the sample's reception, at Doncaster


@pytest.mark.parametrize("backend", ["embedded"], indirect=True)
def test_a_reception_is_counted_at_its_prison_and_timed_to_delius(
    hub: Hub, api: str, delius: tuple[str, DeliusReceiver]
) -> None:
    token = hub.credentials.issue("serco")
    response = httpx.post(
        f"{api}/api/v1/inbound/private_prisons/reception",
        content=SAMPLE.read_bytes(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/xml"},
        timeout=30,
    )
    assert response.status_code == 202, response.text
    assert delius[1].wait_for(1, timeout_s=30), "Delius received the reception"
    figures = BusinessFigures(hub.engine)
    period = Period(MAY_DAY, MAY_DAY, "DNI")

    def timed_to_delius() -> bool:
        # The delivered hop is written once Delius has answered: read the journal until it is.
        MovementDeliveries(hub.engine).catch_up(settle=timedelta(0))
        return "delius" in {t.adapter for t in figures.delivery_times(period)}

    eventually(timed_to_delius, "the delivery to Delius in the summary")
    [doncaster] = figures.establishment_days(period)
    assert (doncaster.receptions, doncaster.releases, doncaster.population) == (1, 0, 1)
    times = {t.adapter: t for t in figures.delivery_times(period)}
    assert times["delius"].movements == 1
    assert 0 <= times["delius"].median_s == times["delius"].p95_s < 30
    # Another prison's movements are not Doncaster's.
    assert figures.delivery_times(Period(MAY_DAY, MAY_DAY, "LEI")) == []
