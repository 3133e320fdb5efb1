"""Hotline indicators per unit and bureau, as a pure fold over complaint events.

Feed it every complaint event (with its complaint id) in stream order; a period picks
the cases received in it and sees them as they stood at its end, so any period can be
replayed. Each rate keeps its numerator and denominator.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from zoneinfo import ZoneInfo

from eventing.aggregate import DomainEvent
from services.common.ratio import Ratio
from services.complaints.domain.events import (
    ComplaintAccepted,
    ComplaintClosed,
    ComplaintConcluded,
    ComplaintReceived,
    ComplaintRejected,
    ComplaintReopened,
    ComplaintTransferred,
    DeadlineExtended,
    DeadlinesRecomputed,
    ReporterReplied,
    SatisfactionRecorded,
)
from services.complaints.domain.model import SUBSTANTIATED, Outcome, Satisfaction, Stage

SATISFIED = frozenset({Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED})


@dataclass(frozen=True)
class Indicators:
    """响应率 (accepted in time), 按期办结率, 属实率, 满意率, 重办率, 解决率."""

    response: Ratio = field(default_factory=Ratio)
    on_time_conclusion: Ratio = field(default_factory=Ratio)
    substantiation: Ratio = field(default_factory=Ratio)
    satisfaction: Ratio = field(default_factory=Ratio)
    reopen: Ratio = field(default_factory=Ratio)
    resolution: Ratio = field(default_factory=Ratio)

    def __add__(self, other: Indicators) -> Indicators:
        return Indicators(
            self.response + other.response,
            self.on_time_conclusion + other.on_time_conclusion,
            self.substantiation + other.substantiation,
            self.satisfaction + other.satisfaction,
            self.reopen + other.reopen,
            self.resolution + other.resolution,
        )


@dataclass
class _Case:
    bureau_id: str
    unit_id: str | None
    received_on: date
    acceptance_due: date
    investigation_due: date
    responded_in_time: bool | None = None
    rejected: bool = False
    concluded_on_time: bool | None = None  # the first conclusion's
    outcome: Outcome | None = None
    replied: bool = False
    satisfaction: Satisfaction | None = None
    reopened: bool = False
    closed_resolved: bool | None = None  # None while not closed

    def indicators(self, end: date) -> Indicators:
        def one(hit: bool) -> Ratio:
            return Ratio(int(hit), 1)

        response = (
            one(self.responded_in_time)
            if self.responded_in_time is not None
            else one(False)
            if self.acceptance_due < end
            else Ratio()
        )
        on_time = (
            one(self.concluded_on_time)
            if self.concluded_on_time is not None
            else one(False)
            if self.investigation_due < end and not self.rejected
            else Ratio()
        )
        return Indicators(
            response=response,
            on_time_conclusion=on_time,
            substantiation=(
                one(self.outcome in SUBSTANTIATED) if self.outcome else Ratio()
            ),
            satisfaction=(
                one(self.satisfaction in SATISFIED) if self.satisfaction else Ratio()
            ),
            reopen=one(self.reopened) if self.replied else Ratio(),
            resolution=(
                one(self.closed_resolved)
                if self.closed_resolved is not None
                else Ratio()
            ),
        )


@dataclass(frozen=True)
class Report:
    """Indicators for one period, per unit (None: the bureau itself) and per bureau."""

    start: date
    end: date
    by_unit: dict[tuple[str, str | None], Indicators] = field(default_factory=dict)
    by_bureau: dict[str, Indicators] = field(default_factory=dict)


def _fold(case: _Case, event: DomainEvent, day: date) -> None:
    match event:
        case ComplaintAccepted() | ComplaintRejected():
            if case.responded_in_time is None:
                case.responded_in_time = day <= case.acceptance_due
            case.rejected = isinstance(event, ComplaintRejected)
        case ComplaintConcluded(outcome=outcome, on_time=on_time):
            if case.concluded_on_time is None:
                case.concluded_on_time = on_time
            case.outcome = outcome
        case ReporterReplied():
            case.replied = True
        case SatisfactionRecorded(satisfaction=satisfaction):
            case.satisfaction = satisfaction
        case ComplaintReopened(investigation_due=due):
            case.reopened = True
            case.closed_resolved = None
            case.investigation_due = due
        case ComplaintClosed(resolved=resolved):
            case.closed_resolved = resolved
        case ComplaintTransferred(to_unit_id=to_unit_id):
            case.unit_id = to_unit_id
        case DeadlineExtended(stage=Stage.ACCEPTANCE, new_due=due):
            case.acceptance_due = due
        case DeadlineExtended(stage=Stage.INVESTIGATION, new_due=due):
            case.investigation_due = due
        case DeadlinesRecomputed():
            case.acceptance_due = event.acceptance_due
            case.investigation_due = event.investigation_due


def indicators(
    events: Iterable[tuple[str, DomainEvent]],
    start: date,
    end: date,
    tz: tzinfo | None = None,
) -> Report:
    """Cases received in [start, end], folded from their events up to `end`."""
    zone = tz or ZoneInfo("Asia/Shanghai")
    cases: dict[str, _Case] = {}
    for complaint_id, event in events:
        at: datetime | None = getattr(event, "at", None)
        day = at.astimezone(zone).date() if at is not None else end
        if day > end:
            continue
        if isinstance(event, ComplaintReceived):
            if start <= day:
                cases[complaint_id] = _Case(
                    event.bureau_id,
                    event.unit_id,
                    day,
                    event.acceptance_due,
                    event.investigation_due,
                )
        elif complaint_id in cases:
            _fold(cases[complaint_id], event, day)
    report = Report(start, end)
    for case in cases.values():
        figures = case.indicators(end)
        unit_key = (case.bureau_id, case.unit_id)
        report.by_unit[unit_key] = report.by_unit.get(unit_key, Indicators()) + figures
        report.by_bureau[case.bureau_id] = (
            report.by_bureau.get(case.bureau_id, Indicators()) + figures
        )
    return report
