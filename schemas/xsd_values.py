"""Python values in the lexical forms XSD 1.0 accepts, for documents Gatehouse writes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def xsd_date_time(value: datetime) -> str:
    """An ``xs:dateTime`` with its offset from UTC, e.g. ``2024-05-01T09:05:00+01:00``.

    An offset with seconds (some historical time zones have them) cannot be written in XSD,
    so such a time is written in UTC instead: the same instant. A time without an offset is
    refused, because every Gatehouse format requires one.
    """
    offset = value.utcoffset()
    if offset is None:
        raise ValueError(f"{value!r} has no offset from UTC; Gatehouse's formats require one")
    if offset % timedelta(minutes=1):
        value = value.astimezone(UTC)
    return value.isoformat()
