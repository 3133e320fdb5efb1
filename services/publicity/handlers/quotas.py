"""Quotas: what publicity sees of each unit, the period decisions (QuotaMet /
QuotaMissed) and the indicators."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from eventing.aggregate import CommandContext, DomainEvent
from services.publicity.domain import (
    Article,
    DuePeriod,
    QuotaPeriod,
    UnitProfile,
    counted,
    due_periods,
    indicators,
    local_year,
    quota_period_id,
    quotas_from,
    registry,
    zone_from,
)
from services.publicity.domain.events import ArticleSubmitted, UnitProfileObserved
from services.publicity.handlers.articles import ArticleHandlers
from services.publicity.handlers.base import Answer
from services.publicity.handlers.orgchart import UnitFacts

SCHEDULER = "service:publicity-scheduler"


class QuotaHandlers(ArticleHandlers):
    """Quota decisions and indicators."""

    def observe_unit(
        self,
        bureau_id: str,
        unit_id: str,
        at: datetime,
        ctx: CommandContext,
        facts: UnitFacts | None = None,
    ) -> bool:
        """Record the unit's kind and info officer as the org chart has them now
        (or as `facts`, just asked of it), as known at `at`."""
        unit = facts or self.org.unit(bureau_id, unit_id)
        if unit is None:
            return False
        observed: bool = self._execute(
            self.profiles,
            unit_id,
            lambda p: p.observe(bureau_id, unit.kind, unit.info_officer_id, at),
            ctx,
        )
        return observed

    def observe_units(self, ctx: CommandContext, since: date | None = None) -> Answer:
        """Record every unit of the caller's bureau as the org chart has it, as
        known from the start of `since` in the bureau's zone (deploying publicity
        mid-campaign: the units answer for periods starting from then) or from now.
        By the office only: an earlier date makes earlier periods due."""
        self._office_only(ctx, "登记单位", "record units")
        bureau, at = self._bureau_of(ctx), self.clock()
        if since is not None:
            zone = zone_from(self.settings(bureau, since.year))
            at = datetime.combine(since, time(0), zone)
        units = self.org.units(bureau)
        recorded = sum(self.observe_unit(bureau, u.unit_id, at, ctx, u) for u in units)
        return {"bureau_id": bureau, "units": len(units), "recorded": recorded}

    def known_bureaus(self) -> list[str]:
        """Bureaus publicity has seen a unit or an article of."""
        found = {
            e.bureau_id
            for e in self._events([UnitProfile.category, Article.category])
            if e.bureau_id and e.version == 1
        }
        return sorted(found)

    def decide_quotas(
        self, bureau_id: str, now: datetime | None = None, grace: float = 0.0
    ) -> Answer:
        """Observe every unit, then decide every ended period not yet decided.

        A period is decided once its end plus `grace` seconds has passed (so a
        submission committing at the last moment is visible). Each decision is one
        event on the stream `quota_period-<unit>.<type>.<start>`: a second run, or
        a second instance, finds it decided and writes nothing."""
        now = now or self.clock()
        ctx = CommandContext(bureau_id=bureau_id, actor=SCHEDULER)
        units = self.org.units(bureau_id)
        for unit in units:
            self.observe_unit(bureau_id, unit.unit_id, now, ctx, unit)
        submissions = [
            (
                str(e.data["unit_id"]),
                str(e.data["article_id"]),
                datetime.fromisoformat(str(e.data["at"])),
            )
            for e in self._events([Article.category], bureau_id)
            if e.type == ArticleSubmitted.__name__
        ]
        decided = {
            e.stream.split("-", 1)[1]
            for e in self._events([QuotaPeriod.category], bureau_id)
        }
        cutoff = now - timedelta(seconds=grace)
        year = local_year(now)
        met = missed = 0
        for campaign in filter(
            None, (self.org.campaign(bureau_id, y) for y in (year - 1, year))
        ):
            zone, quotas = zone_from(campaign.settings), quotas_from(campaign.settings)
            for unit in units:
                history = self.profiles.load(unit.unit_id).history
                for due in due_periods(
                    history, quotas, zone, campaign.starts_on, campaign.ends_on, cutoff
                ):
                    period_id = quota_period_id(unit.unit_id, due.period)
                    if period_id in decided:
                        continue
                    articles = counted(submissions, unit.unit_id, due.period, zone)
                    decide = self._decision(bureau_id, unit.unit_id, due, articles, now)
                    if not self._execute(self.periods, period_id, decide, ctx):
                        continue  # another run decided it first
                    if len(articles) >= due.quota.articles:
                        met += 1
                    else:
                        missed += 1
        return {
            "bureau_id": bureau_id,
            "units": len(units),
            "met": met,
            "missed": missed,
        }

    @staticmethod
    def _decision(
        bureau_id: str,
        unit_id: str,
        due: DuePeriod,
        articles: tuple[str, ...],
        now: datetime,
    ) -> Callable[[QuotaPeriod], bool]:
        return lambda q: q.decide(bureau_id, unit_id, due, articles, now)

    def decide_all(self, grace: float = 0.0) -> Answer:
        """The timer's run over every bureau publicity knows."""
        runs = [self.decide_quotas(b, grace=grace) for b in self.known_bureaus()]
        return {"bureaus": runs}

    def quota_periods(self, unit_id: str, ctx: CommandContext) -> Answer:
        """A unit's decided periods, oldest first."""
        bureau = self._bureau_of(ctx)
        found = [
            {"verdict": "met" if e.type == "QuotaMet" else "missed", **e.data}
            for e in self._events([QuotaPeriod.category], bureau)
            if e.data.get("unit_id") == unit_id
        ]
        found.sort(key=lambda d: (str(d["starts_on"]), str(d["period_type"])))
        return {"unit_id": unit_id, "periods": found}

    def indicators(
        self,
        start: date,
        end: date,
        ctx: CommandContext,
        unit_id: str | None = None,
        as_of: datetime | None = None,
    ) -> Answer:
        """Figures per unit and for the bureau; `as_of` replays only the events
        recorded by then (what was known at that moment)."""
        bureau = self._bureau_of(ctx)
        zone = zone_from(self.settings(bureau, start.year))
        known: set[str] = set() if unit_id is None else {unit_id}
        events: list[DomainEvent] = []
        for e in self._events(
            [UnitProfile.category, Article.category, QuotaPeriod.category], bureau
        ):
            if as_of is not None and e.recorded_at > as_of:
                continue
            if e.type == UnitProfileObserved.__name__:
                known.add(e.stream.split("-", 1)[1])
            else:
                events.append(registry.decode(e))
        report = indicators(events, start, end, zone)
        for unit in known:
            report.units[unit]  # a known unit without figures shows zeros
        units = {
            u: figures.to_dict()
            for u, figures in sorted(report.units.items())
            if unit_id is None or u == unit_id
        }
        return {
            "bureau_id": bureau,
            "from": start.isoformat(),
            "to": end.isoformat(),
            "as_of": as_of.isoformat() if as_of else None,
            "units": units,
            "bureau": report.bureau.to_dict(),
        }

    def settings(self, bureau_id: str, year: int) -> dict[str, object] | None:
        campaign = self.org.campaign(bureau_id, year)
        return campaign.settings if campaign else None
