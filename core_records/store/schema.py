"""The schema every area's tables are defined on: one ``MetaData`` with our naming
convention, and the column types the areas share.

Each area defines its own tables on ``metadata`` (``custody.tables``, ``identity.tables``,
``partner_records.tables``, ``canteen.tables``, ``bookkeeping.tables``, ``store.tables`` ...);
``core_records.tables`` imports them all, so that ``metadata`` then holds the whole schema
the migrations in ``core_records/store/migrations`` build (a test compares them). Times are
``core_records.timestamps.UtcDateTime``.
"""

from __future__ import annotations

import sqlalchemy as sa

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
"""Every constraint gets a name we chose, the same on both databases, so that a later
migration can drop or alter it by name."""

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
"""Key of a table that grows by millions of rows. On SQLite only INTEGER PRIMARY KEY
autoincrements, and there it is 64 bits anyway."""

Id = sa.String(128)
"""A message, event, correlation or causation id (UUIDs mostly; partners may send longer)."""


def person_id_column() -> sa.Column[int]:
    """The indexed ``person_id`` of a row that belongs to one person."""
    return sa.Column("person_id", sa.ForeignKey("person.id"), nullable=False, index=True)
