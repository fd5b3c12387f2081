"""Which person a message is about, as one string an edge can compute before ingest: the
key that chooses its ingest partition (``routing.ingest_partitions``).

Each sender keys by the identifier it always sends: a private prison's own id
(``LOCAL``, ``operator:local-id``) and a legacy prison's LIDS number come before the prison
number. So every message one sender sends about a person lands in one partition and keeps
its order, even when its first reception carries no prison number and its later messages
do. (A prison number first would split them: the reception keyed by the local id, the
release by the prison number, in two partitions that keep no order between them.) Then the
prison number, which is for life; then the police numbers; and, for a first reception
naming no number, the person's surname, first forename and date of birth.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from core_records.commands import Command, RecordReception
from core_records.identifiers import CRO, LIDS, LOCAL, NOMS, PNC, Identifier
from core_records.identity.candidates import name_key

KEY_ORDER = (LOCAL, LIDS, NOMS, PNC, CRO)
"""Which identifier names the person, first found first: the sender's own number, then the
numbers that are for life."""


def identifiers_key(identifiers: Iterable[object]) -> str | None:
    """The key of a person named by ``identifiers``, or None when none is a kind in
    ``KEY_ORDER``."""
    found = {i.type: i.value for i in identifiers if isinstance(i, Identifier)}
    for kind in KEY_ORDER:
        if kind in found:
            return f"{kind}:{found[kind]}"
    return None


def person_key_of(commands: Iterable[Command]) -> str | None:
    """The key of the person the first command names, or None."""
    for command in commands:
        if isinstance(command, RecordReception):
            identifiers: Sequence[object] = command.person.identifiers
        else:
            identifiers = getattr(command, "person", ())
            if not isinstance(identifiers, tuple):
                continue
        key = identifiers_key(identifiers)
        if key is not None:
            return key
        if isinstance(command, RecordReception):
            name = command.person.name
            born = command.person.date_of_birth.isoformat()
            return f"particulars:{name_key(name.surname, name.forenames)}|{born}"
    return None
