"""Moving one person's rows onto another record in a merge, and back in an unmerge.

``move_all`` and ``renumber`` move the absorbed record's rows to the survivor and return
what they moved (ids by table, identifiers, names, name keys), which the merge writes to
``person_merge.moved``; ``move_back`` and ``renumber_back`` move exactly that back.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from core_records.custody.tables import (
    alert,
    booking,
    incentive_review,
    movement,
    person_identifier,
    person_name,
    sentence_date,
)
from core_records.identity.tables import person_name_key
from core_records.partner_records.intelligence_tables import (
    intelligence_flag,
    police_lookup,
    security_alert,
)
from core_records.partner_records.tables import (
    licence_condition,
    non_association,
    offender_manager_allocation,
    probation_registration,
    risk_assessment,
    visit,
)

_MOVED_BY_ID = (
    booking,
    movement,
    sentence_date,
    alert,
    incentive_review,
    # What partners told the record about the person (probation, OASys, operators' visits
    # and non-associations).
    offender_manager_allocation,
    probation_registration,
    licence_condition,
    risk_assessment,
    visit,
    non_association,
)
_OTHER_PERSON = ((non_association, non_association.c.other_person_id),)
"""Rows on the person's record as the other of a pair: moved like the rest, under their own
key in ``person_merge.moved``."""
_MOVED_BY_PRISON_NUMBER = (security_alert, intelligence_flag, police_lookup)
"""Kept by prison number: renumbered to the survivor's, or else a later security message
about the survivor would find the absorbed record's alert "someone else's" and be refused."""


def move_all(connection: sa.Connection, absorbed_id: int, survivor_id: int) -> dict[str, Any]:
    moved: dict[str, Any] = {}
    identifiers = connection.execute(
        sa.select(person_identifier.c.type, person_identifier.c.value).where(
            person_identifier.c.person_id == absorbed_id
        )
    ).all()
    moved["identifiers"] = [[r.type, r.value] for r in identifiers]
    connection.execute(
        sa.update(person_identifier)
        .where(person_identifier.c.person_id == absorbed_id)
        .values(person_id=survivor_id)
    )
    names = connection.execute(
        sa.select(person_name.c.id, person_name.c.name_type).where(
            person_name.c.person_id == absorbed_id
        )
    ).all()
    moved["names"] = [[r.id, r.name_type] for r in names]
    for name_id, name_type in moved["names"]:
        connection.execute(
            sa.update(person_name)
            .where(person_name.c.id == name_id)
            .values(person_id=survivor_id, name_type="A" if name_type == "CN" else name_type)
        )
    keys = set(
        connection.execute(
            sa.select(person_name_key.c.key).where(person_name_key.c.person_id == absorbed_id)
        ).scalars()
    )
    held = set(
        connection.execute(
            sa.select(person_name_key.c.key).where(person_name_key.c.person_id == survivor_id)
        ).scalars()
    )
    moved["nameKeys"] = sorted(keys)
    moved["nameKeysShared"] = sorted(keys & held)
    connection.execute(sa.delete(person_name_key).where(person_name_key.c.person_id == absorbed_id))
    if keys - held:
        connection.execute(
            sa.insert(person_name_key),
            [{"key": k, "person_id": survivor_id} for k in sorted(keys - held)],
        )
    for table in _MOVED_BY_ID:
        ids = list(
            connection.execute(
                sa.select(table.c.id).where(table.c.person_id == absorbed_id)
            ).scalars()
        )
        moved[table.name] = ids
        if ids:
            connection.execute(
                sa.update(table).where(table.c.id.in_(ids)).values(person_id=survivor_id)
            )
    for table, column in _OTHER_PERSON:
        ids = list(connection.execute(sa.select(table.c.id).where(column == absorbed_id)).scalars())
        moved[f"{table.name}.{column.name}"] = ids
        if ids:
            connection.execute(
                sa.update(table).where(table.c.id.in_(ids)).values({column.name: survivor_id})
            )
    return moved


def renumber(connection: sa.Connection, absorbed: str, survivor: str) -> dict[str, Any]:
    moved: dict[str, Any] = {}
    for table in _MOVED_BY_PRISON_NUMBER:
        ids = list(
            connection.execute(
                sa.select(table.c.id).where(table.c.prison_number == absorbed)
            ).scalars()
        )
        moved[table.name] = ids
        if ids:
            connection.execute(
                sa.update(table).where(table.c.id.in_(ids)).values(prison_number=survivor)
            )
    return moved


def renumber_back(connection: sa.Connection, moved: dict[str, Any], absorbed: str) -> None:
    for table in _MOVED_BY_PRISON_NUMBER:
        ids = moved.get(table.name) or []
        if ids:
            connection.execute(
                sa.update(table).where(table.c.id.in_(ids)).values(prison_number=absorbed)
            )


def move_back(
    connection: sa.Connection, moved: dict[str, Any], survivor_id: int, absorbed_id: int
) -> None:
    for identifier_type, value in moved["identifiers"]:
        connection.execute(
            sa.update(person_identifier)
            .where(person_identifier.c.type == identifier_type, person_identifier.c.value == value)
            .values(person_id=absorbed_id)
        )
    for name_id, name_type in moved["names"]:
        connection.execute(
            sa.update(person_name)
            .where(person_name.c.id == name_id)
            .values(person_id=absorbed_id, name_type=name_type)
        )
    only_theirs = sorted(set(moved["nameKeys"]) - set(moved["nameKeysShared"]))
    if only_theirs:
        connection.execute(
            sa.delete(person_name_key).where(
                person_name_key.c.person_id == survivor_id, person_name_key.c.key.in_(only_theirs)
            )
        )
    if moved["nameKeys"]:
        connection.execute(
            sa.insert(person_name_key),
            [{"key": k, "person_id": absorbed_id} for k in moved["nameKeys"]],
        )
    for table in _MOVED_BY_ID:
        ids = moved.get(table.name) or []
        if ids:
            connection.execute(
                sa.update(table).where(table.c.id.in_(ids)).values(person_id=absorbed_id)
            )
    for table, column in _OTHER_PERSON:
        ids = moved.get(f"{table.name}.{column.name}") or []
        if ids:
            connection.execute(
                sa.update(table).where(table.c.id.in_(ids)).values({column.name: absorbed_id})
            )
