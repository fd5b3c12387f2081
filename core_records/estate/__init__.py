"""The estate: each establishment's deployment state (legacy, migrating, live) and the
legacy messages held while a prison is migrated.

What others may use is named here: ``state_of`` answers for one prison, ``estate`` for all;
``change_state`` moves a prison on (audited); ``hold``, ``waiting`` and ``mark_released``
keep and release held legacy messages. The estate applies no commands of its own, so it
has no ``HANDLERS`` for ``core_records.registry``: its tables are gathered in
``core_records.tables`` like every other area's.
"""

from __future__ import annotations

from core_records.estate.held import (
    HELD,
    HeldMessage,
    hold,
    mark_released,
    waiting,
    waiting_by_establishment,
    was_held,
)
from core_records.estate.states import (
    LEGACY,
    LIVE,
    MIGRATING,
    MOVES,
    RUN_BY_OPERATOR,
    EstablishmentState,
    StateChangeRefused,
    change_state,
    estate,
    state_of,
    waiting_count,
)

__all__ = [
    "HELD",
    "LEGACY",
    "LIVE",
    "MIGRATING",
    "MOVES",
    "RUN_BY_OPERATOR",
    "EstablishmentState",
    "HeldMessage",
    "StateChangeRefused",
    "change_state",
    "estate",
    "hold",
    "mark_released",
    "state_of",
    "waiting",
    "waiting_by_establishment",
    "waiting_count",
    "was_held",
]
