"""Campaign: one per bureau and year — its four phases, settings and weights.

The settings are what the other services read their rules from (complaint deadlines,
ledger deadline, evaluation threshold, publicity quotas, test bar, assessment weights).
"""

from __future__ import annotations

import calendar
import copy
import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from eventing.aggregate import Aggregate, DomainEvent
from services.common.errors import NotFound
from services.organization.domain.errors import (
    AlreadyExists,
    PhasesInvalid,
    SettingsInvalid,
)
from services.organization.domain.events import (
    CampaignLaunched,
    CampaignRescheduled,
    CampaignSettingsChanged,
)
from services.organization.domain.model import (
    ASSESSMENT_INPUTS,
    PHASE_ORDER,
    Constituency,
    Phase,
)

DEFAULT_SETTINGS: dict[str, Any] = {
    "timezone": "Asia/Shanghai",
    # 一周一调度, 一月一检查, 一季一讲评, 半年一考核
    "rhythm": {
        "dispatch": "weekly",
        "check": "monthly",
        "review": "quarterly",
        "assessment": "half_yearly",
    },
    "assessment_weights": {
        "evaluation": 0.30,
        "ledger": 0.25,
        "complaints": 0.15,
        "publicity": 0.10,
        "tests": 0.10,
        "innovation": 0.10,
    },
    "complaints": {
        "acceptance_working_days": 1,
        "investigation_working_days": 15,
        "reply_working_days": 3,
        "due_soon_working_days": 2,
        "criticism_after_working_days": 5,
    },
    "ledger": {"default_deadline_days": 30, "escalation_days": [7, 14]},
    "evaluation": {
        "threshold": 0.30,
        "min_ballots": 5,
        "talk_working_days": 10,
        # constituency -> weight of its ballots (default 1 each), e.g.
        # {"service_recipient": 2}
        "constituency_weights": {},
    },
    "publicity": {
        "quotas": {
            "affiliated_unit": {"articles": 1, "period": "week"},
            "office": {"articles": 1, "period": "half_month"},
            "station": {"articles": 1, "period": "half_month"},
        }
    },
    "tests": {"pass_mark": 60, "criticism_below_mean": 70},
}

PERIODS = ("week", "half_month", "month")
# settings whose keys are the campaign's own choice (checked whole, not merged)
FREE_MAPS = ("assessment_weights", "constituency_weights")


@dataclass(frozen=True)
class PhaseDates:
    phase: Phase
    starts_on: date
    ends_on: date

    def to_dict(self) -> dict[str, Any]:
        return {
            "phase": self.phase.value,
            "starts_on": self.starts_on.isoformat(),
            "ends_on": self.ends_on.isoformat(),
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> PhaseDates:
        return cls(
            Phase(raw["phase"]),
            date.fromisoformat(raw["starts_on"]),
            date.fromisoformat(raw["ends_on"]),
        )


def default_phases(year: int) -> list[PhaseDates]:
    """The seed's calendar: Feb / Mar–Jun / Jul–Sep / Oct–Dec."""
    feb_end = calendar.monthrange(year, 2)[1]
    return [
        PhaseDates(Phase.STUDY, date(year, 2, 1), date(year, 2, feb_end)),
        PhaseDates(Phase.FIND_PROBLEMS, date(year, 3, 1), date(year, 6, 30)),
        PhaseDates(Phase.RECTIFY, date(year, 7, 1), date(year, 9, 30)),
        PhaseDates(Phase.EVALUATE, date(year, 10, 1), date(year, 12, 31)),
    ]


def _phases_error(zh: str, en: str) -> PhasesInvalid:
    return PhasesInvalid(reason_zh=zh, reason_en=en)


def check_phases(year: int, phases: list[PhaseDates]) -> None:
    """Four phases in order, each a non-empty span, back to back: no gap, no overlap."""
    if [p.phase for p in phases] != list(PHASE_ORDER):
        raise _phases_error(
            "须依次包含学习提高、查摆问题、整改落实、广泛评议四个阶段",
            "there must be the four phases study, find_problems, rectify, evaluate "
            "in that order",
        )
    if phases[0].starts_on.year != year:
        raise _phases_error("活动须在当年开始", "the campaign must start in its year")
    for phase in phases:
        if phase.ends_on < phase.starts_on:
            raise _phases_error(
                f"{phase.phase.value} 结束早于开始",
                f"{phase.phase.value} ends before it starts",
            )
    for before, after in itertools.pairwise(phases):
        expected = before.ends_on + timedelta(days=1)
        if after.starts_on < expected:
            raise _phases_error(
                f"{before.phase.value} 与 {after.phase.value} 重叠",
                f"{before.phase.value} and {after.phase.value} overlap",
            )
        if after.starts_on > expected:
            raise _phases_error(
                f"{before.phase.value} 与 {after.phase.value} 之间有空档",
                f"there is a gap between {before.phase.value} and {after.phase.value}",
            )


def _settings_error(zh: str, en: str) -> SettingsInvalid:
    return SettingsInvalid(reason_zh=zh, reason_en=en)


def _merge(base: dict[str, Any], overrides: dict[str, Any], path: str) -> None:
    for key, value in overrides.items():
        if key not in base:
            raise _settings_error(
                f"未知设置项 {path}{key}", f"unknown setting {path}{key}"
            )
        if isinstance(base[key], dict) and key not in FREE_MAPS:
            if not isinstance(value, dict):
                raise _settings_error(
                    f"{path}{key} 应为对象", f"{path}{key} must be an object"
                )
            _merge(base[key], value, f"{path}{key}.")
        else:
            base[key] = value


def _positive_int(value: Any, name: str, low: int = 1, high: int = 365) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not low <= value <= high
    ):
        raise _settings_error(
            f"{name} 须为 {low}–{high} 之间的整数",
            f"{name} must be a whole number from {low} to {high}",
        )


def resolve_settings(
    overrides: dict[str, Any] | None, base: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Defaults (or `base`) with `overrides` laid over them, checked whole."""
    settings = copy.deepcopy(base if base is not None else DEFAULT_SETTINGS)
    _merge(settings, overrides or {}, "")
    weights = settings["assessment_weights"]
    if set(weights) != set(ASSESSMENT_INPUTS) or not all(
        isinstance(w, int | float) and not isinstance(w, bool) and w >= 0
        for w in weights.values()
    ):
        raise _settings_error(
            "考核权重须为 " + "、".join(ASSESSMENT_INPUTS) + " 的非负数",
            "assessment weights must be non-negative numbers for "
            + ", ".join(ASSESSMENT_INPUTS),
        )
    if abs(sum(weights.values()) - 1.0) > 1e-6:
        raise _settings_error(
            "考核权重之和须为 1", "assessment weights must add up to 1"
        )
    for name, value in settings["complaints"].items():
        _positive_int(value, f"complaints.{name}", 1, 60)
    _positive_int(
        settings["ledger"]["default_deadline_days"], "ledger.default_deadline_days"
    )
    escalation = settings["ledger"]["escalation_days"]
    if not isinstance(escalation, list) or escalation != sorted(set(escalation)):
        raise _settings_error(
            "ledger.escalation_days 须为递增的天数列表",
            "ledger.escalation_days must be increasing day counts",
        )
    for days in escalation:
        _positive_int(days, "ledger.escalation_days")
    evaluation = settings["evaluation"]
    threshold = evaluation["threshold"]
    if (
        isinstance(threshold, bool)
        or not isinstance(threshold, int | float)
        or not (0 < threshold < 1)
    ):
        raise _settings_error(
            "evaluation.threshold 须在 0 与 1 之间",
            "evaluation.threshold must lie between 0 and 1",
        )
    _positive_int(evaluation["min_ballots"], "evaluation.min_ballots", 1, 1000)
    _positive_int(
        evaluation["talk_working_days"], "evaluation.talk_working_days", 1, 60
    )
    # the electorate of an evaluation: external evaluators by constituency, and
    # the unit's own staff and grassroots representatives
    constituencies = {c.value for c in Constituency} | {"staff", "grassroots"}
    weights_by = evaluation["constituency_weights"]
    if not isinstance(weights_by, dict) or not all(
        name in constituencies
        and isinstance(w, int | float)
        and not isinstance(w, bool)
        and 0 <= w <= 100
        for name, w in weights_by.items()
    ):
        raise _settings_error(
            "evaluation.constituency_weights 须为 界别 → 0–100 的权重，界别取 "
            + "、".join(sorted(constituencies)),
            "evaluation.constituency_weights must map constituencies ("
            + ", ".join(sorted(constituencies))
            + ") to weights from 0 to 100",
        )
    for kind, quota in settings["publicity"]["quotas"].items():
        if set(quota) != {"articles", "period"} or quota["period"] not in PERIODS:
            raise _settings_error(
                f"publicity.quotas.{kind} 须含 articles 与 period"
                "（week / half_month / month）",
                f"publicity.quotas.{kind} needs articles and a period "
                "(week, half_month or month)",
            )
        _positive_int(quota["articles"], f"publicity.quotas.{kind}.articles", 1, 100)
    for name in ("pass_mark", "criticism_below_mean"):
        _positive_int(settings["tests"][name], f"tests.{name}", 0, 100)
    return settings


def campaign_id_for(bureau_id: str, year: int) -> str:
    return f"{bureau_id}.{year}"


class Campaign(Aggregate):
    """The year's campaign of one bureau (作风建设整改年)."""

    category = "campaign"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.launched = False
        self.bureau_id = ""
        self.year = 0
        self.name = ""
        self.phases: list[PhaseDates] = []
        self.settings: dict[str, Any] = {}

    def launch(
        self,
        bureau_id: str,
        year: int,
        name: str,
        phases: list[PhaseDates] | None,
        settings: dict[str, Any] | None,
    ) -> None:
        if self.launched:
            raise AlreadyExists(kind="campaign", id=self.id)
        chosen = phases or default_phases(year)
        check_phases(year, chosen)
        resolved = resolve_settings(settings)
        self._raise(
            CampaignLaunched(
                bureau_id, year, name, tuple(p.to_dict() for p in chosen), resolved
            )
        )

    def reschedule(self, phases: list[PhaseDates]) -> None:
        self.require()
        check_phases(self.year, phases)
        if phases != self.phases:
            self._raise(CampaignRescheduled(tuple(p.to_dict() for p in phases)))

    def change_settings(self, overrides: dict[str, Any]) -> None:
        self.require()
        resolved = resolve_settings(overrides, self.settings)
        if resolved != self.settings:
            self._raise(CampaignSettingsChanged(resolved))

    def phase_on(self, day: date) -> Phase | None:
        """The phase a day falls in; None before the first or after the last."""
        for phase in self.phases:
            if phase.starts_on <= day <= phase.ends_on:
                return phase.phase
        return None

    def require(self) -> None:
        if not self.launched:
            raise NotFound(kind="campaign", id=self.id)

    def apply(self, event: DomainEvent) -> None:
        match event:
            case CampaignLaunched():
                self.launched = True
                self.bureau_id, self.year, self.name = (
                    event.bureau_id,
                    event.year,
                    event.name,
                )
                self.phases = [PhaseDates.from_dict(p) for p in event.phases]
                self.settings = dict(event.settings)
            case CampaignRescheduled(phases=phases):
                self.phases = [PhaseDates.from_dict(p) for p in phases]
            case CampaignSettingsChanged(settings=settings):
                self.settings = dict(settings)
