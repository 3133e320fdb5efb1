"""Indicators per unit and bureau for any span of days:

- submitted: articles first submitted (received) in the span — resubmissions of a
  returned article do not count again;
- accepted: of those, the ones accepted by the time the events were read;
- published: articles published in the span (first publication, any channel);
- acceptance_rate: accepted / submitted (None when nothing was submitted);
- quota_compliance_rate: QuotaMet / decided periods ending in the span;
- missed_periods: QuotaMissed of periods ending in the span.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from eventing.aggregate import DomainEvent
from services.common.ratio import Ratio
from services.publicity.domain.events import (
    ArticleAccepted,
    ArticlePublished,
    ArticleSubmitted,
    QuotaMet,
    QuotaMissed,
)


@dataclass
class Indicators:
    submitted: int = 0
    accepted: int = 0
    published: int = 0
    met_periods: int = 0
    missed_periods: int = 0

    @property
    def acceptance(self) -> Ratio:
        return Ratio(self.accepted, self.submitted)

    @property
    def compliance(self) -> Ratio:
        return Ratio(self.met_periods, self.met_periods + self.missed_periods)

    def to_dict(self) -> dict[str, object]:
        return {
            "submitted": self.submitted,
            "accepted": self.accepted,
            "published": self.published,
            "acceptance_rate": rate_text(self.acceptance),
            "quota_compliance_rate": rate_text(self.compliance),
            "missed_periods": self.missed_periods,
        }


def rate_text(ratio: Ratio) -> str | None:
    """ "0.75": a decimal string (4 places at most), None with nothing to divide."""
    if not ratio.denominator:
        return None
    value = (Decimal(ratio.numerator) / Decimal(ratio.denominator)).quantize(
        Decimal("0.0001"), rounding=ROUND_HALF_UP
    )
    text = format(value.normalize(), "f")
    return text


@dataclass
class Report:
    units: dict[str, Indicators] = field(
        default_factory=lambda: defaultdict(Indicators)
    )
    bureau: Indicators = field(default_factory=Indicators)


def indicators(
    events: Iterable[DomainEvent], start: date, end: date, zone: ZoneInfo
) -> Report:
    """Fold the bureau's article and quota events into the span's figures."""
    report = Report()
    in_span: dict[str, str] = {}  # article id -> unit, submitted in the span
    accepted: set[str] = set()
    published: set[str] = set()

    def within(day: date) -> bool:
        return start <= day <= end

    for event in events:
        match event:
            case ArticleSubmitted() if within(event.at.astimezone(zone).date()):
                in_span[event.article_id] = event.unit_id
                report.units[event.unit_id].submitted += 1
                report.bureau.submitted += 1
            case ArticleAccepted() if event.article_id in in_span:
                if event.article_id not in accepted:
                    accepted.add(event.article_id)
                    report.units[event.unit_id].accepted += 1
                    report.bureau.accepted += 1
            case ArticlePublished() if event.article_id not in published:
                published.add(event.article_id)
                if within(event.at.astimezone(zone).date()):
                    report.units[event.unit_id].published += 1
                    report.bureau.published += 1
            case QuotaMet() if within(event.ends_on):
                report.units[event.unit_id].met_periods += 1
                report.bureau.met_periods += 1
            case QuotaMissed() if within(event.ends_on):
                report.units[event.unit_id].missed_periods += 1
                report.bureau.missed_periods += 1
    return report
