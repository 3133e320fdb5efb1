"""The evaluation's vocabulary: round kinds, options, subjects and voters."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any


class RoundKind(enum.Enum):
    STAFF = "staff"  # 评议一般干部
    LEADERSHIP = "leadership"  # 评议领导班子 (teams and leaders)
    UNITS = "units"  # 评议部门单位


class SubjectKind(enum.Enum):
    STAFF = "staff"  # one general cadre
    TEAM = "team"  # a unit's leadership team: its main leader answers
    LEADER = "leader"  # one leading cadre
    UNIT = "unit"  # a unit or department


SUBJECT_KINDS: dict[RoundKind, frozenset[SubjectKind]] = {
    RoundKind.STAFF: frozenset({SubjectKind.STAFF}),
    RoundKind.LEADERSHIP: frozenset({SubjectKind.TEAM, SubjectKind.LEADER}),
    RoundKind.UNITS: frozenset({SubjectKind.UNIT}),
}


class Option(enum.Enum):
    EXCELLENT = "excellent"  # 优秀
    GOOD = "good"  # 良好
    FAIR = "fair"  # 一般
    POOR = "poor"  # 较差


class Constituency(enum.Enum):
    STAFF = "staff"  # staff of the unit
    SERVICE_RECIPIENT = "service_recipient"  # 服务对象
    GRASSROOTS = "grassroots"  # 基层代表
    NPC_DEPUTY = "deputy"  # 人大代表 (organization's constituency names)
    CPPCC_MEMBER = "committee_member"  # 政协委员
    ENTERPRISE = "enterprise"  # 企业代表
    SMALL_BUSINESS = "small_business"  # 个体工商户


class TalkKind(enum.Enum):
    ADMONISHMENT = "admonishment"  # 诫勉谈话, from the 30% rule
    HEAD_TALK = "head_talk"  # a head's talk with the lowest-rated staff
    INSPECTION = "inspection"  # 约谈 after an inspection or spot check


@dataclass(frozen=True)
class Subject:
    """Who or what is evaluated. `answerable_id`: who gets a talk if the rule
    fires (a team's main leader, else the person); `head_id`: the unit's head."""

    subject_id: str
    kind: SubjectKind
    unit_id: str
    person_id: str | None
    answerable_id: str | None
    head_id: str | None
    name: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "subject_id": self.subject_id,
            "kind": self.kind.value,
            "unit_id": self.unit_id,
            "person_id": self.person_id,
            "answerable_id": self.answerable_id,
            "head_id": self.head_id,
            "name": self.name,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Subject:
        return cls(
            str(raw["subject_id"]),
            SubjectKind(raw["kind"]),
            str(raw["unit_id"]),
            raw.get("person_id"),
            raw.get("answerable_id"),
            raw.get("head_id"),
            str(raw.get("name") or ""),
        )
