"""The official work schedules that operators load (the State Council's notices).

One national stream, `complaintcalendar-cn`: loading a year's schedule is an event, so
every process's calendar can be rebuilt from it, and loading the same one again
records nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from eventing.aggregate import Aggregate, DomainEvent, DomainEventRegistry
from services.complaints.domain.deadlines import YearSchedule

calendar_registry = DomainEventRegistry()


@calendar_registry.event
@dataclass(frozen=True)
class WorkScheduleLoaded(DomainEvent):
    year: int
    holidays: tuple[date, ...]
    workdays: tuple[date, ...]
    actor: str
    at: datetime
    reason: str = ""


class WorkSchedules(Aggregate):
    """The official schedules loaded by operators (stream `complaintcalendar-cn`)."""

    category = "complaintcalendar"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.years: dict[int, YearSchedule] = {}

    def load(self, schedule: YearSchedule, actor: str, at: datetime) -> bool:
        """Record a year's schedule; False when exactly that one is loaded already."""
        if self.years.get(schedule.year) == schedule:
            return False
        self._raise(
            WorkScheduleLoaded(
                schedule.year,
                tuple(sorted(schedule.holidays)),
                tuple(sorted(schedule.workdays)),
                actor,
                at,
            )
        )
        return True

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, WorkScheduleLoaded):
            self.years[event.year] = YearSchedule(
                event.year, frozenset(event.holidays), frozenset(event.workdays)
            )
