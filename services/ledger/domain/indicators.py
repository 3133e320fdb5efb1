"""Ledger indicators per unit, person and bureau, as a pure fold over events.

Feed it every ledger item and self-analysis event with its aggregate id, in stream
order; events after the period's end are ignored, so any period can be replayed as it
stood at its end.

- found (by channel and by category): items first found in the period;
- closed, closed on time, days to close: verifications (销号) in the period, days
  counted from the finding of that round (a reopening starts a new round);
- overdue now: items not closed at the period's end, past their deadline;
- reopen rate: of the items found in the period and closed by its end, the share
  found again by a later inspection;
- materials rejected: self-analysis materials rejected as evasive in the period, out
  of those reviewed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from zoneinfo import ZoneInfo

from eventing.aggregate import DomainEvent
from services.common.ratio import Ratio
from services.ledger.domain.events import (
    DeadlineSet,
    ItemOpened,
    ItemReopened,
    ItemVerified,
    SelfAnalysisAccepted,
    SelfAnalysisRejected,
)
from services.ledger.domain.model import Category, Source


@dataclass(frozen=True)
class Indicators:
    """The ledger's figures for one scope and period."""

    found_by_source: Mapping[Source, int] = field(default_factory=dict)
    found_by_category: Mapping[Category, int] = field(default_factory=dict)
    closed: int = 0
    closed_on_time: int = 0
    days_to_close: int = 0  # summed over the closures, for the average
    overdue_now: int = 0
    reopen: Ratio = field(default_factory=Ratio)
    # rejected as evasive / reviewed
    materials_rejected: Ratio = field(default_factory=Ratio)

    @property
    def found(self) -> int:
        return sum(self.found_by_source.values())

    @property
    def average_days_to_close(self) -> float | None:
        return self.days_to_close / self.closed if self.closed else None

    def __add__(self, other: Indicators) -> Indicators:
        return Indicators(
            dict(Counter(self.found_by_source) + Counter(other.found_by_source)),
            dict(Counter(self.found_by_category) + Counter(other.found_by_category)),
            self.closed + other.closed,
            self.closed_on_time + other.closed_on_time,
            self.days_to_close + other.days_to_close,
            self.overdue_now + other.overdue_now,
            self.reopen + other.reopen,
            self.materials_rejected + other.materials_rejected,
        )


@dataclass
class _Item:
    bureau_id: str
    unit_id: str | None
    person_id: str | None
    source: Source
    category: Category
    first_found_on: date
    found_on: date
    deadline: date | None = None
    closed: bool = False
    ever_closed: bool = False
    reopened: bool = False
    closures: list[tuple[date, bool, int]] = field(default_factory=list)

    def indicators(self, start: date, end: date) -> Indicators:
        found = start <= self.first_found_on <= end
        in_period = [c for c in self.closures if start <= c[0] <= end]
        overdue = not self.closed and self.deadline is not None and self.deadline < end
        return Indicators(
            {self.source: 1} if found else {},
            {self.category: 1} if found else {},
            len(in_period),
            sum(1 for c in in_period if c[1]),
            sum(c[2] for c in in_period),
            int(overdue),
            (Ratio(int(self.reopened), 1) if found and self.ever_closed else Ratio()),
        )


@dataclass
class _Material:
    bureau_id: str
    unit_id: str
    person_id: str
    reviewed: int = 0
    rejected: int = 0

    def indicators(self) -> Indicators:
        return Indicators(materials_rejected=Ratio(self.rejected, self.reviewed))


@dataclass(frozen=True)
class Report:
    """Indicators for one period per bureau, per unit (None: the bureau's own
    organs) and per person (individual items and self-analysis materials)."""

    start: date
    end: date
    by_bureau: dict[str, Indicators] = field(default_factory=dict)
    by_unit: dict[tuple[str, str | None], Indicators] = field(default_factory=dict)
    by_person: dict[tuple[str, str], Indicators] = field(default_factory=dict)

    def _add(
        self,
        bureau_id: str,
        unit_id: str | None,
        person_id: str | None,
        figures: Indicators,
    ) -> None:
        self.by_bureau[bureau_id] = self.by_bureau.get(bureau_id, Indicators()) + (
            figures
        )
        unit = (bureau_id, unit_id)
        self.by_unit[unit] = self.by_unit.get(unit, Indicators()) + figures
        if person_id is not None:
            person = (bureau_id, person_id)
            self.by_person[person] = self.by_person.get(person, Indicators()) + figures


def _fold_item(item: _Item, event: DomainEvent) -> None:
    match event:
        case DeadlineSet(deadline=deadline):
            item.deadline = deadline
        case ItemVerified(verified_on=on, on_time=on_time):
            item.closed = item.ever_closed = True
            item.closures.append((on, on_time, (on - item.found_on).days))
        case ItemReopened(found_on=found_on, deadline=deadline):
            item.closed = False
            item.reopened = True
            item.found_on = found_on
            item.deadline = deadline


def indicators(
    events: Iterable[tuple[str, DomainEvent]],
    start: date,
    end: date,
    tz: tzinfo | None = None,
) -> Report:
    """The ledger's figures for [start, end], folded from events up to `end`."""
    zone = tz or ZoneInfo("Asia/Shanghai")
    items: dict[str, _Item] = {}
    materials: dict[str, _Material] = {}
    for aggregate_id, event in events:
        at: datetime | None = getattr(event, "at", None)
        day = at.astimezone(zone).date() if at is not None else end
        if day > end:
            continue
        match event:
            case ItemOpened():
                items[aggregate_id] = _Item(
                    event.bureau_id,
                    event.unit_id,
                    event.person_id,
                    event.source,
                    event.category,
                    event.found_on,
                    event.found_on,
                )
            case SelfAnalysisAccepted() | SelfAnalysisRejected():
                if day < start:
                    continue
                material = materials.setdefault(
                    aggregate_id,
                    _Material(event.bureau_id, event.unit_id, event.person_id),
                )
                material.reviewed += 1
                material.rejected += isinstance(event, SelfAnalysisRejected)
            case _ if aggregate_id in items:
                _fold_item(items[aggregate_id], event)
    report = Report(start, end)
    for item in items.values():
        report._add(
            item.bureau_id, item.unit_id, item.person_id, item.indicators(start, end)
        )
    for m in materials.values():
        report._add(m.bureau_id, m.unit_id, m.person_id, m.indicators())
    return report
