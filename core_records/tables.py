"""Every table of the store, by name, from the area that defines it; ``metadata`` holds
them all once this module is imported.

The migrations in ``core_records/store/migrations`` build exactly this schema (a test
compares them) on SQLite and PostgreSQL alike. Each area defines its tables on the one
``core_records.store.schema.metadata``; this module only gathers them, so that callers can
say ``tables.person`` without knowing which area a table belongs to.
"""

from __future__ import annotations

from core_records.bookkeeping.file_tables import (
    file_line_error,
    file_transfer,
)
from core_records.bookkeeping.history_tables import message_document
from core_records.bookkeeping.interface_control_tables import (
    dead_letter_retry_schedule,
    interface_pause,
)
from core_records.bookkeeping.mi_tables import movement_delivery, summary_watermark
from core_records.bookkeeping.monitoring_tables import (
    dashboard_session,
    dashboard_user,
    interface_health_change,
)
from core_records.bookkeeping.replay_tables import replay_run
from core_records.bookkeeping.retention_tables import retention_run
from core_records.bookkeeping.tables import (
    audit_event,
    dead_letter,
    delivery_hold,
    journal,
    partner_token,
    rate_limit,
    sign_in_throttle,
    submission,
)
from core_records.canteen.tables import (
    canteen_account,
    canteen_refusal,
    canteen_transaction,
    prisoner_application,
)
from core_records.custody.tables import (
    agency,
    alert,
    alert_code,
    alert_type,
    book_number_sequence,
    booking,
    incentive_level,
    incentive_review,
    legal_status,
    movement,
    movement_reason,
    person,
    person_identifier,
    person_name,
    prison_number_sequence,
    sentence_date,
)
from core_records.estate.migration.tables import migration_row, migration_run
from core_records.estate.tables import establishment_state, estate_held_message
from core_records.identity.tables import (
    identity_case,
    identity_decision,
    merge_candidate,
    partner_token_grant,
    person_merge,
    person_name_key,
)
from core_records.partner_records.court_tables import court_hearing, court_result
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
from core_records.store.schema import (
    NAMING_CONVENTION,
    BigId,
    Id,
    metadata,
)
from core_records.store.tables import (
    inbox,
    outbox,
    relay_lease,
)
from core_records.subscribers.tables import event_subscriber

__all__ = [
    "NAMING_CONVENTION",
    "BigId",
    "Id",
    "agency",
    "alert",
    "alert_code",
    "alert_type",
    "audit_event",
    "book_number_sequence",
    "booking",
    "canteen_account",
    "canteen_refusal",
    "canteen_transaction",
    "court_hearing",
    "court_result",
    "dashboard_session",
    "dashboard_user",
    "dead_letter",
    "dead_letter_retry_schedule",
    "delivery_hold",
    "establishment_state",
    "estate_held_message",
    "event_subscriber",
    "file_line_error",
    "file_transfer",
    "identity_case",
    "identity_decision",
    "inbox",
    "incentive_level",
    "incentive_review",
    "intelligence_flag",
    "interface_health_change",
    "interface_pause",
    "journal",
    "legal_status",
    "licence_condition",
    "merge_candidate",
    "message_document",
    "metadata",
    "migration_row",
    "migration_run",
    "movement",
    "movement_delivery",
    "movement_reason",
    "non_association",
    "offender_manager_allocation",
    "outbox",
    "partner_token",
    "partner_token_grant",
    "person",
    "person_identifier",
    "person_merge",
    "person_name",
    "person_name_key",
    "police_lookup",
    "prison_number_sequence",
    "prisoner_application",
    "probation_registration",
    "rate_limit",
    "relay_lease",
    "replay_run",
    "retention_run",
    "risk_assessment",
    "security_alert",
    "sentence_date",
    "sign_in_throttle",
    "submission",
    "summary_watermark",
    "visit",
]
