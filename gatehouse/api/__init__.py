"""The HTTP API, one module per kind of route; ``gatehouse.app`` assembles them.

- ``inbound``: the inbound edge, where partners post documents
- ``resends``: the edge's rule for a document posted more than once
- ``messages``: a message's status, and the liveness and readiness checks
- ``data_share``: partners reading people's records
- ``kiosks``: in-cell kiosks reading balances and outcomes
- ``admin``: the identity and audit admin API
- ``rate_limit``: per-partner request rates (middleware)
- ``auth`` and ``problems``: the bearer token, and the error answer, every route shares
"""
