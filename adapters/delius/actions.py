"""What Delius must do with its custody record for a received or released event.

    prisoner.received   TRANSFERRED -> TRANSFER, any other reason -> RECEPTION
    prisoner.released   movement reason DEC -> DEATH, HP -> HOSPITAL_TRANSFER,
                        DD -> DEPORTATION, UAL or ESCP -> ABSCONDED, any other -> RELEASE

A release's canonical reason RELEASED_TO_HOSPITAL is a hospital transfer whatever its
movement reason code. A release with reason TRANSFERRED (the person left for another prison)
takes no action: the ``prisoner.received`` at the new prison is the transfer.
"""

from __future__ import annotations

from core_records.events import PRISONER_RECEIVED, PRISONER_RELEASED

RECEPTION = "RECEPTION"
TRANSFER = "TRANSFER"
RELEASE = "RELEASE"
DEATH = "DEATH"
HOSPITAL_TRANSFER = "HOSPITAL_TRANSFER"
DEPORTATION = "DEPORTATION"
ABSCONDED = "ABSCONDED"

CUSTODY_EVENTS = {PRISONER_RECEIVED: "RECEIVED", PRISONER_RELEASED: "RELEASED"}
"""Event type to the custody event Delius records."""

RELEASE_ACTIONS = {
    "DEC": DEATH,
    "HP": HOSPITAL_TRANSFER,
    "DD": DEPORTATION,
    "UAL": ABSCONDED,
    "ESCP": ABSCONDED,
}
"""REL movement reason code to the action, where it is not a plain release."""


def is_release_on_transfer(event_type: str, reason: str) -> bool:
    """True for the leaving half of a transfer, which Delius needs nothing for."""
    return event_type == PRISONER_RELEASED and reason == "TRANSFERRED"


def downstream_action(event_type: str, reason: str, movement_reason_code: str) -> str:
    """The action Delius must take for an event of ``event_type`` with the canonical
    ``reason`` and the NOMIS ``movement_reason_code``."""
    if event_type == PRISONER_RECEIVED:
        return TRANSFER if reason == "TRANSFERRED" else RECEPTION
    if event_type == PRISONER_RELEASED:
        if is_release_on_transfer(event_type, reason):
            raise ValueError("a release on transfer takes no action; the reception does")
        if reason == "RELEASED_TO_HOSPITAL":
            return HOSPITAL_TRANSFER
        return RELEASE_ACTIONS.get(movement_reason_code, RELEASE)
    raise ValueError(f"Delius takes no custody action for {event_type!r} events")
