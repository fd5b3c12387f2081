"""A legacy LIDS number names a person only together with the prison whose system issued
it: Leeds's AL9692 and Wandsworth's AL9692 are two people, and a message from one prison's
LIDS never touches the other's person (on SQLite and PostgreSQL, through the LIDS adapter)."""

from __future__ import annotations

import sqlalchemy as sa

from adapters import lids
from adapters.testing import accept
from core_records.commands import Command
from core_records.identifiers import NOMS, Identifier
from core_records.store.record_store import ApplyOutcome, RecordStore
from core_records.tables import alert, person, person_identifier
from tests.integration.core_records.examples import message

NS = "urn:gatehouse:lids:v1"
SAME_NUMBER = "AL9692"


def _header(prison: str, reference: str) -> str:
    return (
        f"<MessageHeader><Establishment>{prison}</Establishment>"
        f"<SentAt>2024-05-01T10:00:00+01:00</SentAt>"
        f"<MessageReference>{prison}-{reference}</MessageReference></MessageHeader>"
    )


def _reception(prison: str, surname: str, forenames: str, born: str) -> bytes:
    return (
        f'<Reception xmlns="{NS}">{_header(prison, "000101")}'
        f"<Prisoner><LidsNumber>{SAME_NUMBER}</LidsNumber><Surname>{surname}</Surname>"
        f"<Forenames>{forenames}</Forenames><DateOfBirth>{born}</DateOfBirth><Sex>M</Sex>"
        "</Prisoner><ReasonCode>N</ReasonCode><LegalStatus>REMAND</LegalStatus>"
        "<ReceivedAt>2024-05-01T09:40:00+01:00</ReceivedAt></Reception>"
    ).encode()


def _alert(prison: str) -> bytes:
    return (
        f'<Alert xmlns="{NS}">{_header(prison, "000114")}'
        f"<Prisoner><LidsNumber>{SAME_NUMBER}</LidsNumber></Prisoner>"
        "<AlertCode>HA</AlertCode><Status>ACTIVE</Status>"
        "<EffectiveAt>2024-05-03T13:00:00+01:00</EffectiveAt></Alert>"
    ).encode()


def _release(prison: str) -> bytes:
    return (
        f'<Release xmlns="{NS}">{_header(prison, "000120")}'
        f"<Prisoner><LidsNumber>{SAME_NUMBER}</LidsNumber></Prisoner>"
        "<ReasonCode>CR</ReasonCode><ReleasedAt>2024-06-01T09:00:00+01:00</ReleasedAt>"
        "</Release>"
    ).encode()


def _from_lids(prison: str, message_type: str, body: bytes) -> tuple[Command, ...]:
    return accept(lids.adapter, message_type, body, lids.adapter.partners[f"lids-{prison}"])


def _apply(store: RecordStore, commands: tuple[Command, ...]) -> ApplyOutcome:
    [outcome] = store.apply([message(*commands)])
    assert outcome.status == "applied", outcome.error
    return outcome


def test_two_prisons_same_lids_number_are_two_people_and_each_prisons_messages_stay_theirs(
    store: RecordStore, engine: sa.Engine
) -> None:
    leeds = _apply(
        store, _from_lids("LEI", "reception", _reception("LEI", "HOLROYD", "KIERAN", "1987-11-23"))
    ).person_key
    wandsworth = _apply(
        store, _from_lids("WWI", "reception", _reception("WWI", "OKAFOR", "DANIEL", "1990-02-14"))
    ).person_key
    assert leeds and wandsworth and leeds != wandsworth

    # Wandsworth's alert and release about its AL9692 land on Wandsworth's person only.
    raised = _apply(store, _from_lids("WWI", "alert", _alert("WWI")))
    assert raised.person_key == wandsworth
    released = _apply(store, _from_lids("WWI", "release", _release("WWI")))
    assert released.person_key == wandsworth

    with engine.connect() as connection:
        held = dict(
            connection.execute(
                sa.select(person.c.prison_number, person.c.custody_status).where(
                    person.c.prison_number.in_([leeds, wandsworth])
                )
            ).all()
        )
        alerted = set(
            connection.execute(
                sa.select(person.c.prison_number).join(alert, alert.c.person_id == person.c.id)
            ).scalars()
        )
        recorded = dict(
            connection.execute(
                sa.select(person_identifier.c.value, person.c.prison_number)
                .join(person, person.c.id == person_identifier.c.person_id)
                .where(person_identifier.c.type == "LIDS")
            ).all()
        )
    assert held[leeds] == "IN_PRISON" and held[wandsworth] != "IN_PRISON"
    assert alerted == {wandsworth}
    assert recorded == {"LEI/AL9692": leeds, "WWI/AL9692": wandsworth}

    # Leeds's own messages still find Leeds's person.
    assert _apply(store, _from_lids("LEI", "alert", _alert("LEI"))).person_key == leeds
    view = store.person_view(Identifier(NOMS, leeds))
    assert view is not None and view["establishment"] == "LEI"


def test_a_message_naming_a_lids_number_another_prison_issued_does_not_find_that_person(
    store: RecordStore, engine: sa.Engine
) -> None:
    leeds = _apply(
        store, _from_lids("LEI", "reception", _reception("LEI", "HOLROYD", "KIERAN", "1987-11-23"))
    ).person_key
    # Wandsworth never received anyone as AL9692: its alert names no one on record.
    [outcome] = store.apply([message(*_from_lids("WWI", "alert", _alert("WWI")))])
    assert outcome.status == "rejected"
    assert "no one in custody at WWI has LIDS WWI/AL9692" in str(outcome.error)
    with engine.connect() as connection:
        alerts = connection.execute(sa.select(sa.func.count()).select_from(alert)).scalar_one()
    assert leeds and alerts == 0
