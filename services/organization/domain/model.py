"""The organization's vocabulary (names from shared/DOMAIN.md)."""

from __future__ import annotations

import enum


class UnitKind(enum.StrEnum):
    """局属单位 / 机关科室 / 站所."""

    AFFILIATED_UNIT = "affiliated_unit"
    OFFICE = "office"
    STATION = "station"


class Position(enum.StrEnum):
    """A person's post inside their unit."""

    UNIT_HEAD = "unit_head"  # 一把手
    DEPUTY_HEAD = "deputy_head"  # 班子成员
    MIDDLE_MANAGER = "middle_manager"  # 中层干部
    STAFF = "staff"  # 一般干部


class LeadingGroupRole(enum.StrEnum):
    """Membership of the campaign's leading group (活动领导小组)."""

    LEADER = "leader"  # 组长
    DEPUTY_LEADER = "deputy_leader"  # 副组长
    MEMBER = "member"  # 成员


class Constituency(enum.StrEnum):
    """Who an external evaluator speaks for."""

    DEPUTY = "deputy"  # 人大代表
    COMMITTEE_MEMBER = "committee_member"  # 政协委员
    ENTERPRISE = "enterprise"  # 企业代表
    SMALL_BUSINESS = "small_business"  # 个体工商户
    SERVICE_RECIPIENT = "service_recipient"  # 服务对象


class Role(enum.StrEnum):
    """What an account may do. Some come from the org chart, the rest are granted."""

    DISTRICT_OFFICIAL = "district_official"  # may see across bureaus
    BUREAU_ADMIN = "bureau_admin"  # keeps the org chart
    LEADING_GROUP = "leading_group"
    LEADING_GROUP_OFFICE = "leading_group_office"
    COMMITTEE_MEMBER = "committee_member"  # 局党委委员
    UNIT_HEAD = "unit_head"
    INFO_OFFICER = "info_officer"
    INVESTIGATOR = "investigator"
    STAFF = "staff"
    API_CLIENT = "api_client"  # machine clients (service accounts)


GRANTABLE_ROLES = frozenset(
    {
        Role.DISTRICT_OFFICIAL,
        Role.BUREAU_ADMIN,
        Role.LEADING_GROUP_OFFICE,
        Role.INVESTIGATOR,
        Role.STAFF,
        Role.API_CLIENT,
    }
)


class AccountKind(enum.StrEnum):
    PERSON = "person"
    SERVICE = "service"


class Phase(enum.StrEnum):
    """The campaign's four phases, in order."""

    STUDY = "study"  # 学习提高
    FIND_PROBLEMS = "find_problems"  # 查摆问题
    RECTIFY = "rectify"  # 整改落实
    EVALUATE = "evaluate"  # 广泛评议


PHASE_ORDER = (Phase.STUDY, Phase.FIND_PROBLEMS, Phase.RECTIFY, Phase.EVALUATE)

ASSESSMENT_INPUTS = (
    "evaluation",
    "ledger",
    "complaints",
    "publicity",
    "tests",
    "innovation",
)
