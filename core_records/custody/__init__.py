"""Custody: people in prison, their bookings and movements, and the reference data.

Public surface (import from the modules; this package re-exports nothing, see
``core_records``):

    handlers.HANDLERS           receptions, releases, transfers
    applications                kiosk applications: ``RecordApplication``, ``application_status``
    person_record               a person's record as stored: ``PersonState``, ``IN_PRISON`` ...
    in_custody                  ``person_on_record``, ``person_in_custody_at``
    person_view.person_view     one person's record as JSON-ready values
    reference_data.ReferenceData    agencies, movement reasons, alert codes, ... (CSV in
                                ``core_records/reference``)
    data_share.DataShare        read-only core case information for partners
    tables                      the person record's and reference data's tables
"""
