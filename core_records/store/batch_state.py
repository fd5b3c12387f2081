"""What an area of the record reads ahead and keeps back for one batch, beside the core record.

The unit of work reads ahead who holds the batch's identifiers and keeps new people back
until the batch ends. An area with its own tables can do the same for its own rows: a
handler declares a ``prepare`` step (in its area's ``PREPARERS``, which
``core_records.registry`` gathers; ``CommandHandlers.prepare_batch`` calls it once per
batch, with all of the batch's commands of its type), which reads what those commands
will be decided on into a ``BatchState``; the handler then decides each command against
that state in memory, and the state writes what changed when the batch ends.

The unit of work owns the states (``UnitOfWork.batch_state``) and keeps them in step with
its own message boundaries: ``keep`` when a message is applied, ``discard`` when it is
refused (so that a refused message leaves nothing behind, as with the core record), and
``flush`` at the end of the batch, in its transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core_records.store.unit_of_work import UnitOfWork


class BatchState:
    """Base of an area's read-ahead for one batch; made once per batch by the unit of work."""

    def __init__(self, work: UnitOfWork) -> None:
        self.work = work

    def keep(self) -> None:
        """The current message is applied: adopt what it changed."""

    def discard(self) -> None:
        """The current message is refused: undo what it changed, in memory."""

    def flush(self) -> None:
        """The batch is done: write what it changed, in the batch's transaction."""
