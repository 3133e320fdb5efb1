"""Rules of the org chart: one head per unit, info officers, liaisons, tenancy."""

from __future__ import annotations

from datetime import date

import pytest

from services.common.errors import InvalidInput, NotFound
from services.organization.domain import Bureau, Person, Unit
from services.organization.domain.errors import (
    AlreadyExists,
    NotCommitteeMember,
    OtherBureau,
    PersonInactive,
    PersonNotInUnit,
    UnitHeadTaken,
)
from services.organization.domain.events import InfoOfficerAppointed, UnitHeadAppointed
from services.organization.domain.model import LeadingGroupRole, Position, UnitKind


def bureau(bureau_id: str = "zjj") -> Bureau:
    b = Bureau(bureau_id)
    b.register("district-1", "住建局")
    return b


def unit(bureau_id: str = "zjj", code: str = "u1") -> Unit:
    u = Unit(f"{bureau_id}.{code}")
    u.register(bureau_id, code, "城建监察大队", UnitKind.AFFILIATED_UNIT, True)
    return u


def person(u: Unit, no: str, position: Position = Position.STAFF) -> Person:
    p = Person(f"{u.bureau_id}.{no}")
    p.register(u, no, f"人员{no}", position, "13800000000")
    return p


class TestUnitHeads:
    def test_a_unit_has_one_head_unless_the_old_one_is_replaced(self):
        u = unit()
        first, second = person(u, "001"), person(u, "002")
        u.appoint_head(first)
        with pytest.raises(UnitHeadTaken) as raised:
            u.appoint_head(second)
        assert raised.value.details == {"unit_id": u.id, "head_id": first.id}
        u.appoint_head(second, replace=True)
        assert u.head_id == second.id
        assert u.pending()[-1] == UnitHeadAppointed(second.id, first.id)

    def test_a_head_must_belong_to_the_unit(self):
        u, other = unit(code="u1"), unit(code="u2")
        with pytest.raises(PersonNotInUnit):
            u.appoint_head(person(other, "009"))

    def test_appointing_the_same_head_again_changes_nothing(self):
        u = unit()
        head = person(u, "001")
        u.appoint_head(head)
        u.mark_saved(u.version + len(u.pending()))
        u.appoint_head(head)
        assert u.pending() == []


class TestInfoOfficers:
    def test_a_new_info_officer_replaces_the_old_one_in_one_event(self):
        u = unit()
        first, second = person(u, "001"), person(u, "002")
        u.appoint_info_officer(first)
        u.appoint_info_officer(second)
        assert u.pending()[-1] == InfoOfficerAppointed(second.id, first.id)
        assert u.info_officer_id == second.id

    def test_an_info_officer_from_another_unit_is_refused(self):
        u, other = unit(code="u1"), unit(code="u2")
        with pytest.raises(PersonNotInUnit):
            u.appoint_info_officer(person(other, "003"))

    def test_someone_who_left_cannot_be_appointed(self):
        u = unit()
        gone = person(u, "001")
        gone.leave(date(2026, 3, 1))
        with pytest.raises(PersonInactive):
            u.appoint_info_officer(gone)


class TestLiaisons:
    def test_a_committee_member_supervises_units_of_their_bureau(self):
        b, u = bureau(), unit()
        member = person(u, "001", Position.UNIT_HEAD)
        b.add_committee_member(member)
        b.assign_liaison(member, u)
        assert b.liaison_of(u.id) == [member.id]

    def test_a_liaison_for_a_unit_in_another_bureau_is_refused(self):
        b, u, foreign = bureau("zjj"), unit("zjj"), unit("jtj")
        member = person(u, "001")
        b.add_committee_member(member)
        with pytest.raises(OtherBureau):
            b.assign_liaison(member, foreign)

    def test_only_committee_members_can_be_liaisons(self):
        b, u = bureau(), unit()
        with pytest.raises(NotCommitteeMember):
            b.assign_liaison(person(u, "001"), u)

    def test_removing_a_committee_member_ends_their_liaisons(self):
        b, u = bureau(), unit()
        member = person(u, "001")
        b.add_committee_member(member)
        b.assign_liaison(member, u)
        b.remove_committee_member(member.id)
        assert b.liaison_of(u.id) == []
        assert member.id not in b.committee

    def test_a_person_of_another_bureau_cannot_join_the_leading_group(self):
        b = bureau("zjj")
        outsider = person(unit("jtj"), "001")
        with pytest.raises(OtherBureau):
            b.set_leading_group_member(outsider, LeadingGroupRole.MEMBER)


class TestRegistration:
    def test_registering_twice_is_refused(self):
        u = unit()
        with pytest.raises(AlreadyExists):
            u.register("zjj", "u1", "x", UnitKind.OFFICE, False)

    def test_a_person_cannot_join_a_unit_that_does_not_exist(self):
        with pytest.raises(NotFound):
            Person("zjj.1").register(Unit("zjj.nope"), "1", "张三", Position.STAFF, "")

    def test_a_transfer_stays_inside_the_bureau(self):
        p = person(unit("zjj", "u1"), "001")
        with pytest.raises(OtherBureau):
            p.transfer(unit("jtj", "u9"))
        p.transfer(unit("zjj", "u2"))
        assert p.unit_id == "zjj.u2"

    def test_a_hotline_is_answered_by_someone_of_the_bureau(self):
        u = unit("zjj")
        with pytest.raises(OtherBureau):
            u.publish_hotline("0311-1234567", person(unit("jtj"), "002"))
        u.publish_hotline("0311-1234567", person(u, "001"))
        assert u.hotline == ("0311-1234567", "zjj.001")

    def test_a_mobilisation_cannot_have_more_attendees_than_expected(self):
        with pytest.raises(InvalidInput):
            unit().record_mobilisation(2026, date(2026, 2, 3), 51, 50)
