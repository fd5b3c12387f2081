"""The widened data share over real HTTP, on PostgreSQL: sentence key dates, active alerts
(never security ones), the offender manager, the RoSH summary and the incentive level, each
only for a partner whose policy names it; and an event's absolute ``detailUrl``, followed as
given with the subscriber's own token, the purpose taken from its grant."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from adapters.transports.local_server import serving
from core_records.bookkeeping.credentials import ADMIN, DATA_SHARE
from core_records.events import person_event, publish_detail_urls_under
from core_records.identifiers import NOMS, Identifier
from core_records.partner_records.commands import (
    AllocateOffenderManager,
    RecordRiskAssessment,
    RecordSentence,
    RoshLevel,
)
from core_records.tables import alert, person
from gatehouse.app import create_app
from gatehouse.bootstrap import Hub, build_hub
from gatehouse.settings import Settings
from tests.integration.core_records.examples import crn, message, particulars, pnc, reception

NEW_FIELDS = ("sentenceKeyDates", "alerts", "offenderManager", "roshSummary", "incentiveLevel")
AT = datetime(2024, 5, 6, 10, 0, tzinfo=UTC)


@pytest.fixture
def hub(postgres_url: str, tmp_path: Path) -> Iterator[Hub]:
    hub = build_hub(Settings(database_url=postgres_url, data_dir=tmp_path, namespace="dsw"))
    try:
        yield hub
    finally:
        hub.close()


@pytest.fixture
def api(hub: Hub) -> Iterator[str]:
    with serving(create_app(hub), name="gatehouse-api") as base_url:
        yield base_url


@pytest.fixture
def at_altcourse(hub: Hub) -> str:
    """A person at Altcourse (run by g4s), with a probation case, sentenced, assessed, with
    an offender manager, a medical alert, a security alert and an incentive level."""
    [received] = hub.store.apply([message(reception(particulars(pnc(3), crn(3)), "ACI"))])
    assert received.person_key is not None, received.error
    who = (Identifier(NOMS, received.person_key),)
    commands = [
        RecordSentence(who, "ACI", (("SED", date(2027, 3, 1)), ("CRD", date(2025, 9, 14))), AT),
        AllocateOffenderManager(
            who, "N07A123", "Jane Smith", "N07T01", "N07", date(2024, 5, 1), AT
        ),
        RecordRiskAssessment(
            who, "10082385", "LAYER3", "COMPLETE",
            (RoshLevel("PUBLIC", "MEDIUM", "HIGH"),), (("OGRS3_1YR", 34),), AT,
        ),
    ]  # fmt: skip
    for command in commands:
        [outcome] = hub.store.apply([message(command)])
        assert outcome.status == "applied", outcome.error
    # A medical alert as the prison recorded it, and a security (X) alert a legacy load
    # left on the person record, with the incentive level the canteen set.
    with hub.engine.begin() as connection:
        person_id = connection.execute(
            sa.select(person.c.id).where(person.c.prison_number == received.person_key)
        ).scalar_one()
        connection.execute(
            sa.insert(alert),
            [
                {"person_id": person_id, "alert_type": "M", "alert_code": "MEP",
                 "active": True, "created_at": AT},
                {"person_id": person_id, "alert_type": "X", "alert_code": "XEL",
                 "active": True, "created_at": AT},
                {"person_id": person_id, "alert_type": "H", "alert_code": "HA",
                 "active": False, "created_at": AT},
            ],
        )  # fmt: skip
        connection.execute(
            sa.update(person).where(person.c.id == person_id).values(incentive_level="ENH")
        )
    return received.person_key


def _read(api: str, url: str, token: str, **params: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"}
    return httpx.get(url if url.startswith("http") else f"{api}{url}", headers=headers,
                     params=params, timeout=10)  # fmt: skip


def test_probation_reads_each_new_field_its_policy_names(
    hub: Hub, api: str, at_altcourse: str
) -> None:
    token = hub.credentials.issue("delius", scopes=(DATA_SHARE,))
    response = _read(api, f"/api/v1/people/{at_altcourse}", token, purpose="sentence planning")
    assert response.status_code == 200, response.text
    view = response.json()
    assert view["sentenceKeyDates"] == {"CRD": "2025-09-14", "SED": "2027-03-01"}
    assert view["offenderManager"] == {
        "crn": crn(3).value, "staffCode": "N07A123", "staffName": "Jane Smith",
        "teamCode": "N07T01", "providerCode": "N07", "allocatedOn": "2024-05-01",
    }  # fmt: skip
    rosh = view["roshSummary"]
    assert (rosh["assessmentId"], rosh["overallRisk"]) == ("10082385", "HIGH")
    assert rosh["riskOfSeriousHarm"]["PUBLIC"] == {"custody": "MEDIUM", "community": "HIGH"}
    assert "OGRS3_1YR" not in json.dumps(rosh)  # the summary, not the scores
    assert view["incentiveLevel"] == "ENH"
    # Active alerts only, and never a security one: the high RoSH set ROH; MEP as recorded.
    assert sorted(a["alertCode"] for a in view["alerts"]) == ["MEP", "ROH"]
    assert "XEL" not in response.text


def test_an_operator_whose_policy_names_none_of_them_gets_none(
    hub: Hub, api: str, at_altcourse: str
) -> None:
    token = hub.credentials.issue("g4s", scopes=(DATA_SHARE,))
    response = _read(api, f"/api/v1/people/{at_altcourse}", token, purpose="reception")
    assert response.status_code == 200, response.text
    assert response.json()["prisonNumber"] == at_altcourse
    assert not set(NEW_FIELDS) & set(response.json())
    assert "XEL" not in response.text and "N07A123" not in response.text


def test_an_events_detail_url_is_followed_as_given_with_the_purpose_from_the_grant(
    hub: Hub, api: str, at_altcourse: str
) -> None:
    # The hub's public address is where its API is served; an event about the person names
    # it in full.
    public = hub.settings.model_copy(update={"public_url": api})
    publish_detail_urls_under(public.detail_url_base)
    try:
        event = person_event("prisoner.updated", AT, [Identifier(NOMS, at_altcourse)], {})
        detail_url = event.to_envelope()["detailUrl"]
    finally:
        publish_detail_urls_under(hub.settings.detail_url_base)
    assert detail_url == f"{api}/api/v1/people/{at_altcourse}"

    token = hub.credentials.issue("delius", scopes=(DATA_SHARE,))
    response = httpx.get(detail_url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert response.status_code == 200, response.text
    assert response.json()["prisonNumber"] == at_altcourse

    admin = hub.credentials.issue("admin:auditor", scopes=(ADMIN,))
    audit = _read(api, "/api/v1/admin/audit", admin, action="data_share.").json()["events"]
    assert json.loads(audit[-1]["detail"])["purpose"] == "probation case management"


def test_a_read_without_a_purpose_names_the_choices_when_the_grant_has_several(
    hub: Hub, api: str, at_altcourse: str
) -> None:
    # A grant of two purposes: Delius's policy, as a second agreement would widen it.
    delius = hub.registry.adapter("delius")
    declared = delius.policy
    several = replace(declared, purposes=frozenset({"sentence planning", "recall"}))
    object.__setattr__(delius, "policy", several)
    try:
        token = hub.credentials.issue("delius", scopes=(DATA_SHARE,))
        response = _read(api, f"/api/v1/people/{at_altcourse}", token)
    finally:
        object.__setattr__(delius, "policy", declared)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["error"] == "purpose_required"
    assert problem["purposes"] == ["recall", "sentence planning"]
    assert "recall" in problem["detail"] and "sentence planning" in problem["detail"]
