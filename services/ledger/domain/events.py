"""Events of the ledger service. Every change carries its actor and time.

Events other services consume carry the ids they need (bureau, unit, leader) so a
consumer never has to read a ledger stream: `ItemOverdue` and `ItemEscalated` feed the
gateway's and publicity's notices, `UnitNoticedForFormality` publicity's bureau-wide
notice, `SelfAnalysisAccepted` the publication of the material.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from eventing.aggregate import DomainEvent, DomainEventRegistry
from services.ledger.domain.model import (
    Category,
    CheckDimension,
    DisclosureKind,
    Level,
    PublicationTarget,
    Source,
    SurveyKind,
    TourVerdict,
)

registry = DomainEventRegistry()
event = registry.event

# -- ledger items ---------------------------------------------------------------


@event
@dataclass(frozen=True)
class ItemOpened(DomainEvent):
    item_id: str
    bureau_id: str
    unit_id: str | None  # None: the bureau's own organs as a whole
    person_id: str | None  # set iff level is individual
    level: Level
    category: Category
    check_dimension: CheckDimension | None  # set iff source is self_inspection
    source: Source
    reference: str  # the originating complaint, survey, tour, ... record
    description: str
    evidence: tuple[dict[str, Any], ...]
    found_on: date
    actor: str
    at: datetime


@event
@dataclass(frozen=True)
class MeasureAdded(DomainEvent):
    number: int  # 1-based, in the order measures were added
    text: str
    actor: str
    at: datetime


@event
@dataclass(frozen=True)
class SupervisorNamed(DomainEvent):
    item_id: str
    bureau_id: str
    leader_id: str
    previous_id: str | None
    actor: str
    at: datetime


@event
@dataclass(frozen=True)
class DeadlineSet(DomainEvent):
    deadline: date
    previous: date | None
    actor: str
    at: datetime
    reason: str = ""


@event
@dataclass(frozen=True)
class ProgressNoted(DomainEvent):
    note: str
    evidence: tuple[dict[str, Any], ...]
    actor: str
    at: datetime


@event
@dataclass(frozen=True)
class RectificationSubmitted(DomainEvent):
    summary: str
    evidence: tuple[dict[str, Any], ...]
    actor: str
    at: datetime


@event
@dataclass(frozen=True)
class ItemVerified(DomainEvent):
    """销号: the rectification was verified and the item is closed."""

    item_id: str
    bureau_id: str
    unit_id: str | None
    person_id: str | None
    verifier_id: str
    verified_on: date
    on_time: bool
    actor: str
    at: datetime
    remarks: str = ""


@event
@dataclass(frozen=True)
class RectificationRejected(DomainEvent):
    """The rectification was not accepted; the item returns to being rectified."""

    verifier_id: str
    reasons: str
    actor: str
    at: datetime


@event
@dataclass(frozen=True)
class ItemReopened(DomainEvent):
    """A later inspection found the closed problem again."""

    item_id: str
    bureau_id: str
    unit_id: str | None
    source: Source
    reference: str
    found_on: date
    deadline: date
    actor: str
    at: datetime
    reason: str


@event
@dataclass(frozen=True)
class ItemOverdue(DomainEvent):
    """The deadline passed with the item not closed: notify the supervising leader
    and the leading group."""

    item_id: str
    bureau_id: str
    unit_id: str | None
    supervising_leader_id: str | None
    deadline: date
    on: date


@event
@dataclass(frozen=True)
class ItemEscalated(DomainEvent):
    """Still overdue after a further interval: escalation level 1, 2, ..."""

    item_id: str
    bureau_id: str
    unit_id: str | None
    supervising_leader_id: str | None
    level: int
    overdue_days: int
    deadline: date
    on: date


# -- self-analysis materials ------------------------------------------------------


@event
@dataclass(frozen=True)
class SelfAnalysisSubmitted(DomainEvent):
    bureau_id: str
    unit_id: str
    person_id: str
    year: int
    target: PublicationTarget
    text: str
    attachments: tuple[dict[str, Any], ...]
    resubmission: bool
    actor: str
    at: datetime


@event
@dataclass(frozen=True)
class SelfAnalysisAccepted(DomainEvent):
    bureau_id: str
    unit_id: str
    person_id: str
    year: int
    target: PublicationTarget
    actor: str
    at: datetime


@event
@dataclass(frozen=True)
class SelfAnalysisRejected(DomainEvent):
    """Rejected as evasive (避重就轻、敷衍应付): self-criticism and a redo required."""

    bureau_id: str
    unit_id: str
    person_id: str
    year: int
    reasons: str
    actor: str
    at: datetime


@event
@dataclass(frozen=True)
class SelfCriticismFiled(DomainEvent):
    """书面检查 after an evasive material."""

    text: str
    actor: str
    at: datetime


# -- surveys, disclosures, tours ------------------------------------------------------


@event
@dataclass(frozen=True)
class SurveyRecorded(DomainEvent):
    """调查问计帮查: each raised problem becomes a ledger item (`item_openings`)."""

    survey_id: str
    bureau_id: str
    unit_id: str
    kind: SurveyKind
    held_on: date
    participants: tuple[str, ...]
    problems: tuple[dict[str, Any], ...]
    actor: str
    at: datetime


@event
@dataclass(frozen=True)
class DisclosurePublished(DomainEvent):
    """四亮: a service window's first publication of one disclosure."""

    bureau_id: str
    unit_id: str
    kind: DisclosureKind
    content: str
    version: int
    actor: str
    at: datetime


@event
@dataclass(frozen=True)
class DisclosureReplaced(DomainEvent):
    """A newer text of a published disclosure; the previous version is superseded."""

    bureau_id: str
    unit_id: str
    kind: DisclosureKind
    content: str
    version: int
    replaces: int
    actor: str
    at: datetime


@event
@dataclass(frozen=True)
class TourStarted(DomainEvent):
    tour_id: str
    bureau_id: str
    title: str
    inspector_ids: tuple[str, ...]
    started_on: date
    actor: str
    at: datetime


@event
@dataclass(frozen=True)
class TourFindingsRecorded(DomainEvent):
    tour_id: str
    bureau_id: str
    unit_id: str
    verdict: TourVerdict
    findings: tuple[dict[str, Any], ...]
    remarks: str
    actor: str
    at: datetime


@event
@dataclass(frozen=True)
class UnitNoticedForFormality(DomainEvent):
    """A unit went through the motions (走过场): a bureau-wide notice is due."""

    tour_id: str
    bureau_id: str
    unit_id: str
    reasons: str
    actor: str
    at: datetime


@event
@dataclass(frozen=True)
class TourConcluded(DomainEvent):
    tour_id: str
    bureau_id: str
    summary: str
    actor: str
    at: datetime
