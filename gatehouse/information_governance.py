"""Wiring of retention: the periods from settings, the ``retention`` worker role's loop, and
the information-governance page on the dashboard."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from fastapi import FastAPI

from core_records.bookkeeping.retention import (
    DATA_SHARE_AUDIT,
    DOCUMENTS,
    JOURNAL,
    Retention,
    RetentionLoop,
)
from gatehouse.bootstrap import Hub
from gatehouse.settings import Settings
from monitoring.information_governance import information_governance_router


def build_retention(settings: Settings, engine: sa.Engine) -> Retention:
    return Retention(
        engine,
        {
            DOCUMENTS: timedelta(days=settings.retention_documents_days),
            JOURNAL: timedelta(days=settings.retention_journal_days),
            DATA_SHARE_AUDIT: timedelta(days=settings.retention_data_share_audit_days),
        },
        months_ahead=settings.retention_months_ahead,
    )


def retention_loop(hub: Hub) -> RetentionLoop:
    """The ``retention`` role: prune every ``retention_interval_s``."""
    return RetentionLoop(
        build_retention(hub.settings, hub.engine), backoff_s=hub.settings.retention_interval_s
    )


def mount_information_governance(app: FastAPI, hub: Hub) -> None:
    """``/dashboard/information-governance``: what is held, for how long, last pruned."""
    app.include_router(
        information_governance_router(build_retention(hub.settings, hub.engine)),
        include_in_schema=False,
    )
