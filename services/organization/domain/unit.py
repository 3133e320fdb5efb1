"""Unit (局属单位 / 机关科室 / 站所): its kind, service window flag, hotline, head, info
officer, and its own implementation plan and mobilisation meeting per campaign year."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from eventing.aggregate import Aggregate, DomainEvent
from services.common.errors import InvalidInput, NotFound
from services.organization.domain.errors import (
    AlreadyExists,
    OtherBureau,
    PersonNotInUnit,
    UnitHeadTaken,
)
from services.organization.domain.events import (
    HotlinePublished,
    ImplementationPlanFiled,
    InfoOfficerAppointed,
    InfoOfficerVacated,
    MobilisationMeetingRecorded,
    ServiceWindowFlagSet,
    UnitHeadAppointed,
    UnitHeadVacated,
    UnitKindChanged,
    UnitRegistered,
    UnitRenamed,
)
from services.organization.domain.model import UnitKind

if TYPE_CHECKING:
    from services.organization.domain.person import Person


def unit_id_for(bureau_id: str, code: str) -> str:
    """Units are named by bureau and code, so a re-import finds the same unit."""
    return f"{bureau_id}.{code}"


class Unit(Aggregate):
    """A unit of one bureau."""

    category = "unit"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.registered = False
        self.bureau_id = ""
        self.code = ""
        self.name = ""
        self.kind = UnitKind.OFFICE
        self.service_window = False
        self.hotline: tuple[str, str] | None = None
        self.head_id: str | None = None
        self.info_officer_id: str | None = None
        self.plans: dict[int, ImplementationPlanFiled] = {}
        self.mobilisations: dict[int, MobilisationMeetingRecorded] = {}

    def register(
        self, bureau_id: str, code: str, name: str, kind: UnitKind, service_window: bool
    ) -> None:
        if self.registered:
            raise AlreadyExists(kind="unit", id=self.id)
        self._raise(
            UnitRegistered(self.id, bureau_id, code, name, kind, service_window)
        )

    def change_details(self, name: str, kind: UnitKind, service_window: bool) -> None:
        """Record only what differs, so applying the same details twice does nothing."""
        self.require()
        if name != self.name:
            self._raise(UnitRenamed(name))
        if kind != self.kind:
            self._raise(UnitKindChanged(kind))
        if service_window != self.service_window:
            self._raise(ServiceWindowFlagSet(service_window))

    def publish_hotline(self, number: str, answerer: Person) -> None:
        """公示监督投诉电话, 专人接听: a number and the named person answering it."""
        self.require()
        answerer.require_active()
        if answerer.bureau_id != self.bureau_id:
            raise OtherBureau(kind="person", id=answerer.id)
        if self.hotline != (number, answerer.id):
            self._raise(HotlinePublished(number, answerer.id))

    def appoint_head(self, person: Person, *, replace: bool = False) -> None:
        self._member(person)
        if self.head_id == person.id:
            return
        if self.head_id is not None and not replace:
            raise UnitHeadTaken(unit_id=self.id, head_id=self.head_id)
        self._raise(UnitHeadAppointed(person.id, self.head_id))

    def vacate_head(self) -> None:
        self.require()
        if self.head_id is not None:
            self._raise(UnitHeadVacated(self.head_id))

    def appoint_info_officer(self, person: Person) -> None:
        """One info officer per unit: a new one replaces the old in one event."""
        self._member(person)
        if self.info_officer_id != person.id:
            self._raise(InfoOfficerAppointed(person.id, self.info_officer_id))

    def vacate_info_officer(self) -> None:
        self.require()
        if self.info_officer_id is not None:
            self._raise(InfoOfficerVacated(self.info_officer_id))

    def release(self, person_id: str) -> None:
        """Someone leaves the unit: the posts they held here fall vacant."""
        if self.head_id == person_id:
            self._raise(UnitHeadVacated(person_id))
        if self.info_officer_id == person_id:
            self._raise(InfoOfficerVacated(person_id))

    def file_plan(self, year: int, title: str, summary: str, filed_on: date) -> None:
        """The unit's own implementation plan (实施方案) for a campaign year."""
        self.require()
        current = self.plans.get(year)
        new = ImplementationPlanFiled(year, title, summary, filed_on)
        if current != new:
            self._raise(new)

    def record_mobilisation(
        self, year: int, held_on: date, attended: int, expected: int
    ) -> None:
        self.require()
        if expected < 1 or attended < 0 or attended > expected:
            raise InvalidInput(fields={"attended": "out_of_range"})
        new = MobilisationMeetingRecorded(year, held_on, attended, expected)
        if self.mobilisations.get(year) != new:
            self._raise(new)

    def require(self) -> None:
        if not self.registered:
            raise NotFound(kind="unit", id=self.id)

    def _member(self, person: Person) -> None:
        self.require()
        person.require_active()
        if person.unit_id != self.id:
            raise PersonNotInUnit(person_id=person.id, unit_id=self.id)

    def apply(self, event: DomainEvent) -> None:
        match event:
            case UnitRegistered():
                self.registered = True
                self.bureau_id, self.code, self.name = (
                    event.bureau_id,
                    event.code,
                    event.name,
                )
                self.kind, self.service_window = event.kind, event.service_window
            case UnitRenamed(name=name):
                self.name = name
            case UnitKindChanged(kind=kind):
                self.kind = kind
            case ServiceWindowFlagSet(service_window=flag):
                self.service_window = flag
            case HotlinePublished(number=number, answered_by=answerer):
                self.hotline = (number, answerer)
            case UnitHeadAppointed(person_id=pid):
                self.head_id = pid
            case UnitHeadVacated():
                self.head_id = None
            case InfoOfficerAppointed(person_id=pid):
                self.info_officer_id = pid
            case InfoOfficerVacated():
                self.info_officer_id = None
            case ImplementationPlanFiled(year=year):
                self.plans[year] = event
            case MobilisationMeetingRecorded(year=year):
                self.mobilisations[year] = event
