"""The canonical offender record store. Imports none of Gatehouse's other packages.

The surface other packages use:

    store.RecordStore           apply inbound messages; outbox, leases, person view, ping
    journal.Journal, Hop        the message journal: record hops, trace a message
    dead_letters.DeadLetterStore    dead letters: file, list, replay, discard
    credentials.PartnerCredentials  partner tokens: issue, authenticate, revoke
    delivery_holds.DeliveryHolds    per-person ordering of deliveries waiting for a retry
    database.create_engine      SQLite or PostgreSQL, set up alike
    migrate.upgrade             schema migrations, then the reference data
    commands, events, errors, identifiers, reference_data   the vocabulary

Inside: ``handlers`` apply commands through a ``unit_of_work`` per batch, which reads and
writes ``person_record`` rows and resolves people with ``identity``; ``tables`` is the schema.
"""
