"""Working days under the Chinese statutory holiday calendar, pure arithmetic.

The `chinese-calendar` package knows the State Council's schedule for 2004–2026 and
raises for other years. For those years an operator loads the official notice as data
(`YearSchedule`); until then the calendar falls back to Monday–Friday and records that
it did, so a later layer can warn and count it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import chinese_calendar

from services.complaints.domain.errors import ScheduleInvalid
from services.complaints.domain.model import Stage


class WorkCalendar(Protocol):
    """Which days are working days, and whether a year's schedule is known."""

    def is_workday(self, day: date) -> bool: ...

    def knows(self, year: int) -> bool: ...


@dataclass(frozen=True)
class YearSchedule:
    """One year's official schedule: holidays and adjusted working weekend days."""

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]  # 调休上班: Saturdays and Sundays worked

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> YearSchedule:
        """{"year": 2027, "holidays": ["2027-01-01", ...], "workdays": [...]}."""
        try:
            year = int(raw["year"])
            holidays = frozenset(date.fromisoformat(d) for d in raw["holidays"])
            workdays = frozenset(date.fromisoformat(d) for d in raw["workdays"])
        except (KeyError, TypeError, ValueError) as error:
            raise ScheduleInvalid(
                reason_zh=f"格式不正确（{error}）", reason_en=f"malformed ({error})"
            ) from error
        if any(d.year != year for d in holidays | workdays):
            raise ScheduleInvalid(
                reason_zh=f"日期须在 {year} 年内", reason_en=f"dates must lie in {year}"
            )
        if holidays & workdays:
            raise ScheduleInvalid(
                reason_zh="同一天不能既放假又上班",
                reason_en="a day cannot be both a holiday and a working day",
            )
        if any(d.weekday() < 5 for d in workdays):
            raise ScheduleInvalid(
                reason_zh="调休上班日须为周六或周日",
                reason_en="adjusted working days must be Saturdays or Sundays",
            )
        return cls(year, holidays, workdays)


@dataclass
class ChineseWorkCalendar:
    """The `chinese-calendar` data, overridden by loaded schedules, else Mon–Fri."""

    schedules: dict[int, YearSchedule] = field(default_factory=dict)
    fallbacks: Counter[int] = field(default_factory=Counter)

    def load(self, schedule: YearSchedule) -> None:
        self.schedules[schedule.year] = schedule

    def knows(self, year: int) -> bool:
        if year in self.schedules:
            return True
        try:
            chinese_calendar.is_workday(date(year, 1, 1))
        except NotImplementedError:
            return False
        return True

    def is_workday(self, day: date) -> bool:
        schedule = self.schedules.get(day.year)
        if schedule is not None:
            if day in schedule.workdays:
                return True
            return day not in schedule.holidays and day.weekday() < 5
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            self.fallbacks[day.year] += 1  # counted, so it can be warned about
            return day.weekday() < 5


def add_working_days(start: date, n: int, calendar: WorkCalendar) -> date:
    """The n-th working day after `start`; the start day itself never counts."""
    if n < 0:
        raise ValueError("n must not be negative")
    day = start
    while n:
        day += timedelta(days=1)
        if calendar.is_workday(day):
            n -= 1
    return day


def working_days_between(start: date, end: date, calendar: WorkCalendar) -> int:
    """Working days in (start, end]; negative when end lies before start."""
    if end < start:
        return -working_days_between(end, start, calendar)
    return sum(
        calendar.is_workday(start + timedelta(days=i))
        for i in range(1, (end - start).days + 1)
    )


def unknown_years(start: date, end: date, calendar: WorkCalendar) -> tuple[int, ...]:
    """Years between two days whose schedule the calendar only assumes (Mon–Fri)."""
    low, high = sorted((start.year, end.year))
    return tuple(y for y in range(low, high + 1) if not calendar.knows(y))


SETTING_KEYS: Mapping[Stage, str] = {
    Stage.ACCEPTANCE: "acceptance_working_days",
    Stage.INVESTIGATION: "investigation_working_days",
    Stage.REPLY: "reply_working_days",
}


@dataclass(frozen=True)
class Due:
    """A deadline, and the years it was computed for on Mon–Fri assumptions."""

    day: date
    assumed_years: tuple[int, ...] = ()


@dataclass(frozen=True)
class DeadlinePolicy:
    """The campaign's complaint deadlines in working days, on one calendar."""

    calendar: WorkCalendar
    working_days: Mapping[Stage, int] = field(
        default_factory=lambda: {
            Stage.ACCEPTANCE: 1,
            Stage.INVESTIGATION: 15,
            Stage.REPLY: 3,
        }
    )
    due_soon_working_days: int = 2
    criticism_after_working_days: int = 5
    timezone: str = "Asia/Shanghai"

    @classmethod
    def from_settings(
        cls, settings: Mapping[str, Any], calendar: WorkCalendar
    ) -> DeadlinePolicy:
        """From the organization service's campaign settings (`complaints.*`)."""
        complaints: Mapping[str, Any] = settings.get("complaints", {})
        defaults = cls(calendar)
        return cls(
            calendar,
            {
                stage: int(complaints.get(key, defaults.working_days[stage]))
                for stage, key in SETTING_KEYS.items()
            },
            int(
                complaints.get("due_soon_working_days", defaults.due_soon_working_days)
            ),
            int(
                complaints.get(
                    "criticism_after_working_days",
                    defaults.criticism_after_working_days,
                )
            ),
            str(settings.get("timezone", defaults.timezone)),
        )

    def local_date(self, at: datetime) -> date:
        """The day `at` falls on in the campaign's timezone; `at` must be aware."""
        if at.tzinfo is None:
            raise ValueError("a naive datetime has no place on the calendar")
        return at.astimezone(ZoneInfo(self.timezone)).date()

    def due(self, stage: Stage, start: date, extra: int = 0) -> Due:
        """The deadline of a stage whose clock started on `start`."""
        day = add_working_days(start, self.working_days[stage] + extra, self.calendar)
        return Due(day, unknown_years(start, day, self.calendar))
