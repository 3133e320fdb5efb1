"""Quota decisions: one event per unit and period, on a stream named by both, so a
second timer or a rerun decides nothing twice and later history cannot rewrite a
decided period. `UnitProfile` keeps what publicity saw of a unit's kind and info
officer over time, which `periods.due_periods` reads."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from eventing.aggregate import Aggregate, DomainEvent
from services.publicity.domain.events import (
    QuotaMet,
    QuotaMissed,
    UnitProfileObserved,
)
from services.publicity.domain.model import MissReason
from services.publicity.domain.periods import DuePeriod, Period, Profile, profile_at


def quota_period_id(unit_id: str, period: Period) -> str:
    return f"{unit_id}.{period.key}"


def counted(
    submissions: Iterable[tuple[str, str, datetime]],
    unit_id: str,
    period: Period,
    zone: ZoneInfo,
) -> tuple[str, ...]:
    """The unit's articles first submitted in the period: (unit, article, at)
    triples of `ArticleSubmitted` only, so a resubmission never counts again."""
    return tuple(
        sorted(
            {
                article_id
                for unit, article_id, at in submissions
                if unit == unit_id and period.contains(at, zone)
            }
        )
    )


class QuotaPeriod(Aggregate):
    """One unit's quota in one period: decided once."""

    category = "quota_period"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.decision: QuotaMet | QuotaMissed | None = None

    def decide(
        self,
        bureau_id: str,
        unit_id: str,
        due: DuePeriod,
        article_ids: tuple[str, ...],
        at: datetime,
    ) -> bool:
        """QuotaMet or QuotaMissed (with its reason); False if already decided."""
        if self.decision is not None:
            return False
        common = (
            unit_id,
            bureau_id,
            due.kind,
            due.period.type.value,
            due.period.start,
            due.period.end,
            due.quota.articles,
            len(article_ids),
            article_ids,
            due.info_officer_id,
        )
        if len(article_ids) >= due.quota.articles:
            self._raise(QuotaMet(*common, at))
        else:
            reason = (
                MissReason.NO_INFO_OFFICER
                if due.info_officer_id is None and not article_ids
                else MissReason.TOO_FEW_ARTICLES
            )
            self._raise(QuotaMissed(*common, reason.value, at))
        return True

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, QuotaMet | QuotaMissed):
            self.decision = event


class UnitProfile(Aggregate):
    """The kinds and info officers publicity has seen a unit have, with when."""

    category = "publicity_unit"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.history: list[Profile] = []

    def observe(
        self, bureau_id: str, kind: str, info_officer_id: str | None, at: datetime
    ) -> bool:
        """Record the unit as seen at `at`, only if that differs from the profile
        in force then (an earlier `at` than any seen backdates what is known)."""
        current = profile_at(self.history, at)
        if current and (current.kind, current.info_officer_id) == (
            kind,
            info_officer_id,
        ):
            return False
        self._raise(UnitProfileObserved(self.id, bureau_id, kind, info_officer_id, at))
        return True

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, UnitProfileObserved):
            self.history.append(
                Profile(event.kind, event.info_officer_id, event.observed_at)
            )
            self.history.sort(key=lambda p: p.observed_at)
