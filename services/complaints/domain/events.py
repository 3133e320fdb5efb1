"""Events of the complaints service. Every transition carries its actor and reason.

No event holds a reporter's identity in clear: only an opaque `reporter_ref` (resolved
and crypto-shredded by an adapter) and the SHA-256 of the receipt code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from eventing.aggregate import DomainEvent, DomainEventRegistry
from services.complaints.domain.model import (
    AccountabilityKind,
    Category,
    Channel,
    Outcome,
    ReopenCause,
    Satisfaction,
    Stage,
)

registry = DomainEventRegistry()
event = registry.event


@event
@dataclass(frozen=True)
class ComplaintReceived(DomainEvent):
    complaint_id: str
    bureau_id: str
    unit_id: str | None  # None: against the bureau itself
    channel: Channel
    category: Category
    description: str
    attachments: tuple[dict[str, Any], ...]
    reporter_ref: str | None  # None: anonymous
    receipt_code_hash: str
    acceptance_due: date
    investigation_due: date
    assumed_years: tuple[int, ...]  # years computed on Mon–Fri, schedule missing
    actor: str
    at: datetime
    reason: str = ""


@event
@dataclass(frozen=True)
class ComplaintAccepted(DomainEvent):
    actor: str
    at: datetime
    reason: str = ""


@event
@dataclass(frozen=True)
class ComplaintRejected(DomainEvent):
    actor: str
    at: datetime
    reason: str


@event
@dataclass(frozen=True)
class InvestigatorAssigned(DomainEvent):
    investigator_id: str
    actor: str
    at: datetime
    reason: str = ""


@event
@dataclass(frozen=True)
class InvestigationStarted(DomainEvent):
    actor: str
    at: datetime
    reason: str = ""


@event
@dataclass(frozen=True)
class ComplaintConcluded(DomainEvent):
    outcome: Outcome
    findings: str
    reply_due: date
    on_time: bool
    actor: str
    at: datetime
    reason: str = ""


@event
@dataclass(frozen=True)
class ComplaintSubstantiated(DomainEvent):
    """What the ledger opens a problem item from (source `complaint`)."""

    complaint_id: str
    bureau_id: str
    unit_id: str | None
    category: Category
    outcome: Outcome
    findings: str
    actor: str
    at: datetime
    reason: str = ""


@event
@dataclass(frozen=True)
class AccountabilityDecided(DomainEvent):
    complaint_id: str
    bureau_id: str
    unit_id: str | None
    kind: AccountabilityKind
    person_ids: tuple[str, ...]
    actor: str
    at: datetime
    reason: str


@event
@dataclass(frozen=True)
class ReporterReplied(DomainEvent):
    reply: str
    actor: str
    at: datetime
    reason: str = ""


@event
@dataclass(frozen=True)
class SatisfactionRecorded(DomainEvent):
    satisfaction: Satisfaction
    actor: str
    at: datetime
    reason: str = ""


@event
@dataclass(frozen=True)
class ComplaintReopened(DomainEvent):
    """Re-handling (重办) after a dissatisfied reply, or an appeal (申诉)."""

    cause: ReopenCause
    investigation_due: date
    assumed_years: tuple[int, ...]
    actor: str
    at: datetime
    reason: str


@event
@dataclass(frozen=True)
class ComplaintClosed(DomainEvent):
    resolved: bool
    actor: str
    at: datetime
    reason: str


@event
@dataclass(frozen=True)
class ComplaintSentBack(DomainEvent):
    """退单: back to the dispatcher for re-assignment; the clock keeps running."""

    approver: str
    actor: str
    at: datetime
    reason: str


@event
@dataclass(frozen=True)
class ComplaintTransferred(DomainEvent):
    """转办: to another unit; the clock keeps running."""

    from_unit_id: str | None
    to_unit_id: str | None
    approver: str
    actor: str
    at: datetime
    reason: str


@event
@dataclass(frozen=True)
class DeadlineExtended(DomainEvent):
    stage: Stage
    working_days: int
    previous_due: date
    new_due: date
    approver: str
    actor: str
    at: datetime
    reason: str


@event
@dataclass(frozen=True)
class DeadlinesRecomputed(DomainEvent):
    """A year's schedule was loaded: deadlines computed on Mon–Fri are redone."""

    acceptance_due: date
    investigation_due: date
    reply_due: date | None
    assumed_years: tuple[int, ...]
    actor: str
    at: datetime
    reason: str


@event
@dataclass(frozen=True)
class DuplicateFlagged(DomainEvent):
    """Flagged for merging with an open case; never dropped."""

    duplicate_of: str
    similarity: float
    actor: str
    at: datetime
    reason: str = ""


@event
@dataclass(frozen=True)
class DeadlineDueSoon(DomainEvent):
    """临期预警: once per deadline, when few working days are left."""

    stage: Stage
    deadline: date
    working_days_left: int
    actor: str
    at: datetime
    reason: str = ""


@event
@dataclass(frozen=True)
class ComplaintOverdue(DomainEvent):
    """超期催办: once for every calendar day a deadline stands missed, copied to the
    supervising leader; the count of days is never reset by a quiet day."""

    stage: Stage
    deadline: date
    day: date
    days_overdue: int
    working_days_overdue: int
    bureau_id: str
    unit_id: str | None
    copy_supervising_leader: bool
    actor: str
    at: datetime
    reason: str = ""


@event
@dataclass(frozen=True)
class CriticismProposed(DomainEvent):
    """通报批评建议: once per missed deadline, after the further interval."""

    stage: Stage
    deadline: date
    days_overdue: int
    working_days_overdue: int
    bureau_id: str
    unit_id: str | None
    actor: str
    at: datetime
    reason: str = ""
