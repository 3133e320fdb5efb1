"""Events of the organization service. Other services learn the org chart from these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from eventing.aggregate import DomainEvent, DomainEventRegistry
from services.organization.domain.model import (
    AccountKind,
    Constituency,
    LeadingGroupRole,
    Position,
    UnitKind,
)

registry = DomainEventRegistry()
event = registry.event

# -- bureau ------------------------------------------------------------------------


@event
@dataclass(frozen=True)
class BureauRegistered(DomainEvent):
    bureau_id: str
    district_id: str
    name: str


@event
@dataclass(frozen=True)
class BureauRenamed(DomainEvent):
    name: str


@event
@dataclass(frozen=True)
class CommitteeMemberAdded(DomainEvent):
    person_id: str


@event
@dataclass(frozen=True)
class CommitteeMemberRemoved(DomainEvent):
    person_id: str


@event
@dataclass(frozen=True)
class LeadingGroupMemberSet(DomainEvent):
    person_id: str
    role: LeadingGroupRole


@event
@dataclass(frozen=True)
class LeadingGroupMemberRemoved(DomainEvent):
    person_id: str


@event
@dataclass(frozen=True)
class LeadingGroupOfficeMemberAdded(DomainEvent):
    person_id: str


@event
@dataclass(frozen=True)
class LeadingGroupOfficeMemberRemoved(DomainEvent):
    person_id: str


@event
@dataclass(frozen=True)
class LiaisonAssigned(DomainEvent):
    member_id: str
    unit_id: str


@event
@dataclass(frozen=True)
class LiaisonUnassigned(DomainEvent):
    member_id: str
    unit_id: str


@event
@dataclass(frozen=True)
class ExternalEvaluatorRegistered(DomainEvent):
    evaluator_id: str
    name: str
    constituency: Constituency
    organisation: str


@event
@dataclass(frozen=True)
class ExternalEvaluatorRetired(DomainEvent):
    evaluator_id: str


# -- unit --------------------------------------------------------------------------


@event
@dataclass(frozen=True)
class UnitRegistered(DomainEvent):
    unit_id: str
    bureau_id: str
    code: str
    name: str
    kind: UnitKind
    service_window: bool


@event
@dataclass(frozen=True)
class UnitRenamed(DomainEvent):
    name: str


@event
@dataclass(frozen=True)
class UnitKindChanged(DomainEvent):
    kind: UnitKind


@event
@dataclass(frozen=True)
class ServiceWindowFlagSet(DomainEvent):
    service_window: bool


@event
@dataclass(frozen=True)
class HotlinePublished(DomainEvent):
    number: str
    answered_by: str


@event
@dataclass(frozen=True)
class UnitHeadAppointed(DomainEvent):
    person_id: str
    replaced_id: str | None


@event
@dataclass(frozen=True)
class UnitHeadVacated(DomainEvent):
    person_id: str


@event
@dataclass(frozen=True)
class InfoOfficerAppointed(DomainEvent):
    person_id: str
    replaced_id: str | None


@event
@dataclass(frozen=True)
class InfoOfficerVacated(DomainEvent):
    person_id: str


@event
@dataclass(frozen=True)
class ImplementationPlanFiled(DomainEvent):
    year: int
    title: str
    summary: str
    filed_on: date


@event
@dataclass(frozen=True)
class MobilisationMeetingRecorded(DomainEvent):
    year: int
    held_on: date
    attended: int
    expected: int


# -- person ------------------------------------------------------------------------


@event
@dataclass(frozen=True)
class PersonRegistered(DomainEvent):
    person_id: str
    bureau_id: str
    unit_id: str
    employee_no: str
    name: str
    position: Position
    phone: str


@event
@dataclass(frozen=True)
class PersonDetailsChanged(DomainEvent):
    name: str
    phone: str


@event
@dataclass(frozen=True)
class PersonTransferred(DomainEvent):
    from_unit_id: str
    to_unit_id: str


@event
@dataclass(frozen=True)
class PositionChanged(DomainEvent):
    position: Position


@event
@dataclass(frozen=True)
class PersonLeft(DomainEvent):
    left_on: date


@event
@dataclass(frozen=True)
class PersonAccountLinked(DomainEvent):
    username: str


# -- account -----------------------------------------------------------------------


@event
@dataclass(frozen=True)
class AccountOpened(DomainEvent):
    username: str
    kind: AccountKind
    bureau_id: str
    person_id: str | None
    roles: tuple[str, ...]
    password_hash: str | None


@event
@dataclass(frozen=True)
class PasswordChanged(DomainEvent):
    password_hash: str


@event
@dataclass(frozen=True)
class PasswordRehashed(DomainEvent):
    """The same password, hashed again at the service's current cost on a
    successful sign-in (its old hash was made at another)."""

    password_hash: str


@event
@dataclass(frozen=True)
class LoginFailed(DomainEvent):
    at: datetime


@event
@dataclass(frozen=True)
class LoginSucceeded(DomainEvent):
    at: datetime


@event
@dataclass(frozen=True)
class AccountLockedOut(DomainEvent):
    until: datetime


@event
@dataclass(frozen=True)
class AccountDisabled(DomainEvent):
    reason: str


@event
@dataclass(frozen=True)
class AccountEnabled(DomainEvent):
    pass


@event
@dataclass(frozen=True)
class RolesGranted(DomainEvent):
    roles: tuple[str, ...]


@event
@dataclass(frozen=True)
class RolesRevoked(DomainEvent):
    roles: tuple[str, ...]


@event
@dataclass(frozen=True)
class ApiKeyIssued(DomainEvent):
    key_id: str
    label: str
    key_hash: str


@event
@dataclass(frozen=True)
class ApiKeyRevoked(DomainEvent):
    key_id: str


# -- campaign ----------------------------------------------------------------------


@event
@dataclass(frozen=True)
class CampaignLaunched(DomainEvent):
    bureau_id: str
    year: int
    name: str
    phases: tuple[dict[str, Any], ...]
    settings: dict[str, Any]


@event
@dataclass(frozen=True)
class CampaignRescheduled(DomainEvent):
    phases: tuple[dict[str, Any], ...]


@event
@dataclass(frozen=True)
class CampaignSettingsChanged(DomainEvent):
    settings: dict[str, Any]
