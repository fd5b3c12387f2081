"""Identity: who a message is about, and one record per person.

Public surface (import from the modules; this package re-exports nothing, see
``core_records``):

    numbers                     resolution by strong identifiers; new prison and book numbers
    matching.MatchRules         the probabilistic match of particulars
    resolution                  who a reception is about (``resolve``, ``Decided``,
                                ``HeldForReview``)
    cases, review.IdentityReview    possible matches held for a person to decide
    merges.Merges               merge two records of one person, and undo it
    dedupe.merge_candidates     the batch job that finds likely duplicates
    tables                      name keys, decisions, cases, merges, token grants
    person_keys                 who a message is about, as one key an edge can compute
                                (it chooses the ingest partition)

Inside: ``candidates`` and ``known_holders`` (what a batch reads ahead), ``merge_moves``,
``held_messages``.
"""
