"""The org chart as the evaluation needs it: a small port over the organization
service (units and their heads, people and their units, the campaign's settings).

`RpcOrgChart` answers from organization's RPCs (`get_unit`, `get_person`,
`get_campaign`); `MemoryOrgChart` is the fake for unit tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from services.common.errors import NotFound
from services.common.organization import OrganizationRpc

ORG_ACTOR = "service:evaluation"


@dataclass(frozen=True)
class UnitFacts:
    unit_id: str
    head_id: str | None


@dataclass(frozen=True)
class PersonFacts:
    person_id: str
    unit_id: str


class OrgChart(Protocol):
    """Questions within one bureau; another bureau's record is answered as None."""

    def unit(self, bureau_id: str, unit_id: str) -> UnitFacts | None: ...

    def person(self, bureau_id: str, person_id: str) -> PersonFacts | None: ...

    def campaign_settings(self, bureau_id: str, year: int) -> dict[str, Any] | None:
        """The bureau's campaign settings of that year; None when it has none."""
        ...


@dataclass
class MemoryOrgChart:
    """An org chart held in memory (unit tests)."""

    units: dict[tuple[str, str], UnitFacts] = field(default_factory=dict)
    people: dict[tuple[str, str], PersonFacts] = field(default_factory=dict)
    settings: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)

    def add_unit(self, bureau_id: str, unit_id: str, head_id: str | None) -> None:
        self.units[bureau_id, unit_id] = UnitFacts(unit_id, head_id)
        if head_id:
            self.add_person(bureau_id, unit_id, head_id)

    def add_person(self, bureau_id: str, unit_id: str, person_id: str) -> None:
        self.people[bureau_id, person_id] = PersonFacts(person_id, unit_id)

    def unit(self, bureau_id: str, unit_id: str) -> UnitFacts | None:
        return self.units.get((bureau_id, unit_id))

    def person(self, bureau_id: str, person_id: str) -> PersonFacts | None:
        return self.people.get((bureau_id, person_id))

    def campaign_settings(self, bureau_id: str, year: int) -> dict[str, Any] | None:
        return self.settings.get((bureau_id, year))


class RpcOrgChart(OrganizationRpc):
    """The port over a Nameko RPC proxy to the organization service."""

    actor = ORG_ACTOR

    def unit(self, bureau_id: str, unit_id: str) -> UnitFacts | None:
        try:
            unit = self.organization.get_unit(
                {"unit_id": unit_id}, self._context(bureau_id)
            )
        except NotFound:
            return None
        return UnitFacts(unit_id, unit.get("head_id"))

    def person(self, bureau_id: str, person_id: str) -> PersonFacts | None:
        try:
            person = self.organization.get_person(
                {"person_id": person_id}, self._context(bureau_id)
            )
        except NotFound:
            return None
        return PersonFacts(person_id, str(person["unit_id"]))

    def campaign_settings(self, bureau_id: str, year: int) -> dict[str, Any] | None:
        try:
            campaign = self.organization.get_campaign(
                {"year": year}, self._context(bureau_id)
            )
        except Exception as error:  # organization's PlanYearUnknown, class or remote
            if (
                getattr(error, "code", None) == "campaign_not_found"
                or getattr(error, "exc_type", None) == "PlanYearUnknown"
                or isinstance(error, NotFound)
            ):
                return None
            raise
        settings: dict[str, Any] = campaign["settings"]
        return settings
