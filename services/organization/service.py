"""OrganizationService: Nameko RPC entrypoints over the organization handlers.

Every entrypoint takes `payload` (the command's fields) and `context` (who calls, for
which bureau: {"bureau_id": "zjj", "actor": "account:zhang", "correlation_id": "..."})
and answers a JSON-safe dict, or raises a typed DomainError that crosses RPC intact.
"""

from __future__ import annotations

import base64
from typing import Any

from nameko.extensions import DependencyProvider

from eventing.nameko import (
    ClockProvider,
    CommandMetrics,
    EventStoreProvider,
    setting,
)
from services.common.context import command_context
from services.common.rpc import deserializable, rpc, translated
from services.organization import commands as c
from services.organization.domain import errors as org_errors
from services.organization.handlers import OrganizationHandlers
from services.organization.passwords import Argon2Hasher, hasher_from_settings
from services.organization.xlsx import export_chart, read_workbook, template

EXPECTED = deserializable(org_errors)

Payload = dict[str, Any] | None
Context = dict[str, Any] | None
Answer = dict[str, Any]


class PasswordHasherProvider(DependencyProvider):  # type: ignore[misc]
    """The argon2id hasher at the cost PASSWORD_HASH_MEMORY_KIB and
    PASSWORD_HASH_TIME_COST set (service config, then environment; see
    services.organization.passwords); a setting out of range fails the start."""

    hasher: Argon2Hasher

    def setup(self) -> None:
        config = self.container.config
        self.hasher = hasher_from_settings(
            setting(config, "PASSWORD_HASH_MEMORY_KIB", ""),
            setting(config, "PASSWORD_HASH_TIME_COST", ""),
        )

    def get_dependency(self, worker_ctx: Any) -> Argon2Hasher:
        return self.hasher


class OrganizationService:
    """Bureaus, units, people, accounts, liaisons and the campaign calendar."""

    name = "organization"

    store = EventStoreProvider()
    clock = ClockProvider()
    metrics = CommandMetrics()
    hasher = PasswordHasherProvider()

    @property
    def org(self) -> OrganizationHandlers:
        return OrganizationHandlers(self.store, self.clock, self.hasher)

    # -- bureaus ----------------------------------------------------------------------

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def register_bureau(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """Register a bureau (district role). {"bureau_id": "zjj", "district_id": "d1",
        "name": "住房和城乡建设局"}"""
        return self.org.register_bureau(
            c.RegisterBureau.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def get_bureau(self, payload: Payload = None, context: Context = None) -> Answer:
        """The caller's bureau: committee, leading group, office, liaisons. {}"""
        return self.org.bureau(command_context(context))

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def add_committee_member(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """Add a party committee member. {"person_id": "zjj.1001"}"""
        return self.org.add_committee_member(
            c.PersonRef.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def remove_committee_member(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """Remove a committee member (their liaisons end). {"person_id": "zjj.1001"}"""
        return self.org.remove_committee_member(
            c.PersonRef.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def set_leading_group_member(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """Put someone in the leading group.
        {"person_id": "zjj.1001", "role": "leader"}"""
        return self.org.set_leading_group_member(
            c.SetLeadingGroupMember.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def remove_leading_group_member(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """Take someone out of the leading group. {"person_id": "zjj.1001"}"""
        return self.org.remove_leading_group_member(
            c.PersonRef.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def add_office_member(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """Staff the leading group office. {"person_id": "zjj.1002"}"""
        return self.org.add_office_member(
            c.PersonRef.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def remove_office_member(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """Take someone off the office. {"person_id": "zjj.1002"}"""
        return self.org.remove_office_member(
            c.PersonRef.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def assign_liaison(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """包保: a committee member supervises a unit.
        {"member_id": "zjj.1001", "unit_id": "zjj.u003"}"""
        return self.org.assign_liaison(
            c.Liaison.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def unassign_liaison(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """End a liaison. {"member_id": "zjj.1001", "unit_id": "zjj.u003"}"""
        return self.org.unassign_liaison(
            c.Liaison.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def register_external_evaluator(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """An outside evaluator. {"evaluator_id": "e1", "name": "赵敏",
        "constituency": "deputy", "organisation": "区人大"}"""
        return self.org.register_external_evaluator(
            c.RegisterExternalEvaluator.parse(payload or {}), command_context(context)
        )

    # -- units ------------------------------------------------------------------------

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def register_unit(self, payload: Payload = None, context: Context = None) -> Answer:
        """A unit of the caller's bureau. {"code": "u003", "name": "房产管理所",
        "kind": "station", "service_window": true}"""
        return self.org.register_unit(
            c.RegisterUnit.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def update_unit(self, payload: Payload = None, context: Context = None) -> Answer:
        """Rename a unit or change its kind or window flag. {"unit_id": "zjj.u003",
        "name": "房产服务中心", "kind": "station", "service_window": true}"""
        return self.org.update_unit(
            c.UpdateUnit.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def list_units(self, payload: Payload = None, context: Context = None) -> Answer:
        """The caller's bureau's units, by code. {}"""
        return self.org.unit_list(command_context(context))

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def get_unit(self, payload: Payload = None, context: Context = None) -> Answer:
        """One unit. {"unit_id": "zjj.u003"}"""
        unit_id = str((payload or {}).get("unit_id") or "")
        return self.org.unit(unit_id, command_context(context))

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def publish_hotline(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """公示监督投诉电话: {"unit_id": "zjj.u003", "number": "0311-5551234",
        "answered_by": "zjj.1002"}"""
        return self.org.publish_hotline(
            c.PublishHotline.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def appoint_unit_head(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """{"unit_id": "zjj.u003", "person_id": "zjj.1001", "replace": false}"""
        return self.org.appoint_unit_head(
            c.AppointToUnit.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def appoint_info_officer(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """The unit's one info officer (replaces any other). {"unit_id": "zjj.u003",
        "person_id": "zjj.1005"}"""
        return self.org.appoint_info_officer(
            c.AppointToUnit.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def file_implementation_plan(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """A unit's own plan. {"unit_id": "zjj.u003", "year": 2026, "title": "...",
        "summary": "...", "filed_on": "2026-02-10"}"""
        return self.org.file_plan(
            c.UnitYearRecord.parse_plan(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def record_mobilisation(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """{"unit_id": "zjj.u003", "year": 2026, "held_on": "2026-02-06",
        "attended": 48, "expected": 50}"""
        return self.org.record_mobilisation(
            c.UnitYearRecord.parse_mobilisation(payload or {}), command_context(context)
        )

    # -- people -----------------------------------------------------------------------

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def register_person(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """{"unit_id": "zjj.u003", "employee_no": "1005", "name": "李娜",
        "position": "staff", "phone": "13800000000"}"""
        return self.org.register_person(
            c.RegisterPerson.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def get_person(self, payload: Payload = None, context: Context = None) -> Answer:
        """One person. {"person_id": "zjj.1005"}"""
        person_id = str((payload or {}).get("person_id") or "")
        return self.org.person(person_id, command_context(context))

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def update_person(self, payload: Payload = None, context: Context = None) -> Answer:
        """{"person_id": "zjj.1005", "name": "李娜", "phone": "13900000000"}"""
        return self.org.update_person(
            c.UpdatePerson.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def change_position(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """{"person_id": "zjj.1005", "position": "middle_manager"}"""
        return self.org.change_position(
            c.ChangePosition.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def transfer_person(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """{"person_id": "zjj.1005", "unit_id": "zjj.u004"}"""
        return self.org.transfer_person(
            c.TransferPerson.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def record_departure(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """Someone leaves the bureau.
        {"person_id": "zjj.1005", "left_on": "2026-05-31"}"""
        return self.org.record_departure(
            c.RecordDeparture.parse(payload or {}), command_context(context)
        )

    # -- accounts ---------------------------------------------------------------------

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def open_account(self, payload: Payload = None, context: Context = None) -> Answer:
        """{"username": "lina", "kind": "person", "person_id": "zjj.1005",
        "password": "...", "roles": ["investigator"]} or {"username": "etl-bot",
        "kind": "service"}"""
        return self.org.open_account(
            c.OpenAccount.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def verify_credentials(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """Login check; answers the principal.
        {"username": "lina", "password": "..."}"""
        return self.org.verify_credentials(
            c.Credentials.parse(payload or {}),
            command_context(context or {"actor": "login"}),
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def whoami(self, payload: Payload = None, context: Context = None) -> Answer:
        """Who this is and what they may do. {"username": "lina"}"""
        return self.org.principal(str((payload or {}).get("username") or "").lower())

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def change_password(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """{"username": "lina", "old_password": "...", "new_password": "..."}"""
        return self.org.change_password(
            c.ChangePassword.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def reset_password(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """An administrator sets a new password.
        {"username": "lina", "password": "..."}"""
        return self.org.reset_password(
            c.Credentials.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def disable_account(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """{"username": "lina", "reason": "调离"}"""
        return self.org.disable_account(
            c.AccountRef.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def enable_account(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """{"username": "lina"}"""
        return self.org.enable_account(
            c.AccountRef.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def grant_roles(self, payload: Payload = None, context: Context = None) -> Answer:
        """{"username": "lina", "roles": ["investigator"]}"""
        return self.org.grant_roles(
            c.AccountRef.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def revoke_roles(self, payload: Payload = None, context: Context = None) -> Answer:
        """{"username": "lina", "roles": ["investigator"]}"""
        return self.org.revoke_roles(
            c.AccountRef.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def issue_api_key(self, payload: Payload = None, context: Context = None) -> Answer:
        """A key for a service account, shown once. {"username": "etl-bot",
        "label": "nightly export"}"""
        return self.org.issue_api_key(
            c.AccountRef.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def revoke_api_key(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """{"username": "etl-bot", "key_id": "3f9c0a1b2c3d"}"""
        return self.org.revoke_api_key(
            c.AccountRef.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def verify_api_key(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """A machine client's principal. {"api_key": "rk.etl-bot.3f9c....<secret>"}"""
        return self.org.verify_api_key(str((payload or {}).get("api_key") or ""))

    # -- campaign ---------------------------------------------------------------------

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def launch_campaign(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """The year's campaign; phases and settings default to the seed's.
        {"year": 2026, "name": "作风建设整改年", "settings": {"evaluation":
        {"threshold": 0.3}}}"""
        return self.org.launch_campaign(
            c.LaunchCampaign.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def reschedule_campaign(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """{"year": 2026, "phases": [{"phase": "study", "starts_on": "2026-02-01",
        "ends_on": "2026-02-28"}, ...]}"""
        return self.org.reschedule_campaign(
            c.LaunchCampaign.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def change_campaign_settings(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """Change settings of a campaign.
        {"year": 2026, "settings": {"complaints": {"reply_working_days": 5}}}"""
        return self.org.change_campaign_settings(
            c.LaunchCampaign.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def get_campaign(self, payload: Payload = None, context: Context = None) -> Answer:
        """A campaign with its phases and settings. {"year": 2026}"""
        year = c.LaunchCampaign.parse({"year": (payload or {}).get("year")}).year
        return self.org.campaign(year, command_context(context))

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def phase_today(self, payload: Payload = None, context: Context = None) -> Answer:
        """The campaign phase of today in the bureau's time zone. {}"""
        return self.org.phase_today(command_context(context))

    # -- the chart as a workbook ------------------------------------------------------

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def import_org_chart(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """Import an .xlsx workbook (base64): all rows valid or nothing imported;
        the same file twice changes nothing. {"workbook": "UEsDBBQ..."}"""
        rows = read_workbook(c.decode_file(payload or {}))
        return self.org.import_chart(rows, command_context(context))

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def export_org_chart(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """The caller's bureau as an .xlsx workbook (base64) in the import format. {}"""
        ctx = command_context(context)
        data = export_chart(self.org.export_chart(ctx), [ctx.bureau_id or ""])
        return {"filename": f"org-chart-{ctx.bureau_id}.xlsx",
                "workbook": base64.b64encode(data).decode()}  # fmt: skip

    @rpc(expected_exceptions=EXPECTED)
    def org_chart_template(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """The empty import template (base64 .xlsx). {}"""
        return {"filename": "org-chart-template.xlsx",
                "workbook": base64.b64encode(template()).decode()}  # fmt: skip
