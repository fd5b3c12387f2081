"""The canteen: prison-shop accounts in pence, with spend limits, refunds and refusals.

Public surface (import from the modules; this package re-exports nothing, see
``core_records``):

    account                     ``RecordCanteenTransaction``, transaction types, refusal
                                reasons, the rules (``settle``)
    handler.HANDLERS, PREPARERS applying a transaction; reading ahead for an order file
    ledger                      an order file's outcomes, a prison's roll, one account
    tables                      accounts, transactions, refusals, kiosk applications

Inside: ``batch`` (the canteen's read-ahead for one batch of the store).
"""
