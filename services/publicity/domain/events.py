"""Every publicity event. Each carries bureau_id; the public board's events
(ArticlePublished, CommitmentPublished, CommitmentReviewed, NoticePublished,
NoticeWithdrawn, CommendationAnnounced, HotlineListed, DisclosureListed) carry all
a read model of the public board needs, so the gateway projects them alone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from eventing.aggregate import DomainEvent, DomainEventRegistry

registry = DomainEventRegistry()

# -- article-<id> ----------------------------------------------------------------


@registry.event
@dataclass(frozen=True)
class ArticleSubmitted(DomainEvent):
    """A first submission: the one that counts towards the unit's quota."""

    article_id: str
    bureau_id: str
    unit_id: str
    author_id: str
    title: str
    body: str  # as submitted
    body_format: str
    html: str  # sanitised: what readers get
    channel_wanted: str
    attachments: tuple[dict[str, Any], ...]
    at: datetime


@registry.event
@dataclass(frozen=True)
class ArticleReturned(DomainEvent):
    article_id: str
    bureau_id: str
    unit_id: str
    reason: str
    reviewer_id: str
    at: datetime


@registry.event
@dataclass(frozen=True)
class ArticleResubmitted(DomainEvent):
    """A returned article sent in again: it does not count towards a quota again."""

    article_id: str
    bureau_id: str
    unit_id: str
    author_id: str
    title: str
    body: str
    body_format: str
    html: str
    attachments: tuple[dict[str, Any], ...]
    at: datetime


@registry.event
@dataclass(frozen=True)
class ArticleAccepted(DomainEvent):
    article_id: str
    bureau_id: str
    unit_id: str
    reviewer_id: str
    at: datetime


@registry.event
@dataclass(frozen=True)
class ArticlePublished(DomainEvent):
    """Public board: an article on a channel (bulletin issues numbered)."""

    article_id: str
    bureau_id: str
    unit_id: str
    author_id: str
    title: str
    html: str
    channel: str
    published_on: date
    issue: str | None  # 《建设动态》 issue number, e.g. "2026年第5期"
    actor: str
    at: datetime


# -- publicity_unit-<unit id> ----------------------------------------------------


@registry.event
@dataclass(frozen=True)
class UnitProfileObserved(DomainEvent):
    """The unit's kind or info officer as publicity saw it (only on a change)."""

    unit_id: str
    bureau_id: str
    kind: str
    info_officer_id: str | None
    observed_at: datetime


# -- quota_period-<unit id>.<type>.<start> -----------------------------------------


@registry.event
@dataclass(frozen=True)
class QuotaMet(DomainEvent):
    unit_id: str
    bureau_id: str
    kind: str
    period_type: str
    starts_on: date
    ends_on: date
    required: int
    submitted: int
    article_ids: tuple[str, ...]
    info_officer_id: str | None
    decided_at: datetime


@registry.event
@dataclass(frozen=True)
class QuotaMissed(DomainEvent):
    unit_id: str
    bureau_id: str
    kind: str
    period_type: str
    starts_on: date
    ends_on: date
    required: int
    submitted: int
    article_ids: tuple[str, ...]
    info_officer_id: str | None
    reason: str  # no_info_officer | too_few_articles
    decided_at: datetime


# -- commitment-<id> ----------------------------------------------------------------


@registry.event
@dataclass(frozen=True)
class CommitmentMade(DomainEvent):
    commitment_id: str
    bureau_id: str
    unit_id: str | None  # None: the bureau head's own commitment
    maker_id: str
    text: str
    made_on: date
    channel: str
    actor: str
    at: datetime


@registry.event
@dataclass(frozen=True)
class CommitmentPublished(DomainEvent):
    """Public board: a commitment as the public sees it."""

    commitment_id: str
    bureau_id: str
    unit_id: str | None
    maker_id: str
    text: str
    made_on: date
    channel: str
    actor: str
    at: datetime


@registry.event
@dataclass(frozen=True)
class CommitmentReviewed(DomainEvent):
    """Public board: whether the commitment was kept."""

    commitment_id: str
    bureau_id: str
    unit_id: str | None
    status: str  # kept | partly_kept | not_kept
    remarks: str
    reviewed_on: date
    actor: str
    at: datetime


# -- notice-<id> ----------------------------------------------------------------------


@registry.event
@dataclass(frozen=True)
class NoticeDrafted(DomainEvent):
    notice_id: str
    bureau_id: str
    kind: str  # criticism | commendation
    unit_id: str | None
    title: str
    body: str
    html: str
    source_service: str | None  # the service whose event caused it; None by hand
    source_event: str | None
    source_reference: str | None
    actor: str
    at: datetime


@registry.event
@dataclass(frozen=True)
class NoticeApproved(DomainEvent):
    notice_id: str
    bureau_id: str
    approver_id: str
    at: datetime


@registry.event
@dataclass(frozen=True)
class NoticePublished(DomainEvent):
    """Public board: a notice of criticism or commendation."""

    notice_id: str
    bureau_id: str
    kind: str
    unit_id: str | None
    title: str
    html: str
    approver_id: str
    actor: str
    at: datetime


@registry.event
@dataclass(frozen=True)
class NoticeWithdrawn(DomainEvent):
    """Public board: take the notice down (it stays in the log)."""

    notice_id: str
    bureau_id: str
    reason: str
    was_published: bool
    actor: str
    at: datetime


# -- commendation-<id> ------------------------------------------------------------


@registry.event
@dataclass(frozen=True)
class CommendationAnnounced(DomainEvent):
    """Public board: an advanced collective or individual, a model window or office."""

    commendation_id: str
    bureau_id: str
    kind: str
    unit_id: str | None
    person_id: str | None
    title: str
    citation: str
    year: int
    source_reference: str | None
    actor: str
    at: datetime


# -- board_listing-<unit id> ------------------------------------------------------


@registry.event
@dataclass(frozen=True)
class HotlineListed(DomainEvent):
    """Public board: a unit's complaint hotline and who answers it."""

    bureau_id: str
    unit_id: str
    number: str
    answered_by: str  # the person's id
    answered_by_name: str | None  # as the organization names them, for the public
    at: datetime


@registry.event
@dataclass(frozen=True)
class DisclosureListed(DomainEvent):
    """Public board: one of a service window's four disclosures (四亮)."""

    bureau_id: str
    unit_id: str
    kind: str
    content: str
    version: int
    at: datetime
