"""InspectionTour (巡查): the leading group's half-yearly tour of the units.

A tour records, per unit, what it found and whether the unit is going through the
motions (走过场: activities as form, problems not concrete or detailed); such a unit
raises `UnitNoticedForFormality`, which publicity turns into a bureau-wide notice
(全局通报). Findings may also open ledger items (source `inspection_tour`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NoReturn

from eventing.aggregate import Aggregate, DomainEvent
from services.common.errors import InvalidInput
from services.ledger.domain.errors import (
    UnitAlreadyInspected,
    already_exists,
    illegal,
    required,
)
from services.ledger.domain.events import (
    TourConcluded,
    TourFindingsRecorded,
    TourStarted,
    UnitNoticedForFormality,
)
from services.ledger.domain.model import (
    Category,
    Level,
    Source,
    TourVerdict,
    item_id_for_tour,
)
from services.ledger.domain.opening import ItemOpening


@dataclass(frozen=True)
class Finding:
    """One problem a tour found at a unit; `open_item` enters it in the ledger."""

    category: Category
    description: str
    open_item: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "category": self.category.value,
            "description": self.description,
            "open_item": self.open_item,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Finding:
        return cls(Category(raw["category"]), raw["description"], raw["open_item"])


class InspectionTour(Aggregate):
    """One inspection tour of a bureau's units."""

    category = "inspection_tour"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.started = False
        self.concluded = False
        self.bureau_id = ""
        self.inspected: dict[str, TourVerdict] = {}

    def start(
        self,
        bureau_id: str,
        title: str,
        inspector_ids: Sequence[str],
        started_on: date,
        actor: str,
        at: datetime,
    ) -> None:
        if self.started:
            raise already_exists(self.category, self.id)
        inspectors = tuple(dict.fromkeys(i.strip() for i in inspector_ids if i.strip()))
        if not title.strip():
            raise InvalidInput(fields={"title": "required"})
        if not inspectors:
            raise InvalidInput(fields={"inspector_ids": "required"})
        self._raise(
            TourStarted(
                self.id, bureau_id, title.strip(), inspectors, started_on, actor, at
            )
        )

    def record_findings(
        self,
        unit_id: str,
        verdict: TourVerdict,
        findings: Sequence[Finding],
        remarks: str,
        actor: str,
        at: datetime,
    ) -> None:
        """A unit's findings and verdict, once per tour; 走过场 needs its reasons."""
        if not self.started or self.concluded:
            self._illegal("record_findings")
        if unit_id in self.inspected:
            raise UnitAlreadyInspected(tour_id=self.id, unit_id=unit_id)
        for n, finding in enumerate(findings):
            if not finding.description.strip():
                raise InvalidInput(fields={f"findings[{n}].description": "required"})
        if verdict is TourVerdict.GOING_THROUGH_MOTIONS:
            remarks = required(remarks, "going_through_motions")
        self._raise(
            TourFindingsRecorded(
                self.id,
                self.bureau_id,
                unit_id,
                verdict,
                tuple(
                    Finding(f.category, f.description.strip(), f.open_item).to_dict()
                    for f in findings
                ),
                remarks.strip(),
                actor,
                at,
            )
        )
        if verdict is TourVerdict.GOING_THROUGH_MOTIONS:
            self._raise(
                UnitNoticedForFormality(
                    self.id, self.bureau_id, unit_id, remarks.strip(), actor, at
                )
            )

    def conclude(self, summary: str, actor: str, at: datetime) -> None:
        if not self.started or self.concluded:
            self._illegal("conclude")
        self._raise(
            TourConcluded(
                self.id, self.bureau_id, required(summary, "conclude"), actor, at
            )
        )

    def _illegal(self, action: str) -> NoReturn:
        state = "concluded" if self.concluded else "started" if self.started else "new"
        raise illegal(self.category, self.id, state, action)

    def apply(self, event: DomainEvent) -> None:
        match event:
            case TourStarted():
                self.started = True
                self.bureau_id = event.bureau_id
            case TourFindingsRecorded():
                self.inspected[event.unit_id] = event.verdict
            case TourConcluded():
                self.concluded = True


def item_openings(
    recorded: TourFindingsRecorded, found_on: date
) -> list[tuple[str, ItemOpening]]:
    """(item id, opening) for each finding marked to enter the ledger."""
    openings: list[tuple[str, ItemOpening]] = []
    for n, raw in enumerate(recorded.findings, start=1):
        finding = Finding.from_dict(raw)
        if not finding.open_item:
            continue
        openings.append(
            (
                item_id_for_tour(recorded.tour_id, recorded.unit_id, n),
                ItemOpening(
                    recorded.bureau_id,
                    recorded.unit_id,
                    None,
                    Level.UNIT,
                    finding.category,
                    None,
                    Source.INSPECTION_TOUR,
                    recorded.tour_id,
                    finding.description,
                    (),
                    found_on,
                ),
            )
        )
    return openings
