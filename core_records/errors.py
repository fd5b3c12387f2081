"""The one error hierarchy of Gatehouse.

Workers decide what to do with a failed message from the type of the error alone:
a ``PermanentError`` is never retried (the message goes to the dead-letter queue at once,
or the partner gets a 4xx at the edge); a ``TransientError`` is retried with backoff.

    GatehouseError
    ├── PermanentError
    │   ├── InvalidMessage          not XML, hostile XML, schema-invalid, untranslatable
    │   ├── InvalidIdentifier       an identifier with a bad format or check letter
    │   ├── UnknownReferenceCode    a code missing from the reference data
    │   ├── NotPermitted            a partner acting outside its scope
    │   ├── BusinessRuleViolation   a movement the record does not allow
    │   └── PartnerRejected         a partner refused a delivery for good (4xx)
    └── TransientError
        ├── PartnerUnavailable      a partner is down, slow or answered 5xx
        ├── TransportUnavailable    the broker is unreachable or did not confirm
        │   └── ConfirmUncertain    sent, but the broker's answer was lost: it may be stored
        ├── StoreUnavailable        the database is unreachable
        └── ConcurrentUpdate        a record changed under us; try again

Every error carries a ``reason``: one sentence a service manager can read on the dashboard.
"""

from __future__ import annotations


class GatehouseError(Exception):
    """Base of every error Gatehouse raises on purpose."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class PermanentError(GatehouseError):
    """Retrying will not help: the message itself, or what it asks for, is wrong."""


class TransientError(GatehouseError):
    """Retrying later may help: something we depend on is unavailable or busy."""


class InvalidMessage(PermanentError):
    """The document cannot be accepted as it is.

    ``element``, ``line`` and ``rule`` locate the fault when it is known, so that a partner
    can fix its message from the error alone.
    """

    def __init__(
        self,
        reason: str,
        *,
        element: str | None = None,
        line: int | None = None,
        rule: str | None = None,
    ) -> None:
        super().__init__(reason)
        self.element = element
        self.line = line
        self.rule = rule

    def as_dict(self) -> dict[str, object]:
        return {
            "reason": self.reason,
            "element": self.element,
            "line": self.line,
            "rule": self.rule,
        }


class InvalidIdentifier(PermanentError):
    def __init__(self, identifier_type: str, value: str, why: str) -> None:
        super().__init__(f"{identifier_type} {value!r} is not valid: {why}")
        self.identifier_type = identifier_type
        self.value = value


class UnknownReferenceCode(PermanentError):
    def __init__(self, kind: str, code: str) -> None:
        super().__init__(f"unknown {kind} code {code!r}")
        self.kind = kind
        self.code = code


class NotPermitted(PermanentError):
    """A partner asked for something outside its scope (a prison it does not run, say)."""


class BusinessRuleViolation(PermanentError):
    """The record does not allow what the message asks (releasing someone not in custody)."""


class PartnerRejected(PermanentError):
    """The partner refused a delivery in a way that retrying will not change."""


class PartnerUnavailable(TransientError):
    """The partner could not take a delivery now (down, timed out, or answered 5xx)."""


class TransportUnavailable(TransientError):
    """The broker could not be reached, or did not confirm a message as durable."""


class ConfirmUncertain(TransportUnavailable):
    """A message was sent but its confirm never came (the channel or connection closed
    first, or the wait timed out): the broker may or may not hold it. Unlike a refusal,
    this does not mean nothing was stored; sending it again under the same message id is
    safe, since the inbox applies a message id once."""


class StoreUnavailable(TransientError):
    """The record store could not be reached."""


class ConcurrentUpdate(TransientError):
    """A record changed between our read and our write; the work is safe to repeat."""
