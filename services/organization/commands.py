"""Commands of the organization service: validated, typed, imperative names.

Each `parse` checks a raw RPC payload and raises InvalidInput naming every bad field.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import date
from typing import Any

from services.common.validation import Check
from services.organization.domain.account import USERNAME
from services.organization.domain.campaign import PhaseDates
from services.organization.domain.model import (
    AccountKind,
    Constituency,
    LeadingGroupRole,
    Phase,
    Position,
    Role,
    UnitKind,
)

Payload = dict[str, Any]


def _roles(check: Check, raw: Any) -> list[Role]:
    if raw in (None, []):
        return []
    if not isinstance(raw, list):
        check.fail("roles", "bad_format")
        return []
    roles = [check.choice(f"roles[{i}]", value, Role) for i, value in enumerate(raw)]
    return [role for role in roles if role is not None]


@dataclass(frozen=True)
class RegisterBureau:
    bureau_id: str
    district_id: str
    name: str

    @classmethod
    def parse(cls, raw: Payload) -> RegisterBureau:
        check = Check()
        command = cls(
            check.identifier("bureau_id", raw.get("bureau_id")),
            check.identifier("district_id", raw.get("district_id")),
            check.text("name", raw.get("name"), max_len=100),
        )
        check.done()
        return command


@dataclass(frozen=True)
class RegisterUnit:
    code: str
    name: str
    kind: UnitKind
    service_window: bool

    @classmethod
    def parse(cls, raw: Payload) -> RegisterUnit:
        check = Check()
        code = check.identifier("code", raw.get("code"))
        name = check.text("name", raw.get("name"), max_len=100)
        kind = check.choice("kind", raw.get("kind"), UnitKind)
        window = check.flag("service_window", raw.get("service_window"))
        check.done()
        assert kind is not None
        return cls(code, name, kind, window)


@dataclass(frozen=True)
class UpdateUnit:
    unit_id: str
    name: str
    kind: UnitKind
    service_window: bool

    @classmethod
    def parse(cls, raw: Payload) -> UpdateUnit:
        check = Check()
        unit_id = check.text("unit_id", raw.get("unit_id"), max_len=130)
        name = check.text("name", raw.get("name"), max_len=100)
        kind = check.choice("kind", raw.get("kind"), UnitKind)
        window = check.flag("service_window", raw.get("service_window"))
        check.done()
        assert kind is not None
        return cls(unit_id, name, kind, window)


@dataclass(frozen=True)
class PublishHotline:
    unit_id: str
    number: str
    answered_by: str

    @classmethod
    def parse(cls, raw: Payload) -> PublishHotline:
        check = Check()
        command = cls(
            check.text("unit_id", raw.get("unit_id"), max_len=130),
            check.phone("number", raw.get("number")),
            check.text("answered_by", raw.get("answered_by"), max_len=130),
        )
        check.done()
        return command


@dataclass(frozen=True)
class RegisterPerson:
    unit_id: str
    employee_no: str
    name: str
    position: Position
    phone: str

    @classmethod
    def parse(cls, raw: Payload) -> RegisterPerson:
        check = Check()
        unit_id = check.text("unit_id", raw.get("unit_id"), max_len=130)
        number = check.identifier("employee_no", raw.get("employee_no"))
        name = check.text("name", raw.get("name"), max_len=50)
        position = check.choice("position", raw.get("position"), Position)
        phone = check.phone("phone", raw.get("phone"), required=False)
        check.done()
        assert position is not None
        return cls(unit_id, number, name, position, phone)


@dataclass(frozen=True)
class PersonRef:
    """Commands that only name a person (committee, office, departure ...)."""

    person_id: str

    @classmethod
    def parse(cls, raw: Payload) -> PersonRef:
        check = Check()
        command = cls(check.text("person_id", raw.get("person_id"), max_len=130))
        check.done()
        return command


@dataclass(frozen=True)
class UpdatePerson:
    person_id: str
    name: str
    phone: str

    @classmethod
    def parse(cls, raw: Payload) -> UpdatePerson:
        check = Check()
        command = cls(
            check.text("person_id", raw.get("person_id"), max_len=130),
            check.text("name", raw.get("name"), max_len=50),
            check.phone("phone", raw.get("phone"), required=False),
        )
        check.done()
        return command


@dataclass(frozen=True)
class TransferPerson:
    person_id: str
    unit_id: str

    @classmethod
    def parse(cls, raw: Payload) -> TransferPerson:
        check = Check()
        command = cls(
            check.text("person_id", raw.get("person_id"), max_len=130),
            check.text("unit_id", raw.get("unit_id"), max_len=130),
        )
        check.done()
        return command


@dataclass(frozen=True)
class ChangePosition:
    person_id: str
    position: Position

    @classmethod
    def parse(cls, raw: Payload) -> ChangePosition:
        check = Check()
        person_id = check.text("person_id", raw.get("person_id"), max_len=130)
        position = check.choice("position", raw.get("position"), Position)
        check.done()
        assert position is not None
        return cls(person_id, position)


@dataclass(frozen=True)
class RecordDeparture:
    person_id: str
    left_on: date

    @classmethod
    def parse(cls, raw: Payload) -> RecordDeparture:
        check = Check()
        person_id = check.text("person_id", raw.get("person_id"), max_len=130)
        left_on = check.day("left_on", raw.get("left_on"))
        check.done()
        assert left_on is not None
        return cls(person_id, left_on)


@dataclass(frozen=True)
class AppointToUnit:
    """Appoint a unit head (replace=True to replace one) or the info officer."""

    unit_id: str
    person_id: str
    replace: bool

    @classmethod
    def parse(cls, raw: Payload) -> AppointToUnit:
        check = Check()
        command = cls(
            check.text("unit_id", raw.get("unit_id"), max_len=130),
            check.text("person_id", raw.get("person_id"), max_len=130),
            check.flag("replace", raw.get("replace")),
        )
        check.done()
        return command


@dataclass(frozen=True)
class SetLeadingGroupMember:
    person_id: str
    role: LeadingGroupRole

    @classmethod
    def parse(cls, raw: Payload) -> SetLeadingGroupMember:
        check = Check()
        person_id = check.text("person_id", raw.get("person_id"), max_len=130)
        role = check.choice("role", raw.get("role"), LeadingGroupRole)
        check.done()
        assert role is not None
        return cls(person_id, role)


@dataclass(frozen=True)
class Liaison:
    member_id: str
    unit_id: str

    @classmethod
    def parse(cls, raw: Payload) -> Liaison:
        check = Check()
        command = cls(
            check.text("member_id", raw.get("member_id"), max_len=130),
            check.text("unit_id", raw.get("unit_id"), max_len=130),
        )
        check.done()
        return command


@dataclass(frozen=True)
class RegisterExternalEvaluator:
    evaluator_id: str
    name: str
    constituency: Constituency
    organisation: str

    @classmethod
    def parse(cls, raw: Payload) -> RegisterExternalEvaluator:
        check = Check()
        evaluator_id = check.identifier("evaluator_id", raw.get("evaluator_id"))
        name = check.text("name", raw.get("name"), max_len=50)
        constituency = check.choice(
            "constituency", raw.get("constituency"), Constituency
        )
        organisation = check.text(
            "organisation", raw.get("organisation"), max_len=100, required=False
        )
        check.done()
        assert constituency is not None
        return cls(evaluator_id, name, constituency, organisation)


@dataclass(frozen=True)
class OpenAccount:
    username: str
    kind: AccountKind
    person_id: str | None
    roles: list[Role]
    password: str | None

    @classmethod
    def parse(cls, raw: Payload) -> OpenAccount:
        check = Check()
        username = check.text("username", raw.get("username"), max_len=64).lower()
        if username and not USERNAME.match(username):
            check.fail("username", "bad_format")
        kind = check.choice("kind", raw.get("kind") or "person", AccountKind)
        person_id = (
            check.text("person_id", raw.get("person_id"), required=False) or None
        )
        roles = _roles(check, raw.get("roles"))
        password = raw.get("password")
        if kind is AccountKind.PERSON:
            if person_id is None:
                check.fail("person_id", "required")
            if not isinstance(password, str) or not password:
                check.fail("password", "required")
        elif password is not None:
            check.fail("password", "not_allowed")
        check.done()
        assert kind is not None
        return cls(username, kind, person_id, roles, password)


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str

    @classmethod
    def parse(cls, raw: Payload) -> Credentials:
        check = Check()
        username = check.text("username", raw.get("username"), max_len=64).lower()
        password = raw.get("password")
        if not isinstance(password, str) or not password or len(password) > 1024:
            check.fail("password", "required")
            password = ""
        check.done()
        return cls(username, password)


@dataclass(frozen=True)
class ChangePassword:
    username: str
    old_password: str
    new_password: str

    @classmethod
    def parse(cls, raw: Payload) -> ChangePassword:
        check = Check()
        username = check.text("username", raw.get("username"), max_len=64).lower()
        old = check.text("old_password", raw.get("old_password"), max_len=1024)
        new = check.text("new_password", raw.get("new_password"), max_len=1024)
        check.done()
        return cls(username, old, new)


@dataclass(frozen=True)
class AccountRef:
    username: str
    reason: str
    roles: list[Role]
    label: str
    key_id: str

    @classmethod
    def parse(cls, raw: Payload) -> AccountRef:
        check = Check()
        command = cls(
            check.text("username", raw.get("username"), max_len=64).lower(),
            check.text("reason", raw.get("reason"), max_len=500, required=False),
            _roles(check, raw.get("roles")),
            check.text("label", raw.get("label"), max_len=100, required=False),
            check.text("key_id", raw.get("key_id"), max_len=64, required=False),
        )
        check.done()
        return command


def _phases(check: Check, raw: Any) -> list[PhaseDates] | None:
    if raw is None:
        return None
    if not isinstance(raw, list):
        check.fail("phases", "bad_format")
        return None
    phases = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            check.fail(f"phases[{i}]", "bad_format")
            continue
        phase = check.choice(f"phases[{i}].phase", item.get("phase"), Phase)
        starts = check.day(f"phases[{i}].starts_on", item.get("starts_on"))
        ends = check.day(f"phases[{i}].ends_on", item.get("ends_on"))
        if phase and starts and ends:
            phases.append(PhaseDates(phase, starts, ends))
    return phases


@dataclass(frozen=True)
class LaunchCampaign:
    year: int
    name: str
    phases: list[PhaseDates] | None
    settings: dict[str, Any] | None

    @classmethod
    def parse(cls, raw: Payload) -> LaunchCampaign:
        check = Check()
        year = int(
            check.number("year", raw.get("year"), low=2000, high=2100, integer=True)
        )
        name = check.text("name", raw.get("name") or "作风建设整改年", max_len=100)
        phases = _phases(check, raw.get("phases"))
        settings = raw.get("settings")
        if settings is not None and not isinstance(settings, dict):
            check.fail("settings", "bad_format")
        check.done()
        return cls(year, name, phases, settings)


@dataclass(frozen=True)
class UnitYearRecord:
    """File a unit's implementation plan, or record its mobilisation meeting."""

    unit_id: str
    year: int
    title: str
    summary: str
    on: date
    attended: int
    expected: int

    @classmethod
    def parse_plan(cls, raw: Payload) -> UnitYearRecord:
        check = Check()
        unit_id = check.text("unit_id", raw.get("unit_id"), max_len=130)
        year = int(
            check.number("year", raw.get("year"), low=2000, high=2100, integer=True)
        )
        title = check.text("title", raw.get("title"), max_len=200)
        summary = check.text("summary", raw.get("summary"), max_len=20_000)
        filed_on = check.day("filed_on", raw.get("filed_on"))
        check.done()
        assert filed_on is not None
        return cls(unit_id, year, title, summary, filed_on, 0, 0)

    @classmethod
    def parse_mobilisation(cls, raw: Payload) -> UnitYearRecord:
        check = Check()
        unit_id = check.text("unit_id", raw.get("unit_id"), max_len=130)
        year = int(
            check.number("year", raw.get("year"), low=2000, high=2100, integer=True)
        )
        held_on = check.day("held_on", raw.get("held_on"))
        attended = int(
            check.number("attended", raw.get("attended"), low=0, integer=True)
        )
        expected = int(
            check.number("expected", raw.get("expected"), low=1, integer=True)
        )
        check.done()
        assert held_on is not None
        return cls(unit_id, year, "", "", held_on, attended, expected)


def decode_file(raw: Payload, field: str = "workbook") -> bytes:
    """A file sent over RPC as base64 text."""
    check = Check()
    value = check.text(field, raw.get(field), max_len=30 * 1024 * 1024)
    check.done()
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        check.fail(field, "bad_format")
        check.done()
        raise AssertionError("unreachable") from None
