"""Partner records: what partners other than prisons tell the record about a person.

Public surface (import from the modules; this package re-exports nothing, see
``core_records``). Each handler module names its handlers in ``HANDLERS``:

    police                      PNC: ids assigned, lookups answered, amendments, merges
    security                    security alerts and intelligence flags
    probation                   Delius: probation case, offender manager, registrations,
                                licence conditions
    risk                        OASys risk assessments and the RoSH alerts they set
    visits, sentences           operators' visits; sentence calculations
    non_associations            people who must be kept apart
    commands                    the commands of Delius, OASys, visits, sentences, operators
    police_lookups.awaiting_pnc people in prison still waiting for PNC
    tables, intelligence_tables the append-only tables of all the above

Inside: ``facts`` (what the handlers share).
"""
