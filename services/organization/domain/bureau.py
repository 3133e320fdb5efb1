"""Bureau (局): a tenant, its party committee, leading group and office, liaisons
(包保) and the external evaluators it invites."""

from __future__ import annotations

from eventing.aggregate import Aggregate, DomainEvent
from services.common.errors import NotFound
from services.organization.domain.errors import (
    AlreadyExists,
    NotCommitteeMember,
    OtherBureau,
)
from services.organization.domain.events import (
    BureauRegistered,
    BureauRenamed,
    CommitteeMemberAdded,
    CommitteeMemberRemoved,
    ExternalEvaluatorRegistered,
    ExternalEvaluatorRetired,
    LeadingGroupMemberRemoved,
    LeadingGroupMemberSet,
    LeadingGroupOfficeMemberAdded,
    LeadingGroupOfficeMemberRemoved,
    LiaisonAssigned,
    LiaisonUnassigned,
)
from services.organization.domain.model import Constituency, LeadingGroupRole
from services.organization.domain.person import Person
from services.organization.domain.unit import Unit


class Bureau(Aggregate):
    """One bureau of the district; every other record belongs to exactly one."""

    category = "bureau"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.registered = False
        self.district_id = ""
        self.name = ""
        self.committee: set[str] = set()
        self.leading_group: dict[str, LeadingGroupRole] = {}
        self.office: set[str] = set()
        self.liaisons: dict[str, set[str]] = {}  # member -> units
        self.evaluators: dict[str, tuple[str, Constituency, str]] = {}

    # -- commands ----------------------------------------------------------------------

    def register(self, district_id: str, name: str) -> None:
        if self.registered:
            raise AlreadyExists(kind="bureau", id=self.id)
        self._raise(BureauRegistered(self.id, district_id, name))

    def rename(self, name: str) -> None:
        self.require()
        if name != self.name:
            self._raise(BureauRenamed(name))

    def add_committee_member(self, person: Person) -> None:
        self._own(person)
        if person.id not in self.committee:
            self._raise(CommitteeMemberAdded(person.id))

    def remove_committee_member(self, person_id: str) -> None:
        self.require()
        if person_id in self.committee:
            for unit_id in sorted(self.liaisons.get(person_id, ())):
                self._raise(LiaisonUnassigned(person_id, unit_id))
            self._raise(CommitteeMemberRemoved(person_id))

    def set_leading_group_member(self, person: Person, role: LeadingGroupRole) -> None:
        self._own(person)
        if self.leading_group.get(person.id) != role:
            self._raise(LeadingGroupMemberSet(person.id, role))

    def remove_leading_group_member(self, person_id: str) -> None:
        self.require()
        if person_id in self.leading_group:
            self._raise(LeadingGroupMemberRemoved(person_id))

    def add_office_member(self, person: Person) -> None:
        self._own(person)
        if person.id not in self.office:
            self._raise(LeadingGroupOfficeMemberAdded(person.id))

    def remove_office_member(self, person_id: str) -> None:
        self.require()
        if person_id in self.office:
            self._raise(LeadingGroupOfficeMemberRemoved(person_id))

    def assign_liaison(self, member: Person, unit: Unit) -> None:
        """包保: a party committee member supervises a unit of this bureau."""
        self._own(member)
        if unit.bureau_id != self.id:
            raise OtherBureau(kind="unit", id=unit.id)
        if member.id not in self.committee:
            raise NotCommitteeMember(person_id=member.id)
        if unit.id not in self.liaisons.get(member.id, set()):
            self._raise(LiaisonAssigned(member.id, unit.id))

    def unassign_liaison(self, member_id: str, unit_id: str) -> None:
        self.require()
        if unit_id in self.liaisons.get(member_id, set()):
            self._raise(LiaisonUnassigned(member_id, unit_id))

    def register_evaluator(
        self,
        evaluator_id: str,
        name: str,
        constituency: Constituency,
        organisation: str,
    ) -> None:
        self.require()
        current = self.evaluators.get(evaluator_id)
        if current != (name, constituency, organisation):
            self._raise(
                ExternalEvaluatorRegistered(
                    evaluator_id, name, constituency, organisation
                )
            )

    def retire_evaluator(self, evaluator_id: str) -> None:
        self.require()
        if evaluator_id not in self.evaluators:
            raise NotFound(kind="external_evaluator", id=evaluator_id)
        self._raise(ExternalEvaluatorRetired(evaluator_id))

    # -- queries -----------------------------------------------------------------------

    def liaison_of(self, unit_id: str) -> list[str]:
        return sorted(m for m, units in self.liaisons.items() if unit_id in units)

    # -- helpers -----------------------------------------------------------------------

    def require(self) -> None:
        if not self.registered:
            raise NotFound(kind="bureau", id=self.id)

    def _own(self, person: Person) -> None:
        self.require()
        person.require_active()
        if person.bureau_id != self.id:
            raise OtherBureau(kind="person", id=person.id)

    def apply(self, event: DomainEvent) -> None:
        match event:
            case BureauRegistered(district_id=district_id, name=name):
                self.registered, self.district_id, self.name = True, district_id, name
            case BureauRenamed(name=name):
                self.name = name
            case CommitteeMemberAdded(person_id=pid):
                self.committee.add(pid)
            case CommitteeMemberRemoved(person_id=pid):
                self.committee.discard(pid)
            case LeadingGroupMemberSet(person_id=pid, role=role):
                self.leading_group[pid] = role
            case LeadingGroupMemberRemoved(person_id=pid):
                self.leading_group.pop(pid, None)
            case LeadingGroupOfficeMemberAdded(person_id=pid):
                self.office.add(pid)
            case LeadingGroupOfficeMemberRemoved(person_id=pid):
                self.office.discard(pid)
            case LiaisonAssigned(member_id=mid, unit_id=uid):
                self.liaisons.setdefault(mid, set()).add(uid)
            case LiaisonUnassigned(member_id=mid, unit_id=uid):
                self.liaisons.get(mid, set()).discard(uid)
            case ExternalEvaluatorRegistered(
                evaluator_id=eid, name=name, constituency=c, organisation=org
            ):
                self.evaluators[eid] = (name, c, org)
            case ExternalEvaluatorRetired(evaluator_id=eid):
                self.evaluators.pop(eid, None)
