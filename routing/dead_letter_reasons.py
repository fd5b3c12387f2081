"""Why a transport dead-lettered a message on its own, in words a service manager reads.

Both transports put these in ``HEADER_DEAD_LETTER_REASON``, so a dead letter reads the same
whichever transport made it. The keys are RabbitMQ's ``x-death`` reasons.
"""

from __future__ import annotations

DELIVERY_LIMIT_EXCEEDED = "delivery limit exceeded"

BROKER_REASONS = {
    "delivery_limit": DELIVERY_LIMIT_EXCEEDED,
    "rejected": "rejected by a consumer without requeue",
    "maxlen": "queue length limit reached",
}


def broker_reason(x_death_reason: str) -> str:
    return BROKER_REASONS.get(x_death_reason, f"dead-lettered by the broker ({x_death_reason})")
