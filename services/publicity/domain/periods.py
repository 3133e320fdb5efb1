"""Quota periods: weeks (Monday–Sunday), half-months (1st–15th, 16th–end), months,
in the bureau's time zone; which of them a unit answers for, by its kind.

Rules (README, "Quotas"):
- a submission counts in the period in which it was received (its `at`, in the
  bureau's zone); a resubmission of a returned article does not count again;
- a period belongs to the campaign of the year in which it starts (a week from
  Monday 28 December to Sunday 3 January is the old year's last week);
- the kind in force at the period's first instant decides whether a unit answers
  for it: a unit that becomes an office on a Wednesday still answers for that week
  as an affiliated unit, and for half-months from the next that starts after;
- a unit answers only for periods starting once publicity knew it (its first
  profile: the organization's UnitRegistered, or the first observation), so a
  unit registered on a Wednesday owes nothing for that week and deploying
  publicity mid-campaign does not decide the past as missed.
"""

from __future__ import annotations

import calendar
import enum
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from services.publicity.domain.model import UnitKind

DEFAULT_ZONE = "Asia/Shanghai"


class PeriodType(enum.StrEnum):
    WEEK = "week"
    HALF_MONTH = "half_month"
    MONTH = "month"


@dataclass(frozen=True, order=True)
class Period:
    """One quota period: `start` and `end` are both inclusive days."""

    start: date
    end: date
    type: PeriodType

    @property
    def key(self) -> str:
        return f"{self.type.value}.{self.start.isoformat()}"

    def starts_at(self, zone: ZoneInfo) -> datetime:
        return datetime.combine(self.start, time(0), zone)

    def ends_at(self, zone: ZoneInfo) -> datetime:
        """The first instant after the period (exclusive end)."""
        return datetime.combine(self.end + timedelta(days=1), time(0), zone)

    def contains(self, instant: datetime, zone: ZoneInfo) -> bool:
        return self.start <= instant.astimezone(zone).date() <= self.end

    def next(self) -> Period:
        return period_of(self.type, self.end + timedelta(days=1))


def period_of(kind: PeriodType, day: date) -> Period:
    """The period of this type a day falls in."""
    if kind is PeriodType.WEEK:
        start = day - timedelta(days=day.weekday())
        return Period(start, start + timedelta(days=6), kind)
    last = calendar.monthrange(day.year, day.month)[1]
    if kind is PeriodType.MONTH:
        return Period(day.replace(day=1), day.replace(day=last), kind)
    if day.day <= 15:
        return Period(day.replace(day=1), day.replace(day=15), kind)
    return Period(day.replace(day=16), day.replace(day=last), kind)


def periods_starting(kind: PeriodType, first: date, last: date) -> Iterator[Period]:
    """Every period of this type whose first day lies in [first, last]."""
    period = period_of(kind, first)
    if period.start < first:
        period = period.next()
    while period.start <= last:
        yield period
        period = period.next()


@dataclass(frozen=True)
class Quota:
    """At least `articles` submissions per period of `period` type."""

    articles: int
    period: PeriodType


DEFAULT_QUOTAS: dict[str, Quota] = {
    UnitKind.AFFILIATED_UNIT.value: Quota(1, PeriodType.WEEK),
    UnitKind.OFFICE.value: Quota(1, PeriodType.HALF_MONTH),
    UnitKind.STATION.value: Quota(1, PeriodType.HALF_MONTH),
}


def quotas_from(settings: Mapping[str, Any] | None) -> dict[str, Quota]:
    """The campaign's `publicity.quotas` by unit kind (defaults where unset)."""
    raw = ((settings or {}).get("publicity") or {}).get("quotas") or {}
    quotas = dict(DEFAULT_QUOTAS)
    for kind, quota in raw.items():
        try:
            quotas[str(kind)] = Quota(
                int(quota["articles"]), PeriodType(quota["period"])
            )
        except (KeyError, TypeError, ValueError):
            continue  # organization checks settings; keep the default on nonsense
    return quotas


def zone_from(settings: Mapping[str, Any] | None) -> ZoneInfo:
    """The bureau's time zone from its campaign settings (Asia/Shanghai)."""
    name = (settings or {}).get("timezone") or DEFAULT_ZONE
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def local_year(moment: datetime, settings: Mapping[str, Any] | None = None) -> int:
    """The calendar year of `moment` in the bureau's time zone (zone_from)."""
    return moment.astimezone(zone_from(settings)).year


@dataclass(frozen=True)
class Profile:
    """What publicity saw of a unit at one instant: its kind and info officer."""

    kind: str
    info_officer_id: str | None
    observed_at: datetime


def profile_at(history: Sequence[Profile], instant: datetime) -> Profile | None:
    """The profile in force at `instant`: the last observed by then; None before
    publicity first saw the unit."""
    found: Profile | None = None
    for profile in sorted(history, key=lambda p: p.observed_at):
        if profile.observed_at <= instant:
            found = profile
    return found


@dataclass(frozen=True)
class DuePeriod:
    """A period a unit answers for, with the quota and the profiles deciding it."""

    period: Period
    quota: Quota
    kind: str  # the kind in force at the period's start
    info_officer_id: str | None  # the info officer in force at the period's end


def due_periods(
    history: Sequence[Profile],
    quotas: Mapping[str, Quota],
    zone: ZoneInfo,
    campaign_start: date,
    campaign_end: date,
    now: datetime,
) -> list[DuePeriod]:
    """The ended periods starting within the campaign that the unit answers for."""
    due: list[DuePeriod] = []
    for kind in sorted({q.period for q in quotas.values()}):
        for period in periods_starting(kind, campaign_start, campaign_end):
            if period.ends_at(zone) > now:
                break
            at_start = profile_at(history, period.starts_at(zone))
            if at_start is None:
                continue
            quota = quotas.get(at_start.kind)
            if quota is None or quota.period is not kind:
                continue
            at_end = profile_at(
                history, period.ends_at(zone) - timedelta(microseconds=1)
            )
            officer = at_end.info_officer_id if at_end else None
            due.append(DuePeriod(period, quota, at_start.kind, officer))
    return sorted(due, key=lambda d: (d.period.start, d.period.type.value))
