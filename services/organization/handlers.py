"""Application layer of the organization service: load, decide, append. No Nameko.

Every command is scoped to the caller's bureau (`CommandContext.bureau_id`): a record
of another bureau is answered as not found, so tenants cannot probe each other.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from eventing.aggregate import Aggregate, CommandContext, Repository
from eventing.errors import WrongExpectedVersion
from eventing.events import Metadata
from eventing.store.base import EventStore
from services.common.errors import Conflict, NotFound
from services.organization import commands as c
from services.organization import views
from services.organization.domain import (
    Account,
    Bureau,
    Campaign,
    LoginOutcome,
    LoginPolicy,
    Person,
    Unit,
    registry,
)
from services.organization.domain.account import PasswordHasher, check_password_strength
from services.organization.domain.campaign import campaign_id_for
from services.organization.domain.chart import FOLDED_CATEGORIES, OrgChart
from services.organization.domain.errors import (
    AccountDisabled,
    AccountLocked,
    ImportInvalid,
    InvalidApiKey,
    InvalidCredentials,
    PlanYearUnknown,
)
from services.organization.domain.importing import ImportPlan, plan_import
from services.organization.domain.model import AccountKind
from services.organization.domain.person import person_id_for
from services.organization.domain.principal import roles_of
from services.organization.domain.unit import unit_id_for
from services.organization.domain.workbook import RowError, Rows

SERVICE = "organization"
API_KEY_PREFIX = "rk"

A = TypeVar("A", bound=Aggregate)
Clock = Callable[[], datetime]


def _foreign_bureaus(codes: list[str]) -> RowError:
    return RowError(
        "bureaus",
        0,
        "bureau_code",
        "other_bureau",
        f"只能导入本局数据，文件中含有：{'、'.join(codes)}",
        f"only your own bureau can be imported; found {', '.join(codes)}",
    )


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class OrganizationHandlers:
    """Every command and query of the organization service."""

    def __init__(
        self,
        store: EventStore,
        clock: Clock,
        hasher: PasswordHasher,
        policy: LoginPolicy | None = None,
        import_workers: int = 4,
    ) -> None:
        self.store = store
        self.clock = clock
        self.hasher = hasher
        self.policy = policy or LoginPolicy()
        self.import_workers = import_workers
        self.bureaus = Repository(store, registry, Bureau, SERVICE)
        self.units = Repository(store, registry, Unit, SERVICE)
        self.people = Repository(store, registry, Person, SERVICE)
        self.accounts = Repository(store, registry, Account, SERVICE)
        self.campaigns = Repository(store, registry, Campaign, SERVICE)

    # -- loading within the caller's bureau -------------------------------------------

    def _unit(self, unit_id: str, ctx: CommandContext) -> Unit:
        unit = self.units.load(unit_id)
        if not unit.registered or unit.bureau_id != ctx.bureau_id:
            raise NotFound(kind="unit", id=unit_id)
        return unit

    def _person(self, person_id: str, ctx: CommandContext) -> Person:
        person = self.people.load(person_id)
        if not person.registered or person.bureau_id != ctx.bureau_id:
            raise NotFound(kind="person", id=person_id)
        return person

    def _bureau_of(self, ctx: CommandContext) -> str:
        if not ctx.bureau_id:
            raise NotFound(kind="bureau", id="")
        return ctx.bureau_id

    @staticmethod
    def _execute(
        repository: Repository[A],
        id: str,
        decide: Callable[[A], Any],
        ctx: CommandContext,
    ) -> None:
        """Run a command on one aggregate (reloading and retrying on a conflict)."""
        repository.execute(id, decide, ctx)

    # -- bureaus ----------------------------------------------------------------------

    def register_bureau(
        self, cmd: c.RegisterBureau, ctx: CommandContext
    ) -> dict[str, Any]:
        scoped = CommandContext(
            cmd.bureau_id, ctx.actor, ctx.correlation_id, ctx.causation_id
        )
        self._execute(
            self.bureaus,
            cmd.bureau_id,
            lambda b: b.register(cmd.district_id, cmd.name),
            scoped,
        )
        return views.bureau(self.bureaus.load(cmd.bureau_id))

    def bureau(self, ctx: CommandContext) -> dict[str, Any]:
        bureau = self.bureaus.load(self._bureau_of(ctx))
        bureau.require()
        return views.bureau(bureau)

    def _on_bureau(
        self, ctx: CommandContext, decide: Callable[[Bureau], Any]
    ) -> dict[str, Any]:
        self._execute(self.bureaus, self._bureau_of(ctx), decide, ctx)
        return views.bureau(self.bureaus.load(self._bureau_of(ctx)))

    def add_committee_member(
        self, cmd: c.PersonRef, ctx: CommandContext
    ) -> dict[str, Any]:
        person = self._person(cmd.person_id, ctx)
        return self._on_bureau(ctx, lambda b: b.add_committee_member(person))

    def remove_committee_member(
        self, cmd: c.PersonRef, ctx: CommandContext
    ) -> dict[str, Any]:
        return self._on_bureau(ctx, lambda b: b.remove_committee_member(cmd.person_id))

    def set_leading_group_member(
        self, cmd: c.SetLeadingGroupMember, ctx: CommandContext
    ) -> dict[str, Any]:
        person = self._person(cmd.person_id, ctx)
        return self._on_bureau(
            ctx, lambda b: b.set_leading_group_member(person, cmd.role)
        )

    def remove_leading_group_member(
        self, cmd: c.PersonRef, ctx: CommandContext
    ) -> dict[str, Any]:
        return self._on_bureau(
            ctx, lambda b: b.remove_leading_group_member(cmd.person_id)
        )

    def add_office_member(
        self, cmd: c.PersonRef, ctx: CommandContext
    ) -> dict[str, Any]:
        person = self._person(cmd.person_id, ctx)
        return self._on_bureau(ctx, lambda b: b.add_office_member(person))

    def remove_office_member(
        self, cmd: c.PersonRef, ctx: CommandContext
    ) -> dict[str, Any]:
        return self._on_bureau(ctx, lambda b: b.remove_office_member(cmd.person_id))

    def assign_liaison(self, cmd: c.Liaison, ctx: CommandContext) -> dict[str, Any]:
        member = self._person(cmd.member_id, ctx)
        unit = self.units.load(
            cmd.unit_id
        )  # another bureau's unit is a rule, not a 404
        if not unit.registered:
            raise NotFound(kind="unit", id=cmd.unit_id)
        return self._on_bureau(ctx, lambda b: b.assign_liaison(member, unit))

    def unassign_liaison(self, cmd: c.Liaison, ctx: CommandContext) -> dict[str, Any]:
        return self._on_bureau(
            ctx, lambda b: b.unassign_liaison(cmd.member_id, cmd.unit_id)
        )

    def register_external_evaluator(
        self, cmd: c.RegisterExternalEvaluator, ctx: CommandContext
    ) -> dict[str, Any]:
        return self._on_bureau(
            ctx,
            lambda b: b.register_evaluator(
                cmd.evaluator_id, cmd.name, cmd.constituency, cmd.organisation
            ),
        )

    # -- units ------------------------------------------------------------------------

    def register_unit(self, cmd: c.RegisterUnit, ctx: CommandContext) -> dict[str, Any]:
        bureau = self.bureaus.load(self._bureau_of(ctx))
        bureau.require()
        unit_id = unit_id_for(bureau.id, cmd.code)
        self._execute(
            self.units,
            unit_id,
            lambda u: u.register(
                bureau.id, cmd.code, cmd.name, cmd.kind, cmd.service_window
            ),
            ctx,
        )
        return views.unit(self.units.load(unit_id))

    def update_unit(self, cmd: c.UpdateUnit, ctx: CommandContext) -> dict[str, Any]:
        self._unit(cmd.unit_id, ctx)
        self._execute(
            self.units,
            cmd.unit_id,
            lambda u: u.change_details(cmd.name, cmd.kind, cmd.service_window),
            ctx,
        )
        return views.unit(self.units.load(cmd.unit_id))

    def unit(self, unit_id: str, ctx: CommandContext) -> dict[str, Any]:
        return views.unit(self._unit(unit_id, ctx))

    def unit_list(self, ctx: CommandContext) -> dict[str, Any]:
        """Every unit of the caller's bureau, by code."""
        bureau = self._bureau_of(ctx)
        units = sorted(self.chart([bureau]).units_of(bureau), key=lambda u: u.code)
        return {"units": [views.unit(u) for u in units]}

    def publish_hotline(
        self, cmd: c.PublishHotline, ctx: CommandContext
    ) -> dict[str, Any]:
        self._unit(cmd.unit_id, ctx)
        answerer = self._person(cmd.answered_by, ctx)
        self._execute(
            self.units,
            cmd.unit_id,
            lambda u: u.publish_hotline(cmd.number, answerer),
            ctx,
        )
        return views.unit(self.units.load(cmd.unit_id))

    def appoint_unit_head(
        self, cmd: c.AppointToUnit, ctx: CommandContext
    ) -> dict[str, Any]:
        self._unit(cmd.unit_id, ctx)
        person = self._person(cmd.person_id, ctx)
        self._execute(
            self.units,
            cmd.unit_id,
            lambda u: u.appoint_head(person, replace=cmd.replace),
            ctx,
        )
        return views.unit(self.units.load(cmd.unit_id))

    def appoint_info_officer(
        self, cmd: c.AppointToUnit, ctx: CommandContext
    ) -> dict[str, Any]:
        self._unit(cmd.unit_id, ctx)
        person = self._person(cmd.person_id, ctx)
        self._execute(
            self.units, cmd.unit_id, lambda u: u.appoint_info_officer(person), ctx
        )
        return views.unit(self.units.load(cmd.unit_id))

    def file_plan(self, cmd: c.UnitYearRecord, ctx: CommandContext) -> dict[str, Any]:
        self._unit(cmd.unit_id, ctx)
        self._campaign(cmd.year, ctx)
        self._execute(
            self.units,
            cmd.unit_id,
            lambda u: u.file_plan(cmd.year, cmd.title, cmd.summary, cmd.on),
            ctx,
        )
        return views.unit(self.units.load(cmd.unit_id))

    def record_mobilisation(
        self, cmd: c.UnitYearRecord, ctx: CommandContext
    ) -> dict[str, Any]:
        self._unit(cmd.unit_id, ctx)
        self._campaign(cmd.year, ctx)
        self._execute(
            self.units,
            cmd.unit_id,
            lambda u: u.record_mobilisation(
                cmd.year, cmd.on, cmd.attended, cmd.expected
            ),
            ctx,
        )
        return views.unit(self.units.load(cmd.unit_id))

    # -- people -----------------------------------------------------------------------

    def register_person(
        self, cmd: c.RegisterPerson, ctx: CommandContext
    ) -> dict[str, Any]:
        unit = self._unit(cmd.unit_id, ctx)
        person_id = person_id_for(unit.bureau_id, cmd.employee_no)
        self._execute(
            self.people,
            person_id,
            lambda p: p.register(
                unit, cmd.employee_no, cmd.name, cmd.position, cmd.phone
            ),
            ctx,
        )
        return views.person(self.people.load(person_id))

    def person(self, person_id: str, ctx: CommandContext) -> dict[str, Any]:
        return views.person(self._person(person_id, ctx))

    def update_person(self, cmd: c.UpdatePerson, ctx: CommandContext) -> dict[str, Any]:
        self._person(cmd.person_id, ctx)
        self._execute(
            self.people,
            cmd.person_id,
            lambda p: p.change_details(cmd.name, cmd.phone),
            ctx,
        )
        return views.person(self.people.load(cmd.person_id))

    def change_position(
        self, cmd: c.ChangePosition, ctx: CommandContext
    ) -> dict[str, Any]:
        self._person(cmd.person_id, ctx)
        self._execute(
            self.people, cmd.person_id, lambda p: p.change_position(cmd.position), ctx
        )
        return views.person(self.people.load(cmd.person_id))

    def transfer_person(
        self, cmd: c.TransferPerson, ctx: CommandContext
    ) -> dict[str, Any]:
        """Move someone to another unit; posts they held in the old one fall vacant."""
        before = self._person(cmd.person_id, ctx)
        to = self._unit(cmd.unit_id, ctx)
        self._execute(self.people, cmd.person_id, lambda p: p.transfer(to), ctx)
        self._execute(
            self.units, before.unit_id, lambda u: u.release(cmd.person_id), ctx
        )
        return views.person(self.people.load(cmd.person_id))

    def record_departure(
        self, cmd: c.RecordDeparture, ctx: CommandContext
    ) -> dict[str, Any]:
        """Someone leaves the bureau: posts and memberships end with them."""
        person = self._person(cmd.person_id, ctx)
        self._execute(self.people, cmd.person_id, lambda p: p.leave(cmd.left_on), ctx)
        self._execute(
            self.units, person.unit_id, lambda u: u.release(cmd.person_id), ctx
        )

        def leave_bureau(bureau: Bureau) -> None:
            bureau.remove_committee_member(cmd.person_id)
            bureau.remove_leading_group_member(cmd.person_id)
            bureau.remove_office_member(cmd.person_id)

        self._execute(self.bureaus, person.bureau_id, leave_bureau, ctx)
        for username in sorted(person.accounts):  # a person who left cannot log in
            self._execute(
                self.accounts, username, lambda a: a.disable("left the bureau"), ctx
            )
        return views.person(self.people.load(cmd.person_id))

    # -- accounts ---------------------------------------------------------------------

    def open_account(self, cmd: c.OpenAccount, ctx: CommandContext) -> dict[str, Any]:
        bureau_id = self._bureau_of(ctx)
        if cmd.person_id is not None:
            self._person(cmd.person_id, ctx).require_active()
        password_hash = None
        if cmd.kind is AccountKind.PERSON and cmd.password is not None:
            check_password_strength(cmd.password, self.policy)
            password_hash = self.hasher.hash(cmd.password)
        self._execute(
            self.accounts,
            cmd.username,
            lambda a: a.open(
                cmd.kind, bureau_id, cmd.person_id, cmd.roles, password_hash
            ),
            ctx,
        )
        if cmd.person_id is not None:
            self._execute(
                self.people, cmd.person_id, lambda p: p.link_account(cmd.username), ctx
            )
        return self.principal(cmd.username)

    def verify_credentials(
        self, cmd: c.Credentials, ctx: CommandContext
    ) -> dict[str, Any]:
        """Login: the account's principal, or a typed refusal. Failures are recorded."""
        account = self.accounts.load(cmd.username)
        if not account.opened:
            self.hasher.hash(cmd.password)  # same cost as a wrong password: no oracle
            raise InvalidCredentials()
        scoped = CommandContext(
            account.bureau_id, f"account:{cmd.username}", ctx.correlation_id
        )
        outcome, _ = self.accounts.execute(
            cmd.username,
            lambda a: a.login(cmd.password, self.hasher, self.clock(), self.policy),
            scoped,
        )
        if outcome is LoginOutcome.DISABLED:
            raise AccountDisabled()
        if outcome is LoginOutcome.LOCKED:
            until = self.accounts.load(cmd.username).locked_until
            raise AccountLocked(until=until.isoformat() if until else "")
        if outcome is LoginOutcome.WRONG:
            raise InvalidCredentials()
        return self.principal(cmd.username)

    def change_password(
        self, cmd: c.ChangePassword, ctx: CommandContext
    ) -> dict[str, Any]:
        self._account(cmd.username, ctx)
        self._execute(
            self.accounts,
            cmd.username,
            lambda a: a.change_password(
                cmd.old_password, cmd.new_password, self.hasher, self.policy
            ),
            ctx,
        )
        return {"username": cmd.username, "changed": True}

    def reset_password(self, cmd: c.Credentials, ctx: CommandContext) -> dict[str, Any]:
        self._account(cmd.username, ctx)
        check_password_strength(cmd.password, self.policy)
        hashed = self.hasher.hash(cmd.password)
        self._execute(
            self.accounts, cmd.username, lambda a: a.reset_password(hashed), ctx
        )
        return {"username": cmd.username, "changed": True}

    def disable_account(self, cmd: c.AccountRef, ctx: CommandContext) -> dict[str, Any]:
        self._account(cmd.username, ctx)
        self._execute(self.accounts, cmd.username, lambda a: a.disable(cmd.reason), ctx)
        return self.principal(cmd.username)

    def enable_account(self, cmd: c.AccountRef, ctx: CommandContext) -> dict[str, Any]:
        self._account(cmd.username, ctx)
        self._execute(self.accounts, cmd.username, lambda a: a.enable(), ctx)
        return self.principal(cmd.username)

    def grant_roles(self, cmd: c.AccountRef, ctx: CommandContext) -> dict[str, Any]:
        self._account(cmd.username, ctx)
        self._execute(self.accounts, cmd.username, lambda a: a.grant(cmd.roles), ctx)
        return self.principal(cmd.username)

    def revoke_roles(self, cmd: c.AccountRef, ctx: CommandContext) -> dict[str, Any]:
        self._account(cmd.username, ctx)
        self._execute(self.accounts, cmd.username, lambda a: a.revoke(cmd.roles), ctx)
        return self.principal(cmd.username)

    def issue_api_key(self, cmd: c.AccountRef, ctx: CommandContext) -> dict[str, Any]:
        """A new key, shown once: only its hash is stored."""
        self._account(cmd.username, ctx)
        key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
        self._execute(
            self.accounts,
            cmd.username,
            lambda a: a.issue_api_key(key_id, cmd.label, _sha256(secret)),
            ctx,
        )
        key = f"{API_KEY_PREFIX}.{cmd.username}.{key_id}.{secret}"
        return {"username": cmd.username, "key_id": key_id, "api_key": key}

    def revoke_api_key(self, cmd: c.AccountRef, ctx: CommandContext) -> dict[str, Any]:
        self._account(cmd.username, ctx)
        self._execute(
            self.accounts, cmd.username, lambda a: a.revoke_api_key(cmd.key_id), ctx
        )
        return {"username": cmd.username, "key_id": cmd.key_id, "revoked": True}

    def verify_api_key(self, key: str) -> dict[str, Any]:
        parts = key.split(".") if isinstance(key, str) else []
        if len(parts) != 4 or parts[0] != API_KEY_PREFIX:
            raise InvalidApiKey()
        _, username, key_id, secret = parts
        if not Account.valid_username(username):
            raise InvalidApiKey()
        account = self.accounts.load(username)
        if not account.accepts_api_key(key_id, _sha256(secret)):
            raise InvalidApiKey()
        return self.principal(username)

    def _account(self, username: str, ctx: CommandContext) -> Account:
        account = self.accounts.load(username)
        if not account.opened or account.bureau_id != ctx.bureau_id:
            raise NotFound(kind="account", id=username)
        return account

    def principal(self, username: str) -> dict[str, Any]:
        """Who this is and what they may do: granted roles plus those the org chart
        gives (unit head, info officer, committee, leading group and its office)."""
        account = self.accounts.load(username)
        account.require()
        bureau = self.bureaus.load(account.bureau_id)
        person = self.people.load(account.person_id) if account.person_id else None
        unit = self.units.load(person.unit_id) if person and person.unit_id else None
        return {
            "username": account.username,
            "kind": account.kind.value,
            "bureau_id": account.bureau_id,
            "district_id": bureau.district_id,
            "person": views.person(person) if person else None,
            "roles": roles_of(account, person, unit, bureau),
            "disabled": account.disabled,
        }

    # -- campaign ---------------------------------------------------------------------

    def _campaign(self, year: int, ctx: CommandContext) -> Campaign:
        campaign = self.campaigns.load(campaign_id_for(self._bureau_of(ctx), year))
        if not campaign.launched:
            raise PlanYearUnknown(year=year)
        return campaign

    def launch_campaign(
        self, cmd: c.LaunchCampaign, ctx: CommandContext
    ) -> dict[str, Any]:
        bureau = self.bureaus.load(self._bureau_of(ctx))
        bureau.require()
        campaign_id = campaign_id_for(bureau.id, cmd.year)
        self._execute(
            self.campaigns,
            campaign_id,
            lambda k: k.launch(bureau.id, cmd.year, cmd.name, cmd.phases, cmd.settings),
            ctx,
        )
        return views.campaign(self.campaigns.load(campaign_id), self._today(bureau.id))

    def reschedule_campaign(
        self, cmd: c.LaunchCampaign, ctx: CommandContext
    ) -> dict[str, Any]:
        campaign = self._campaign(cmd.year, ctx)
        self._execute(
            self.campaigns, campaign.id, lambda k: k.reschedule(cmd.phases or []), ctx
        )
        return views.campaign(
            self.campaigns.load(campaign.id), self._today(campaign.bureau_id)
        )

    def change_campaign_settings(
        self, cmd: c.LaunchCampaign, ctx: CommandContext
    ) -> dict[str, Any]:
        campaign = self._campaign(cmd.year, ctx)
        self._execute(
            self.campaigns,
            campaign.id,
            lambda k: k.change_settings(cmd.settings or {}),
            ctx,
        )
        return views.campaign(
            self.campaigns.load(campaign.id), self._today(campaign.bureau_id)
        )

    def campaign(self, year: int, ctx: CommandContext) -> dict[str, Any]:
        campaign = self._campaign(year, ctx)
        return views.campaign(campaign, self._today(campaign.bureau_id))

    def _today(self, bureau_id: str, year: int | None = None) -> date:
        zone = "Asia/Shanghai"
        if year is not None:
            campaign = self.campaigns.load(campaign_id_for(bureau_id, year))
            zone = (
                campaign.settings.get("timezone", zone) if campaign.launched else zone
            )
        return self.clock().astimezone(ZoneInfo(zone)).date()

    def phase_today(self, ctx: CommandContext) -> dict[str, Any]:
        """The phase of today in the bureau's time zone (today's year's campaign)."""
        bureau_id = self._bureau_of(ctx)
        today = self._today(bureau_id)
        campaign = self.campaigns.load(campaign_id_for(bureau_id, today.year))
        phase = campaign.phase_on(today) if campaign.launched else None
        return {
            "bureau_id": bureau_id,
            "date": today.isoformat(),
            "campaign": campaign.id if campaign.launched else None,
            "phase": phase.value if phase else None,
        }

    # -- org chart as a whole ---------------------------------------------------------

    def chart(self, bureau_ids: list[str]) -> OrgChart:
        """Fold the bureaus' events into an OrgChart (one pass per bureau)."""
        chart = OrgChart()
        for bureau_id in sorted(set(bureau_ids)):
            after = 0
            while True:
                batch = self.store.read_all(
                    after, 5000, categories=FOLDED_CATEGORIES, bureau_id=bureau_id
                )
                if not batch:
                    break
                for envelope in batch:
                    chart.add(
                        envelope.stream, envelope.version, registry.decode(envelope)
                    )
                after = batch[-1].position
        return chart

    def import_chart(
        self, rows: Rows, ctx: CommandContext, attempts: int = 3
    ) -> dict[str, Any]:
        """Apply a workbook: all rows valid or nothing written; same file twice is a
        no-op. When another writer got there first (a concurrent import, a redelivered
        request), the chart is read again and the import planned again, so it
        converges; a crash part-way leaves a partial import that running the same
        file again completes."""
        bureau_ids = {
            str(cells.get("bureau_code") or "")
            for sheet in rows.values()
            for _, cells in sheet
        } - {""}
        allowed = {ctx.bureau_id} if ctx.bureau_id else bureau_ids
        foreign = sorted(bureau_ids - allowed)
        for attempt in range(attempts):
            chart = self.chart(sorted(bureau_ids & allowed))
            plan = plan_import(rows, chart)  # cells are normalised in place, once
            if foreign:
                plan.errors.insert(0, _foreign_bureaus(foreign))
            if plan.errors:
                raise ImportInvalid(
                    count=len(plan.errors), rows=[e.to_dict() for e in plan.errors]
                )
            try:
                self._write(plan, ctx)
            except WrongExpectedVersion as error:
                if attempt == attempts - 1:
                    raise Conflict(stream=error.stream) from error
                continue
            break
        return {
            "rows": plan.rows,
            "events": plan.event_count,
            "phases": len(plan.phases),
        }

    def _write(self, plan: ImportPlan, ctx: CommandContext) -> None:
        def append(item: tuple[Aggregate, int, int]) -> None:
            aggregate, start, end = item
            events = [registry.to_new_event(e) for e in aggregate.pending()[start:end]]
            tenant = getattr(aggregate, "bureau_id", "") or aggregate.id
            self.store.append(
                aggregate.stream,
                events,
                aggregate.version + start,
                Metadata(
                    SERVICE, tenant, ctx.actor, ctx.correlation_id, ctx.causation_id
                ),
            )

        with ThreadPoolExecutor(self.import_workers) as pool:
            for phase in plan.phases:
                list(pool.map(append, phase))

    def export_chart(self, ctx: CommandContext) -> OrgChart:
        return self.chart([self._bureau_of(ctx)])
