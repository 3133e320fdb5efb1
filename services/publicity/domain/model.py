"""The publicity vocabulary (names from shared/DOMAIN.md, "publicity")."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from typing import Any


class UnitKind(enum.StrEnum):
    """A unit's kind as the organization service names it; it sets the quota."""

    AFFILIATED_UNIT = "affiliated_unit"  # 局属单位: 1 article a week
    OFFICE = "office"  # 机关科室: 1 a half-month
    STATION = "station"  # 站所: 1 a half-month


class BodyFormat(enum.StrEnum):
    MARKDOWN = "markdown"
    PLAIN = "plain"


class Channel(enum.StrEnum):
    """Where an accepted article is published."""

    WEBSITE = "website"  # 局机关网站「作风建设整改年」专栏
    BULLETIN = "bulletin"  # 《建设动态》, with an issue number
    TV = "tv"  # 电视台
    RADIO = "radio"  # 广播电台
    DISTRICT_BRIEFING = "district_briefing"  # 区活动简报


class ArticleState(enum.StrEnum):
    NEW = "new"
    SUBMITTED = "submitted"  # also after a resubmission
    RETURNED = "returned"  # with a reason; the info officer may resubmit
    ACCEPTED = "accepted"
    PUBLISHED = "published"


class Review(enum.StrEnum):
    ACCEPTED = "accepted"
    RETURNED = "returned"


class CommitmentChannel(enum.StrEnum):
    """How a public commitment (公开承诺) is made."""

    TV_INTERVIEW = "tv_interview"  # 「一把手话作风」栏目访谈
    BULLETIN_BOARD = "bulletin_board"  # 公开栏
    DISPLAY_PANEL = "display_panel"  # 展板


class CommitmentStatus(enum.StrEnum):
    MADE = "made"
    PUBLISHED = "published"
    KEPT = "kept"
    PARTLY_KEPT = "partly_kept"
    NOT_KEPT = "not_kept"


class NoticeKind(enum.StrEnum):
    """通报: criticism (通报批评) or commendation (通报表扬)."""

    CRITICISM = "criticism"
    COMMENDATION = "commendation"


class NoticeState(enum.StrEnum):
    NEW = "new"
    DRAFTED = "drafted"
    APPROVED = "approved"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class CommendationKind(enum.StrEnum):
    ADVANCED_COLLECTIVE = "advanced_collective"  # 先进集体
    ADVANCED_INDIVIDUAL = "advanced_individual"  # 先进个人
    MODEL_WINDOW = "model_window"  # 示范窗口
    MODEL_OFFICE = "model_office"  # 示范科室


class QuotaVerdict(enum.StrEnum):
    MET = "met"
    MISSED = "missed"


class MissReason(enum.StrEnum):
    NO_INFO_OFFICER = "no_info_officer"
    TOO_FEW_ARTICLES = "too_few_articles"


@dataclass(frozen=True)
class Attachment:
    """Metadata of an attached file; the bytes live in a blob store, by sha256."""

    name: str
    media_type: str
    size: int
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "media_type": self.media_type,
            "size": self.size,
            "sha256": self.sha256,
        }


NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "rectification-platform/publicity")


def derived_id(prefix: str, *parts: str) -> str:
    """A deterministic id for a record another service's event causes, so a
    redelivery finds the same record instead of creating a second."""
    return prefix + "-" + str(uuid.uuid5(NAMESPACE, "/".join(parts)))
