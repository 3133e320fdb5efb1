"""The org chart as the ledger needs it: a small port over the organization service.

The ledger never reads the organization's streams. It asks this port who a person
is (bureau, unit, committee member, unit head), who is in the leading group office,
and whether a unit is a service window. `RpcOrgChart` answers from the organization
service's RPCs (`get_bureau`, `get_unit`, `get_person`); `MemoryOrgChart` is the fake
for unit tests.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any, Protocol

from services.common.errors import NotFound
from services.common.organization import OrganizationRpc

ORG_ACTOR = "service:ledger"


@dataclass(frozen=True)
class PersonFacts:
    person_id: str
    bureau_id: str
    unit_id: str
    committee_member: bool
    unit_head: bool


@dataclass(frozen=True)
class UnitFacts:
    unit_id: str
    bureau_id: str
    service_window: bool
    head_id: str | None


class OrgChart(Protocol):
    """What the ledger asks of the org chart, always within one bureau: a person or
    unit of another bureau is answered as None, as the organization service does."""

    def person(self, bureau_id: str, person_id: str) -> PersonFacts | None: ...

    def unit(self, bureau_id: str, unit_id: str) -> UnitFacts | None: ...

    def office(self, bureau_id: str) -> frozenset[str]:
        """The leading group office (领导小组办公室) of the bureau."""
        ...

    def campaign_settings(self, bureau_id: str, year: int) -> dict[str, Any] | None:
        """The bureau's campaign settings of that year; None when it has none."""
        ...


@dataclass
class MemoryOrgChart:
    """An org chart held in memory (unit tests)."""

    committee: dict[str, set[str]] = field(default_factory=dict)
    offices: dict[str, set[str]] = field(default_factory=dict)
    units: dict[str, UnitFacts] = field(default_factory=dict)
    people: dict[str, tuple[str, str]] = field(default_factory=dict)  # bureau, unit
    settings: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)

    def add_unit(
        self,
        bureau_id: str,
        unit_id: str,
        head_id: str | None = None,
        service_window: bool = False,
    ) -> None:
        self.units[unit_id] = UnitFacts(unit_id, bureau_id, service_window, head_id)

    def add_person(
        self,
        bureau_id: str,
        unit_id: str,
        person_id: str,
        *,
        committee: bool = False,
        office: bool = False,
        head: bool = False,
    ) -> None:
        self.people[person_id] = (bureau_id, unit_id)
        if committee:
            self.committee.setdefault(bureau_id, set()).add(person_id)
        if office:
            self.offices.setdefault(bureau_id, set()).add(person_id)
        if head:
            unit = self.units[unit_id]
            self.units[unit_id] = UnitFacts(
                unit_id, unit.bureau_id, unit.service_window, person_id
            )

    def person(self, bureau_id: str, person_id: str) -> PersonFacts | None:
        found = self.people.get(person_id)
        if found is None or found[0] != bureau_id:
            return None
        unit = self.units.get(found[1])
        return PersonFacts(
            person_id,
            bureau_id,
            found[1],
            person_id in self.committee.get(bureau_id, set()),
            unit is not None and unit.head_id == person_id,
        )

    def unit(self, bureau_id: str, unit_id: str) -> UnitFacts | None:
        unit = self.units.get(unit_id)
        return unit if unit is not None and unit.bureau_id == bureau_id else None

    def office(self, bureau_id: str) -> frozenset[str]:
        return frozenset(self.offices.get(bureau_id, set()))

    def campaign_settings(self, bureau_id: str, year: int) -> dict[str, Any] | None:
        return self.settings.get((bureau_id, year))


class RpcOrgChart(OrganizationRpc):
    """The port over a Nameko RPC proxy to the organization service."""

    actor = ORG_ACTOR

    def person(self, bureau_id: str, person_id: str) -> PersonFacts | None:
        try:
            person = self.organization.get_person(
                {"person_id": person_id}, self._context(bureau_id)
            )
        except NotFound:
            return None
        unit = self.unit(bureau_id, str(person["unit_id"]))
        committee: Collection[str] = self._bureau(bureau_id)["committee"]
        return PersonFacts(
            person_id,
            bureau_id,
            str(person["unit_id"]),
            person_id in committee,
            unit is not None and unit.head_id == person_id,
        )

    def unit(self, bureau_id: str, unit_id: str) -> UnitFacts | None:
        try:
            unit = self.organization.get_unit(
                {"unit_id": unit_id}, self._context(bureau_id)
            )
        except NotFound:
            return None
        return UnitFacts(
            unit_id, bureau_id, bool(unit["service_window"]), unit.get("head_id")
        )

    def office(self, bureau_id: str) -> frozenset[str]:
        return frozenset(self._bureau(bureau_id)["leading_group_office"])

    def campaign_settings(self, bureau_id: str, year: int) -> dict[str, Any] | None:
        try:
            campaign = self.organization.get_campaign(
                {"year": year}, self._context(bureau_id)
            )
        except Exception as error:  # organization's PlanYearUnknown, class or remote
            if (
                getattr(error, "code", None) == "campaign_not_found"
                or getattr(error, "exc_type", None) == "PlanYearUnknown"
            ):
                return None
            raise
        settings: dict[str, Any] = campaign["settings"]
        return settings
