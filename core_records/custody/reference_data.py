"""Reference data: agencies (prisons among them), movement reasons, alert codes, incentive
levels and legal statuses.

The CSV files under ``core_records/reference/`` are the source; ``load_reference_data`` puts
them in the store (``core_records.store.migrate.upgrade`` does so after every migration), and ingest
checks codes against ``ReferenceData.from_store``. An unknown code is an
``UnknownReferenceCode``: permanent, so the message goes to the dead-letter queue at once.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Any

import sqlalchemy as sa

from core_records.custody import tables
from core_records.errors import UnknownReferenceCode
from core_records.store.database import READ_ONLY

PRISON = "INST"
"""The agency type of a prison; others are CRT court, COMM probation office, HSHOSP hospital
and IMDC immigration removal centre."""


@dataclass(frozen=True)
class Agency:
    code: str
    name: str
    agency_type: str
    contracted: bool
    """True for a privately run prison."""


@dataclass(frozen=True, eq=False)
class ReferenceData:
    """An immutable snapshot of the reference data, with the checks ingest makes."""

    agencies: Mapping[str, Agency]
    movement_reasons: Mapping[tuple[str, str], str]
    """(movement type, reason code) -> description."""
    alert_types: Mapping[str, str]
    alert_codes: Mapping[str, str]
    """alert code -> its alert type."""
    incentive_levels: Mapping[str, str]
    legal_statuses: Mapping[str, str]

    @classmethod
    def from_rows(cls, rows: Mapping[str, list[dict[str, Any]]]) -> ReferenceData:
        """From rows per table name, as read from the CSV files or the store."""
        return cls(
            agencies=MappingProxyType(
                {
                    row["code"]: Agency(
                        row["code"], row["name"], row["agency_type"], bool(row["contracted"])
                    )
                    for row in rows["agency"]
                }
            ),
            movement_reasons=MappingProxyType(
                {(r["movement_type"], r["code"]): r["description"] for r in rows["movement_reason"]}
            ),
            alert_types=MappingProxyType({r["code"]: r["description"] for r in rows["alert_type"]}),
            alert_codes=MappingProxyType({r["code"]: r["alert_type"] for r in rows["alert_code"]}),
            incentive_levels=MappingProxyType(
                {r["code"]: r["description"] for r in rows["incentive_level"]}
            ),
            legal_statuses=MappingProxyType(
                {r["code"]: r["description"] for r in rows["legal_status"]}
            ),
        )

    @classmethod
    def from_files(cls) -> ReferenceData:
        return cls.from_rows(reference_rows())

    @classmethod
    def from_store(cls, bind: sa.Engine | sa.Connection) -> ReferenceData:
        if isinstance(bind, sa.Engine):
            with bind.connect() as connection:
                return cls.from_store(connection.execution_options(**READ_ONLY))
        return cls.from_rows(
            {
                table.name: [dict(row) for row in bind.execute(sa.select(table)).mappings()]
                for table in REFERENCE_TABLES
            }
        )

    def require_agency(self, code: str) -> Agency:
        """Any known agency: a prison, court, probation office, hospital or removal centre."""
        agency = self.agencies.get(code)
        if agency is None:
            raise UnknownReferenceCode("agency", code)
        return agency

    def require_prison(self, code: str) -> Agency:
        agency = self.agencies.get(code)
        if agency is None or agency.agency_type != PRISON:
            raise UnknownReferenceCode("prison", code)
        return agency

    def is_contracted(self, code: str) -> bool:
        """Whether ``code`` is a privately run prison (False for anything else)."""
        agency = self.agencies.get(code)
        return agency is not None and agency.contracted

    def require_movement_reason(self, movement_type: str, code: str) -> str:
        """The description of a reason code valid for that movement type (ADM, REL, ...)."""
        description = self.movement_reasons.get((movement_type, code))
        if description is None:
            raise UnknownReferenceCode(f"{movement_type} movement reason", code)
        return description

    def require_alert_code(self, code: str, alert_type: str | None = None) -> str:
        """The alert type of ``code``; with ``alert_type``, the code must be of that type."""
        found = self.alert_codes.get(code)
        if found is None or (alert_type is not None and found != alert_type):
            kind = "alert" if alert_type is None else f"alert type {alert_type} alert"
            raise UnknownReferenceCode(kind, code)
        return found

    def require_incentive_level(self, code: str) -> str:
        if code not in self.incentive_levels:
            raise UnknownReferenceCode("incentive level", code)
        return self.incentive_levels[code]

    def require_legal_status(self, code: str) -> str:
        if code not in self.legal_statuses:
            raise UnknownReferenceCode("legal status", code)
        return self.legal_statuses[code]


REFERENCE_TABLES = (
    tables.agency,
    tables.movement_reason,
    tables.alert_type,
    tables.alert_code,
    tables.incentive_level,
    tables.legal_status,
)
"""In load order: alert types before the codes that refer to them."""


def _read_csv(name: str) -> Iterator[dict[str, str]]:
    text = resources.files("core_records.reference").joinpath(name).read_text(encoding="utf-8")
    yield from csv.DictReader(text.splitlines())


def reference_rows() -> dict[str, list[dict[str, Any]]]:
    """The CSV files' rows per reference table, typed as the tables want them."""
    prisons = [
        {
            "code": r["code"],
            "name": r["name"],
            "agency_type": PRISON,
            "contracted": r["contracted"] == "yes",
        }
        for r in _read_csv("establishments.csv")
    ]
    others = [{**r, "contracted": False} for r in _read_csv("agencies.csv")]
    return {
        "agency": prisons + others,
        "movement_reason": list(_read_csv("movement_reasons.csv")),
        "alert_type": list(_read_csv("alert_types.csv")),
        "alert_code": list(_read_csv("alert_codes.csv")),
        "incentive_level": [
            {**r, "sequence": int(r["sequence"])} for r in _read_csv("incentive_levels.csv")
        ],
        "legal_status": list(_read_csv("legal_statuses.csv")),
    }


def load_reference_data(bind: sa.Engine | sa.Connection) -> None:
    """Insert or update every reference row from the CSV files. Idempotent.

    Rows missing from the files are kept: records written under an old code still refer
    to it.
    """
    if isinstance(bind, sa.Engine):
        with bind.begin() as connection:
            load_reference_data(connection)
            return
    rows = reference_rows()
    for table in REFERENCE_TABLES:
        _upsert(bind, table, rows[table.name])


def _upsert(connection: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(table)
    keys = [column.name for column in table.primary_key.columns]
    statement = statement.on_conflict_do_update(
        index_elements=keys,
        set_={c.name: statement.excluded[c.name] for c in table.columns if c.name not in keys},
    )
    connection.execute(statement, rows)
