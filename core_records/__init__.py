"""The canonical offender record store. Imports none of Gatehouse's other packages.

Top level, the vocabulary every area shares:

    commands        what partners ask the record to do (receptions, releases, PNC, security)
    events          every event type the record announces; ``CanonicalEvent``, ``person_event``
    errors          one error base, permanent and transient branches
    identifiers     prison number, PNC, CRO, CRN ... and their checks
    timestamps      UTC times, and the ``UtcDateTime`` column type
    tables          every table by name (``tables.person``); ``tables.metadata`` is the schema
    registry        which handler applies which command: every area's ``HANDLERS``

One package per area, each with its commands, handlers, tables and queries:

    store/          ``RecordStore`` (apply a batch; outbox, leases, person view, ping), the
                    unit of work, inbox/outbox, database engines, migrations, the schema
    custody/        people, bookings, movements, reference data, applications, data share
    identity/       who a message is about: matching, possible-match review, merges
    partner_records/  what PNC, security, Delius, OASys and private prisons tell the record
    canteen/        prison-shop accounts: rules, order files, ledger
    bookkeeping/    journal, dead letters, delivery holds, submissions, credentials, audit,
                    file transfers

Dependencies inside point one way: areas import the top level and ``store``'s unit of work
and schema; ``registry`` imports the areas' handlers; ``store.record_store`` imports
``registry``; ``tables`` imports the areas' table modules, which import only
``store.schema`` and ``timestamps``. The area packages re-export nothing: ``tables``
imports their table modules, which runs their ``__init__``, so a re-export there of a
handler (which imports ``tables``) would be a cycle.
"""
