"""The org chart as publicity needs it: a small port over the organization service.

Publicity never reads the organization's streams. It asks this port for a unit
(kind, info officer, hotline), the units of a bureau, the leading group and its
office, and the bureau's campaign (dates and settings). `RpcOrgChart` answers from
the organization service's RPCs; `MemoryOrgChart` is the fake for unit tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Protocol

from services.common.errors import NotFound
from services.common.organization import OrganizationRpc

ORG_ACTOR = "service:publicity"


@dataclass(frozen=True)
class UnitFacts:
    unit_id: str
    bureau_id: str
    kind: str
    info_officer_id: str | None
    name: str = ""
    hotline: tuple[str, str] | None = None  # number, answering person


@dataclass(frozen=True)
class CampaignFacts:
    year: int
    starts_on: date
    ends_on: date
    settings: dict[str, Any]


class OrgChart(Protocol):
    """What publicity asks of the org chart, always within one bureau."""

    def unit(self, bureau_id: str, unit_id: str) -> UnitFacts | None: ...

    def units(self, bureau_id: str) -> list[UnitFacts]: ...

    def office(self, bureau_id: str) -> frozenset[str]:
        """The leading group office (领导小组办公室)."""
        ...

    def leading_group(self, bureau_id: str) -> frozenset[str]:
        """The leading group (活动领导小组), who approve notices."""
        ...

    def campaign(self, bureau_id: str, year: int) -> CampaignFacts | None: ...

    def person_name(self, bureau_id: str, person_id: str) -> str | None:
        """A person's name (the hotline's answering person, for the public)."""
        ...


@dataclass
class MemoryOrgChart:
    """An org chart held in memory (unit tests)."""

    unit_facts: dict[str, UnitFacts] = field(default_factory=dict)
    offices: dict[str, set[str]] = field(default_factory=dict)
    groups: dict[str, set[str]] = field(default_factory=dict)
    campaigns: dict[tuple[str, int], CampaignFacts] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)

    def add_unit(
        self,
        bureau_id: str,
        unit_id: str,
        kind: str,
        info_officer_id: str | None = None,
    ) -> None:
        self.unit_facts[unit_id] = UnitFacts(unit_id, bureau_id, kind, info_officer_id)

    def change(self, unit_id: str, **changes: Any) -> None:
        self.unit_facts[unit_id] = replace(self.unit_facts[unit_id], **changes)

    def unit(self, bureau_id: str, unit_id: str) -> UnitFacts | None:
        unit = self.unit_facts.get(unit_id)
        return unit if unit is not None and unit.bureau_id == bureau_id else None

    def units(self, bureau_id: str) -> list[UnitFacts]:
        return [u for u in self.unit_facts.values() if u.bureau_id == bureau_id]

    def office(self, bureau_id: str) -> frozenset[str]:
        return frozenset(self.offices.get(bureau_id, set()))

    def leading_group(self, bureau_id: str) -> frozenset[str]:
        return frozenset(self.groups.get(bureau_id, set()))

    def campaign(self, bureau_id: str, year: int) -> CampaignFacts | None:
        return self.campaigns.get((bureau_id, year))

    def person_name(self, bureau_id: str, person_id: str) -> str | None:
        return self.names.get(person_id)


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
        return self._facts(bureau_id, unit)

    @staticmethod
    def _facts(bureau_id: str, unit: dict[str, Any]) -> UnitFacts:
        hotline = unit.get("hotline")
        return UnitFacts(
            str(unit["unit_id"]),
            bureau_id,
            str(unit["kind"]),
            unit.get("info_officer_id"),
            str(unit.get("name") or ""),
            (str(hotline["number"]), str(hotline["answered_by"])) if hotline else None,
        )

    def units(self, bureau_id: str) -> list[UnitFacts]:
        """Every unit of the bureau (organization's list_units)."""
        answer = self.organization.list_units({}, self._context(bureau_id))
        return [self._facts(bureau_id, unit) for unit in answer["units"]]

    def office(self, bureau_id: str) -> frozenset[str]:
        return frozenset(self._bureau(bureau_id)["leading_group_office"])

    def leading_group(self, bureau_id: str) -> frozenset[str]:
        return frozenset(self._bureau(bureau_id)["leading_group"])

    def campaign(self, bureau_id: str, year: int) -> CampaignFacts | None:
        try:
            campaign = self.organization.get_campaign(
                {"year": year}, self._context(bureau_id)
            )
        except Exception as error:  # organization's own error class, or remote
            if getattr(error, "code", None) in (
                "campaign_not_found",
                "not_found",
            ) or getattr(error, "exc_type", None) in ("PlanYearUnknown", "NotFound"):
                return None
            raise
        phases = campaign["phases"]
        return CampaignFacts(
            year,
            date.fromisoformat(phases[0]["starts_on"]),
            date.fromisoformat(phases[-1]["ends_on"]),
            dict(campaign["settings"]),
        )

    def person_name(self, bureau_id: str, person_id: str) -> str | None:
        try:
            person = self.organization.get_person(
                {"person_id": person_id}, self._context(bureau_id)
            )
        except NotFound:
            return None
        return str(person.get("name") or "") or None
