"""The organization handlers end to end on the in-memory store."""

from __future__ import annotations

from datetime import timedelta

import pytest

from eventing.aggregate import CommandContext
from services.common.errors import InvalidInput, NotFound
from services.organization import commands as c
from services.organization.domain.errors import (
    AccountLocked,
    InvalidApiKey,
    InvalidCredentials,
    OtherBureau,
    PlanYearUnknown,
)
from services.organization.handlers import OrganizationHandlers
from services.organization.passwords import MIN_MEMORY_KIB, MIN_TIME_COST, Argon2Hasher

DISTRICT = CommandContext(bureau_id=None, actor="district-admin")


def setup_bureau(org: OrganizationHandlers, ctx: CommandContext) -> None:
    bureau_id = ctx.bureau_id or ""
    org.register_bureau(
        c.RegisterBureau.parse(
            {"bureau_id": bureau_id, "district_id": "d1", "name": f"{bureau_id} 局"}
        ),
        DISTRICT,
    )
    org.register_unit(
        c.RegisterUnit.parse({"code": "u1", "name": "窗口", "kind": "station",
                              "service_window": True}), ctx)  # fmt: skip
    for number, position in (("001", "unit_head"), ("002", "staff")):
        org.register_person(
            c.RegisterPerson.parse({"unit_id": f"{bureau_id}.u1", "employee_no": number,
                                    "name": f"人{number}", "position": position}), ctx
        )  # fmt: skip


class TestTenancy:
    def test_a_bureau_cannot_see_or_touch_another_bureaus_records(self, org, zjj, jtj):
        setup_bureau(org, zjj)
        setup_bureau(org, jtj)
        with pytest.raises(NotFound):
            org.unit("zjj.u1", jtj)
        with pytest.raises(NotFound):
            org.appoint_info_officer(
                c.AppointToUnit.parse({"unit_id": "zjj.u1", "person_id": "zjj.002"}),
                jtj,
            )

    def test_a_liaison_for_another_bureaus_unit_is_refused_by_rule(self, org, zjj, jtj):
        setup_bureau(org, zjj)
        setup_bureau(org, jtj)
        org.add_committee_member(c.PersonRef.parse({"person_id": "zjj.001"}), zjj)
        with pytest.raises(OtherBureau):
            org.assign_liaison(
                c.Liaison.parse({"member_id": "zjj.001", "unit_id": "jtj.u1"}), zjj
            )


class TestPrincipal:
    def test_roles_follow_the_org_chart(self, org, zjj):
        setup_bureau(org, zjj)
        org.appoint_unit_head(
            c.AppointToUnit.parse({"unit_id": "zjj.u1", "person_id": "zjj.001"}), zjj
        )
        org.add_office_member(c.PersonRef.parse({"person_id": "zjj.001"}), zjj)
        account = {
            "username": "zhang",
            "person_id": "zjj.001",
            "password": "a strong one 9",
            "roles": ["investigator"],
        }
        org.open_account(c.OpenAccount.parse(account), zjj)
        principal = org.verify_credentials(
            c.Credentials.parse({"username": "zhang", "password": "a strong one 9"}),
            zjj,
        )
        assert principal["roles"] == [
            "investigator",
            "leading_group_office",
            "staff",
            "unit_head",
        ]
        assert principal["bureau_id"] == "zjj"
        assert principal["person"]["name"] == "人001"

    def test_an_unknown_user_and_a_wrong_password_look_the_same(self, org, zjj):
        setup_bureau(org, zjj)
        org.open_account(
            c.OpenAccount.parse({"username": "lina", "person_id": "zjj.002",
                                 "password": "a strong one 9"}), zjj)  # fmt: skip
        for username in ("lina", "nobody"):
            with pytest.raises(InvalidCredentials) as raised:
                org.verify_credentials(
                    c.Credentials.parse({"username": username, "password": "guess"}),
                    zjj,
                )
            assert raised.value.message("en") == "Wrong username or password"

    def test_lockout_survives_because_failures_are_events(self, org, zjj, store, clock):
        setup_bureau(org, zjj)
        org.open_account(
            c.OpenAccount.parse({"username": "lina", "person_id": "zjj.002",
                                 "password": "a strong one 9"}), zjj)  # fmt: skip
        wrong = c.Credentials.parse({"username": "lina", "password": "guess"})
        for _ in range(4):
            with pytest.raises(InvalidCredentials):
                org.verify_credentials(wrong, zjj)
        with pytest.raises(AccountLocked):
            org.verify_credentials(wrong, zjj)
        # a new process (new handlers) on the same store still sees the lock
        fresh = OrganizationHandlers(store, clock, org.hasher)
        right = c.Credentials.parse({"username": "lina", "password": "a strong one 9"})
        with pytest.raises(AccountLocked):
            fresh.verify_credentials(right, zjj)
        clock.now += timedelta(minutes=16)
        assert fresh.verify_credentials(right, zjj)["username"] == "lina"

    def test_a_cost_raised_reaches_a_password_at_its_next_sign_in(
        self, store, clock, zjj
    ):
        cheap = Argon2Hasher(MIN_MEMORY_KIB, MIN_TIME_COST)
        costlier = Argon2Hasher(MIN_MEMORY_KIB, MIN_TIME_COST + 1)
        org = OrganizationHandlers(store, clock, cheap, import_workers=2)
        setup_bureau(org, zjj)
        org.open_account(
            c.OpenAccount.parse({"username": "lina", "person_id": "zjj.002",
                                 "password": "a strong one 9"}), zjj)  # fmt: skip
        right = c.Credentials.parse({"username": "lina", "password": "a strong one 9"})
        # the service restarted with a higher cost: the old hash still signs in
        raised = OrganizationHandlers(store, clock, costlier)
        assert raised.verify_credentials(right, zjj)["username"] == "lina"
        assert raised.verify_credentials(right, zjj)["username"] == "lina"
        rehashed = [
            e for e in store.read_stream("account-lina") if e.type == "PasswordRehashed"
        ]
        assert len(rehashed) == 1  # once, not at every sign-in
        assert (
            rehashed[0]
            .data["password_hash"]
            .startswith(f"$argon2id$v=19$m={MIN_MEMORY_KIB},t={MIN_TIME_COST + 1},")
        )
        assert not costlier.needs_rehash(rehashed[0].data["password_hash"])

    def test_an_api_key_identifies_a_service_account_until_revoked(self, org, zjj):
        setup_bureau(org, zjj)
        org.open_account(
            c.OpenAccount.parse({"username": "etl-bot", "kind": "service"}), zjj
        )
        issued = org.issue_api_key(
            c.AccountRef.parse({"username": "etl-bot", "label": "nightly"}), zjj
        )
        assert org.verify_api_key(issued["api_key"])["roles"] == ["api_client"]
        with pytest.raises(InvalidApiKey):
            org.verify_api_key(issued["api_key"][:-2] + "xx")
        org.revoke_api_key(
            c.AccountRef.parse({"username": "etl-bot", "key_id": issued["key_id"]}), zjj
        )
        with pytest.raises(InvalidApiKey):
            org.verify_api_key(issued["api_key"])

    def test_someone_who_leaves_the_bureau_can_no_longer_log_in(self, org, zjj):
        from services.organization.domain.errors import AccountDisabled

        setup_bureau(org, zjj)
        account = {"username": "lina", "person_id": "zjj.002",
                   "password": "a strong one 9"}  # fmt: skip
        org.open_account(c.OpenAccount.parse(account), zjj)
        org.record_departure(
            c.RecordDeparture.parse({"person_id": "zjj.002", "left_on": "2026-05-31"}),
            zjj,
        )
        with pytest.raises(AccountDisabled):
            org.verify_credentials(
                c.Credentials.parse({"username": "lina", "password": "a strong one 9"}),
                zjj,
            )


class TestCampaign:
    def test_the_phase_of_today_uses_the_bureaus_time_zone(self, org, zjj, clock):
        setup_bureau(org, zjj)
        org.launch_campaign(c.LaunchCampaign.parse({"year": 2026}), zjj)
        clock.now = clock.now.replace(
            month=2, day=28, hour=17
        )  # 01:00 Mar 1 in Beijing
        assert org.phase_today(zjj)["phase"] == "find_problems"
        clock.now = clock.now.replace(hour=15)  # 23:00 Feb 28 in Beijing
        assert org.phase_today(zjj)["phase"] == "study"

    def test_a_unit_plan_needs_a_campaign_that_year(self, org, zjj):
        setup_bureau(org, zjj)
        plan = {"unit_id": "zjj.u1", "year": 2026, "title": "实施方案",
                "summary": "…", "filed_on": "2026-02-10"}  # fmt: skip
        with pytest.raises(PlanYearUnknown):
            org.file_plan(c.UnitYearRecord.parse_plan(plan), zjj)
        org.launch_campaign(c.LaunchCampaign.parse({"year": 2026}), zjj)
        view = org.file_plan(c.UnitYearRecord.parse_plan(plan), zjj)
        assert view["plans"]["2026"]["filed_on"] == "2026-02-10"


class TestBadInput:
    @pytest.mark.parametrize(
        ("parse", "payload", "field"),
        [
            (c.RegisterUnit.parse, {"code": "u 1", "name": "x", "kind": "office"},
             "code"),
            (c.RegisterUnit.parse, {"code": "u1", "name": "x", "kind": "shop"}, "kind"),
            (c.RegisterPerson.parse, {"unit_id": "a", "employee_no": "1", "name": "",
                                      "position": "staff"}, "name"),
            (c.LaunchCampaign.parse, {"year": "twenty"}, "year"),
            (c.RecordDeparture.parse, {"person_id": "p", "left_on": "31/12"},
             "left_on"),
            (c.OpenAccount.parse, {"username": "x!", "kind": "service"}, "username"),
            (c.OpenAccount.parse, {"username": "x", "kind": "person"}, "person_id"),
        ],
    )  # fmt: skip
    def test_bad_fields_are_named(self, parse, payload, field):
        with pytest.raises(InvalidInput) as raised:
            parse(payload)
        assert field in raised.value.details["fields"]
        assert raised.value.message("zh-CN").startswith("输入有误")
