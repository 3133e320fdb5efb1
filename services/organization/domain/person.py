"""Person: a cadre of one bureau, in one unit, at one position."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from eventing.aggregate import Aggregate, DomainEvent
from services.common.errors import NotFound
from services.organization.domain.errors import (
    AlreadyExists,
    OtherBureau,
    PersonInactive,
)
from services.organization.domain.events import (
    PersonAccountLinked,
    PersonDetailsChanged,
    PersonLeft,
    PersonRegistered,
    PersonTransferred,
    PositionChanged,
)
from services.organization.domain.model import Position

if TYPE_CHECKING:
    from services.organization.domain.unit import Unit


def person_id_for(bureau_id: str, employee_no: str) -> str:
    """People are named by bureau and employee number, so a re-import finds them."""
    return f"{bureau_id}.{employee_no}"


class Person(Aggregate):
    """A person on the org chart (not a login: see Account)."""

    category = "person"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.registered = False
        self.active = False
        self.bureau_id = ""
        self.unit_id = ""
        self.employee_no = ""
        self.name = ""
        self.position = Position.STAFF
        self.phone = ""
        self.accounts: set[str] = set()

    def register(
        self,
        unit: Unit,
        employee_no: str,
        name: str,
        position: Position,
        phone: str,
    ) -> None:
        if self.registered:
            raise AlreadyExists(kind="person", id=self.id)
        unit.require()
        self._raise(
            PersonRegistered(
                self.id, unit.bureau_id, unit.id, employee_no, name, position, phone
            )
        )

    def change_details(self, name: str, phone: str) -> None:
        self.require_active()
        if (name, phone) != (self.name, self.phone):
            self._raise(PersonDetailsChanged(name, phone))

    def transfer(self, to: Unit) -> None:
        self.require_active()
        to.require()
        if to.bureau_id != self.bureau_id:
            raise OtherBureau(kind="unit", id=to.id)
        if to.id != self.unit_id:
            self._raise(PersonTransferred(self.unit_id, to.id))

    def change_position(self, position: Position) -> None:
        self.require_active()
        if position != self.position:
            self._raise(PositionChanged(position))

    def leave(self, on: date) -> None:
        self.require_active()
        self._raise(PersonLeft(on))

    def link_account(self, username: str) -> None:
        """Remember a login of this person, so leaving the bureau can end it."""
        self.require_active()
        if username not in self.accounts:
            self._raise(PersonAccountLinked(username))

    def require_active(self) -> None:
        if not self.registered:
            raise NotFound(kind="person", id=self.id)
        if not self.active:
            raise PersonInactive(person_id=self.id)

    def apply(self, event: DomainEvent) -> None:
        match event:
            case PersonRegistered():
                self.registered = self.active = True
                self.bureau_id, self.unit_id = event.bureau_id, event.unit_id
                self.employee_no, self.name = event.employee_no, event.name
                self.position, self.phone = event.position, event.phone
            case PersonDetailsChanged(name=name, phone=phone):
                self.name, self.phone = name, phone
            case PersonTransferred(to_unit_id=unit_id):
                self.unit_id = unit_id
            case PositionChanged(position=position):
                self.position = position
            case PersonLeft():
                self.active = False
            case PersonAccountLinked(username=username):
                self.accounts.add(username)
