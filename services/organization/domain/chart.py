"""OrgChart: every bureau, unit and person of some bureaus, folded from their events.

It holds the aggregates themselves (with their versions), so an import can run domain
commands on them and save with the right expected versions without reading each
stream again.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

from eventing.aggregate import Aggregate, DomainEvent
from services.organization.domain.bureau import Bureau
from services.organization.domain.person import Person
from services.organization.domain.unit import Unit

A = TypeVar("A", bound=Aggregate)

FOLDED_CATEGORIES = (Bureau.category, Unit.category, Person.category)


class OrgChart:
    """Bureaus, units and people by id; fed events in store order."""

    def __init__(self) -> None:
        self.bureaus: dict[str, Bureau] = {}
        self.units: dict[str, Unit] = {}
        self.people: dict[str, Person] = {}

    def add(self, stream: str, version: int, event: DomainEvent) -> None:
        category, _, id = stream.partition("-")
        aggregate: Aggregate
        if category == Bureau.category:
            aggregate = self.bureau(id)
        elif category == Unit.category:
            aggregate = self.unit(id)
        elif category == Person.category:
            aggregate = self.person(id)
        else:
            return
        aggregate.apply(event)
        aggregate.version = version

    def bureau(self, id: str) -> Bureau:
        return self.bureaus.setdefault(id, Bureau(id))

    def unit(self, id: str) -> Unit:
        return self.units.setdefault(id, Unit(id))

    def person(self, id: str) -> Person:
        return self.people.setdefault(id, Person(id))

    def aggregates(self) -> Iterator[Aggregate]:
        yield from self.bureaus.values()
        yield from self.units.values()
        yield from self.people.values()

    def units_of(self, bureau_id: str) -> list[Unit]:
        return sorted(
            (
                u
                for u in self.units.values()
                if u.registered and u.bureau_id == bureau_id
            ),
            key=lambda u: u.code,
        )

    def people_of(self, bureau_id: str) -> list[Person]:
        return sorted(
            (
                p
                for p in self.people.values()
                if p.registered and p.bureau_id == bureau_id
            ),
            key=lambda p: p.employee_no,
        )
