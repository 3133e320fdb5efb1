"""Accounts: lockout after repeated failures, password rules and rehashing, roles,
API keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.organization.domain import Account, LoginOutcome, LoginPolicy
from services.organization.domain.errors import (
    AccountDisabled,
    InvalidApiKey,
    InvalidCredentials,
    RoleNotGrantable,
    WeakPassword,
)
from services.organization.domain.events import LoginFailed, PasswordRehashed
from services.organization.domain.model import AccountKind, Role
from tests.support.hashers import PlainHasher

POLICY = LoginPolicy(max_failures=3, lock_for=timedelta(minutes=15))
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class CostlierHasher(PlainHasher):
    """The same passwords at a new cost: verifies the old hashes, wants them redone."""

    def hash(self, password: str) -> str:
        return f"costlier:{password}"

    def verify(self, hashed: str, password: str) -> bool:
        return hashed in (f"plain:{password}", f"costlier:{password}")

    def needs_rehash(self, hashed: str) -> bool:
        return not hashed.startswith("costlier:")


HASHER = PlainHasher()


def account(kind: AccountKind = AccountKind.PERSON) -> Account:
    a = Account("zhangsan")
    a.open(kind, "zjj", "zjj.001", [Role.STAFF], HASHER.hash("correct horse 1"))
    return a


class TestLogin:
    def test_the_right_password_logs_in(self):
        assert (
            account().login("correct horse 1", HASHER, NOW, POLICY) is LoginOutcome.OK
        )

    def test_repeated_failures_lock_the_account_for_a_while(self):
        a = account()
        outcomes = [a.login("wrong", HASHER, NOW, POLICY) for _ in range(3)]
        assert outcomes == [LoginOutcome.WRONG, LoginOutcome.WRONG, LoginOutcome.LOCKED]
        assert a.locked_until == NOW + timedelta(minutes=15)
        # even the right password is refused while locked
        locked = a.login("correct horse 1", HASHER, NOW + timedelta(minutes=5), POLICY)
        assert locked is LoginOutcome.LOCKED
        later = NOW + timedelta(minutes=16)
        assert a.login("correct horse 1", HASHER, later, POLICY) is LoginOutcome.OK

    def test_a_success_resets_the_failure_count(self):
        a = account()
        a.login("wrong", HASHER, NOW, POLICY)
        a.login("wrong", HASHER, NOW, POLICY)
        a.login("correct horse 1", HASHER, NOW, POLICY)
        assert a.login("wrong", HASHER, NOW, POLICY) is LoginOutcome.WRONG
        assert a.failures == 1

    def test_a_disabled_account_cannot_log_in(self):
        a = account()
        a.disable("left the bureau")
        assert a.login("correct horse 1", HASHER, NOW, POLICY) is LoginOutcome.DISABLED
        a.enable()
        assert a.login("correct horse 1", HASHER, NOW, POLICY) is LoginOutcome.OK


class TestPasswords:
    def test_changing_a_password_needs_the_old_one(self):
        a = account()
        with pytest.raises(InvalidCredentials):
            a.change_password("nope", "a new one 22", HASHER, POLICY)
        a.change_password("correct horse 1", "a new one 22", HASHER, POLICY)
        assert a.login("a new one 22", HASHER, NOW, POLICY) is LoginOutcome.OK

    @pytest.mark.parametrize("weak", ["short1", "onlyletterslong", "1234567890123"])
    def test_a_weak_new_password_is_refused(self, weak: str):
        with pytest.raises(WeakPassword):
            account().change_password("correct horse 1", weak, HASHER, POLICY)

    def test_a_disabled_account_cannot_change_its_password(self):
        a = account()
        a.disable("suspended")
        with pytest.raises(AccountDisabled):
            a.change_password("correct horse 1", "a new one 22", HASHER, POLICY)


class TestRehashing:
    def test_a_sign_in_after_a_cost_change_hashes_the_password_again(self):
        a = account()
        before = len(a.pending())
        costlier = CostlierHasher()
        assert a.login("correct horse 1", costlier, NOW, POLICY) is LoginOutcome.OK
        [rehashed] = a.pending()[before:]
        assert isinstance(rehashed, PasswordRehashed)
        assert rehashed.password_hash == "costlier:correct horse 1"
        assert a.password_hash == "costlier:correct horse 1"
        # done once: the next sign-in finds the hash at the current cost
        assert a.login("correct horse 1", costlier, NOW, POLICY) is LoginOutcome.OK
        assert len(a.pending()) == before + 1

    def test_a_wrong_password_is_not_hashed_again(self):
        a = account()
        before = len(a.pending())
        outcome = a.login("wrong horse 1", CostlierHasher(), NOW, POLICY)
        assert outcome is LoginOutcome.WRONG
        assert [type(e) for e in a.pending()[before:]] == [LoginFailed]
        assert a.password_hash == "plain:correct horse 1"

    def test_a_hash_at_the_current_cost_is_left_alone(self):
        a = account()
        before = len(a.pending())
        assert a.login("correct horse 1", HASHER, NOW, POLICY) is LoginOutcome.OK
        assert a.pending()[before:] == []


class TestRolesAndKeys:
    def test_roles_that_follow_from_the_org_chart_cannot_be_granted(self):
        with pytest.raises(RoleNotGrantable):
            account().grant([Role.UNIT_HEAD])

    def test_granting_a_role_twice_records_it_once(self):
        a = account()
        a.grant([Role.INVESTIGATOR])
        a.grant([Role.INVESTIGATOR])
        assert len(a.pending()) == 2  # opened + one grant
        assert Role.INVESTIGATOR.value in a.roles

    def test_only_service_accounts_hold_api_keys(self):
        with pytest.raises(InvalidApiKey):
            account().issue_api_key("k1", "ci", "hash")
        service = account(AccountKind.SERVICE)
        service.issue_api_key("k1", "ci", "hash")
        assert service.accepts_api_key("k1", "hash")
        assert not service.accepts_api_key("k1", "other")
        service.revoke_api_key("k1")
        assert not service.accepts_api_key("k1", "hash")


class TestDerivedRoles:
    def test_someone_who_left_keeps_only_granted_roles(self):
        from datetime import date

        from services.organization.domain import Bureau, Person, Unit
        from services.organization.domain.model import Position, UnitKind
        from services.organization.domain.principal import roles_of

        bureau = Bureau("zjj")
        bureau.register("d1", "住建局")
        unit = Unit("zjj.u1")
        unit.register("zjj", "u1", "窗口", UnitKind.STATION, True)
        person = Person("zjj.001")
        person.register(unit, "001", "张三", Position.UNIT_HEAD, "")
        unit.appoint_head(person)
        bureau.add_committee_member(person)
        a = account()
        assert roles_of(a, person, unit, bureau) == [
            "committee_member",
            "staff",
            "unit_head",
        ]
        person.leave(date(2026, 6, 1))
        assert roles_of(a, person, unit, bureau) == ["staff"]  # granted at opening
