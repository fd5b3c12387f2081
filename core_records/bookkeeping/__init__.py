"""Bookkeeping: what the hub records about messages and who touched them, beside the record.

Public surface (import from the modules; this package re-exports nothing, see
``core_records``):

    journal.Journal, Hop, write_hops    every hop of every message; trace and search
    dead_letters.DeadLetterStore        messages failed for good: list, replay, discard
    delivery_holds.DeliveryHolds        per-person order of deliveries waiting for a retry
    submissions.Submissions             a partner's own reference as the key of a post
    credentials.PartnerCredentials      partner tokens: issue, authenticate, revoke
    audit, audit_export                 the audit trail; its listing and CSV export
    file_transfers.FileTransfers        files partners dropped on SFTP, and their lines
    tables, file_tables, monitoring_tables  their tables (monitoring's for ``monitoring``)
"""
