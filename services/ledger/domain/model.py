"""The ledger vocabulary (names from shared/DOMAIN.md, "ledger")."""

from __future__ import annotations

import enum
import re
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any


class Level(enum.StrEnum):
    """Whom a problem is about: a unit as a whole, or one person in it."""

    UNIT = "unit"
    INDIVIDUAL = "individual"


class Category(enum.StrEnum):
    """The five problems (五个问题)."""

    HOLLOW = "hollow"  # 空
    FALSE = "false"  # 虚
    LAX = "lax"  # 散
    SLOW = "slow"  # 慢
    LOW = "low"  # 低


class CheckDimension(enum.StrEnum):
    """The five checks (五查五看) a self-inspection finding falls under."""

    INSTITUTIONS = "institutions"  # 制度建设
    MINDSET = "mindset"  # 思想观念
    SERVICE_ATTITUDE = "service_attitude"  # 服务态度
    WORK_STANDARDS = "work_standards"  # 工作标准
    DISCIPLINE = "discipline"  # 工作纪律


class Source(enum.StrEnum):
    """The channel a problem was found through."""

    SURVEY = "survey"  # 调查问计帮查
    SELF_INSPECTION = "self_inspection"  # 单位内部查找
    FOCUSED_RECTIFICATION = "focused_rectification"  # 集中整治严查
    SPOT_CHECK = "spot_check"  # 领导小组成员抽查
    CROSS_CHECK = "cross_check"  # 包保领导交叉互查
    COMPLAINT = "complaint"  # 受理举报投诉
    DEPUTY_INSPECTION = "deputy_inspection"  # 人大代表、政协委员视察
    SECRET_VISIT = "secret_visit"  # 明察暗访
    INSPECTION_TOUR = "inspection_tour"  # 巡查


# Channels through which a later inspection may find a closed problem again.
INSPECTIONS = frozenset(Source) - {Source.SELF_INSPECTION, Source.SURVEY}


class ItemState(enum.StrEnum):
    """Where a ledger item stands."""

    NEW = "new"  # not yet opened: the aggregate before its first event
    OPEN = "open"  # being rectified (also after a rejection or a reopening)
    SUBMITTED = "submitted"  # rectification submitted, awaiting verification
    CLOSED = "closed"  # verified: 销号


class Verdict(enum.StrEnum):
    """The outcome of verifying a submitted rectification."""

    VERIFIED = "verified"
    REJECTED = "rejected"


class PublicationTarget(enum.StrEnum):
    """Where a self-analysis material is published (公示)."""

    WEBSITE = "website"  # 局机关网站: committee members and unit heads
    OFFICE_BOARD = "office_board"  # 办公区域显要位置: everyone else


class AnalysisState(enum.StrEnum):
    """Where a self-analysis material stands."""

    NEW = "new"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"  # as evasive: self-criticism, then resubmission


class ReviewOutcome(enum.StrEnum):
    """A reviewer's decision on a self-analysis material."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"  # as evasive: 避重就轻、敷衍应付


class SurveyKind(enum.StrEnum):
    """How a unit asked the public and enterprises (调查问计帮查)."""

    FORUM = "forum"  # 恳谈会
    QUESTIONNAIRE = "questionnaire"  # 调查问卷
    VISIT = "visit"  # 现场访谈


class DisclosureKind(enum.StrEnum):
    """The four disclosures at a service window (四亮工程)."""

    PROCESS = "process"  # 亮流程
    IDENTITY = "identity"  # 亮身份
    DUTIES = "duties"  # 亮职责
    COMMITMENTS = "commitments"  # 亮承诺


class TourVerdict(enum.StrEnum):
    """How an inspection tour judged a unit's campaign work."""

    SATISFACTORY = "satisfactory"
    GOING_THROUGH_MOTIONS = "going_through_motions"  # 走过场, 问题不具体、不细化


SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Evidence:
    """Metadata of an evidence file; the bytes live in a blob store, found by sha256."""

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

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Evidence:
        return cls(raw["name"], raw["media_type"], int(raw["size"]), raw["sha256"])


@dataclass(frozen=True)
class SupervisorEligibility:
    """Who may supervise items of one bureau, as the org chart says (挂名督办).

    The handler builds it from the organization service's events: the bureau's party
    committee members and the heads of its units.
    """

    bureau_id: str
    committee_member_ids: frozenset[str] = frozenset()
    unit_head_ids: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls,
        bureau_id: str,
        committee: Collection[str] = (),
        unit_heads: Collection[str] = (),
    ) -> SupervisorEligibility:
        return cls(bureau_id, frozenset(committee), frozenset(unit_heads))

    def allows(self, leader_id: str) -> bool:
        return leader_id in self.committee_member_ids or leader_id in self.unit_head_ids


LEDGER_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "rectification-platform/ledger")


def item_id_for_complaint(complaint_id: str) -> str:
    """The one ledger item a substantiated complaint opens, however often delivered."""
    return "c-" + str(uuid.uuid5(LEDGER_NAMESPACE, f"complaint/{complaint_id}"))


def item_id_for_survey(survey_id: str, number: int) -> str:
    """The item opened for the `number`-th problem raised in a survey."""
    return "s-" + str(uuid.uuid5(LEDGER_NAMESPACE, f"survey/{survey_id}/{number}"))


def item_id_for_tour(tour_id: str, unit_id: str, number: int) -> str:
    """The item opened for the `number`-th finding of a tour at one unit."""
    key = f"tour/{tour_id}/{unit_id}/{number}"
    return "t-" + str(uuid.uuid5(LEDGER_NAMESPACE, key))
