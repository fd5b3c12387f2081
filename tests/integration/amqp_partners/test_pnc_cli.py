"""``gatehouse pnc awaiting``: a service manager sees who is waiting for PNC's answer."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from adapters.delius.simulator import DeliusReceiver
from gatehouse.bootstrap import Hub
from gatehouse.cli import app
from tests.integration.amqp_partners.partners import PERSON, RECEPTION, receive_from_serco


def test_a_reception_pnc_has_not_answered_is_listed_as_waiting(
    hub: Hub, delius: tuple[str, DeliusReceiver]
) -> None:
    _, receiver = delius
    receive_from_serco(hub, RECEPTION.replace(b"<PncId>2003/0412876Y</PncId>", b""))
    assert receiver.wait_for(1, timeout_s=30)
    settings = hub.settings
    environment = {
        "GATEHOUSE_DATABASE_URL": settings.store_url,
        "GATEHOUSE_BROKER_URL": settings.broker_url or "",
        "GATEHOUSE_NAMESPACE": settings.namespace,
        "GATEHOUSE_DATA_DIR": str(settings.data_dir),
        "GATEHOUSE_DELAY_TIERS_MS": json.dumps(list(settings.delay_tiers_ms)),
    }

    result = CliRunner().invoke(
        app, ["pnc", "awaiting", "--older-than-minutes", "0"], env=environment
    )

    assert result.exit_code == 0, result.output
    prison_number = hub.store.person_view(PERSON)["prisonNumber"]  # type: ignore[index]
    assert f"{prison_number}  DNI  received 2024-05-01T08:05:00+00:00" in result.output
    assert "1 waiting for PNC for over 0 minutes" in result.output
