"""The API's success answers, as ``/openapi.json`` describes them (``response_model``).

The routes build their answers as dicts; these models say what those dicts hold. They do not
forbid further members, so that a member added later is not a breaking change.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel


class Accepted(BaseModel):
    """A document the hub has stored durably (``Location`` is ``statusUrl``)."""

    messageId: str
    status: Literal["accepted"]
    statusUrl: str


class HopView(BaseModel):
    hop: str
    at: str
    outcome: str | None
    messageId: str
    messageType: str | None
    partner: str | None
    direction: str | None
    detail: str | None


class MessageStatus(BaseModel):
    """A message and every step of it and of the events it caused."""

    messageId: str
    status: str
    correlationId: str | None
    adapter: str | None
    messageType: str | None
    partner: str | None
    personKey: str | None
    hops: list[HopView]
    events: list[dict[str, Any]]


class Live(BaseModel):
    status: Literal["live"]


class Readiness(BaseModel):
    """Each check (``store``, ``broker``): ``ok`` or what failed."""

    status: Literal["ready", "unavailable"]
    checks: dict[str, str]


class People(BaseModel):
    """People who may be the one described, best first, with the fields the policy allows."""

    people: list[dict[str, Any]]


class KioskAccount(BaseModel):
    prisonNumber: str
    prisonId: str | None
    balancePence: int
    weeklySpendLimitPence: int
    availableSpendsPence: int


class KioskOrder(BaseModel):
    """``balancePence`` for an accepted order; ``reason`` and ``detail`` for a refused one."""

    orderReference: str
    status: Literal["ACCEPTED", "REFUSED"]
    prisonNumber: str | None
    amountPence: int
    balancePence: int | None = None
    reason: str | None = None
    detail: str | None = None


class KioskApplication(BaseModel):
    clientReference: str
    status: str
    applicationType: str
    prisonId: str
    submittedAt: str
    recordedAt: str


class AuditEventView(BaseModel):
    id: int
    at: str
    actor: str
    action: str
    subject: str
    detail: str | None


class AuditTrail(BaseModel):
    events: list[AuditEventView]


class IdentityCaseView(BaseModel):
    """A possible match held for review: the incoming person and the candidates."""

    id: int
    messageId: str
    openedAt: str
    status: str
    summary: str
    incoming: dict[str, Any] | None
    candidates: list[dict[str, Any]]
    decidedBy: str | None
    decidedAt: str | None
    decision: str | None


class IdentityCases(BaseModel):
    cases: list[IdentityCaseView]


class Decision(BaseModel):
    """What became of a case's held reception once decided."""

    messageId: str
    status: str
    prisonNumber: str | None


class MergeView(BaseModel):
    id: int
    survivor: str
    absorbed: str
    mergedAt: str
    mergedBy: str
    reason: str
    unmergedAt: str | None
    unmergedBy: str | None


class MergeHistory(BaseModel):
    merges: list[MergeView]


class MergeCandidates(BaseModel):
    candidates: list[dict[str, Any]]


class ProblemTypeView(BaseModel):
    type: str
    error: str
    title: str
    meaning: str


class ProblemTypes(BaseModel):
    problemTypes: list[ProblemTypeView]
