"""Application layer of the complaints service: load, decide, append. No Nameko.

Every command is scoped to the caller's bureau (`CommandContext.bureau_id`): a case
of another bureau is answered as not found. The reporter's identity never enters the
complaint's events: it is sealed under a per-reporter key on its own stream
(`protection/`), and a receipt code is kept only as a hash.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from typing import Any

from eventing.aggregate import (
    CommandContext,
    Repository,
)
from eventing.errors import WrongExpectedVersion
from eventing.store.base import EventStore
from services.common.errors import Conflict, InvalidInput, NotFound
from services.complaints import commands as c
from services.complaints import views
from services.complaints.domain import (
    ChineseWorkCalendar,
    Complaint,
    DeadlinePolicy,
    YearSchedule,
    registry,
)
from services.complaints.domain.calendar import WorkSchedules, calendar_registry
from services.complaints.domain.errors import IllegalTransition
from services.complaints.domain.events import ReporterReplied
from services.complaints.protection import commands as p
from services.complaints.protection.errors import (
    IdentityAccessDenied,
    IdentityForgotten,
    ReceiptCodeUnknown,
)
from services.complaints.protection.keys import KeyStore
from services.complaints.protection.receipts import hash_code, new_receipt_code
from services.complaints.protection.records import ReceiptCode, Reporter
from services.complaints.protection.records import registry as protection_registry
from services.complaints.protection.vault import Identity, IdentityVault

SERVICE = "complaints"
OFFICE = "leading_group_office"  # the role that may read and forget reporters
INVESTIGATOR = "investigator"
CALENDAR = "cn"  # one national schedule: the State Council's notice
CODE_ATTEMPTS = 5

Clock = Callable[[], datetime]
Settings = Mapping[str, Any] | None
Answer = dict[str, Any]


def _new_id() -> str:
    return uuid.uuid4().hex


class ComplaintHandlers:
    """Every command and query of the complaints service."""

    def __init__(
        self,
        store: EventStore,
        clock: Clock,
        keys: KeyStore,
        new_code: Callable[[], str] = new_receipt_code,
        new_id: Callable[[], str] = _new_id,
    ) -> None:
        self.store = store
        self.clock = clock
        self.keys = keys
        self.vault = IdentityVault(keys)
        self.new_code = new_code
        self.new_id = new_id
        self.complaints = Repository(store, registry, Complaint, SERVICE)
        self.reporters = Repository(store, protection_registry, Reporter, SERVICE)
        self.receipts = Repository(store, protection_registry, ReceiptCode, SERVICE)
        self.schedules = Repository(store, calendar_registry, WorkSchedules, SERVICE)

    # -- deadlines ----------------------------------------------------------------

    def calendar(self) -> ChineseWorkCalendar:
        """`chinese-calendar`, overridden by every schedule an operator loaded."""
        return ChineseWorkCalendar(dict(self.schedules.load(CALENDAR).years))

    def policy(self, settings: Settings = None) -> DeadlinePolicy:
        """Campaign settings (`complaints.*`; defaults 1 / 15 / 3) on the calendar."""
        return DeadlinePolicy.from_settings(settings or {}, self.calendar())

    # -- loading within the caller's bureau ---------------------------------------

    @staticmethod
    def _bureau_of(ctx: CommandContext) -> str:
        if not ctx.bureau_id:
            raise NotFound(kind="bureau", id="")
        return ctx.bureau_id

    @staticmethod
    def _actor(ctx: CommandContext) -> str:
        if not ctx.actor:
            raise InvalidInput(fields={"context.actor": "required"})
        return ctx.actor

    def _complaint(self, complaint_id: str, ctx: CommandContext) -> Complaint:
        complaint = self.complaints.load(complaint_id)
        if complaint.version == 0 or complaint.bureau_id != self._bureau_of(ctx):
            raise NotFound(kind="complaint", id=complaint_id)
        return complaint

    def _execute(
        self,
        complaint_id: str,
        decide: Callable[[Complaint], Any],
        ctx: CommandContext,
    ) -> Answer:
        """Run a command on one complaint, reloading and retrying on a conflict.

        A retried decision that meets an illegal transition lost a race (two
        investigators concluding at once): the caller gets a Conflict.
        """
        self._complaint(complaint_id, ctx)
        attempts = 0

        def counted(complaint: Complaint) -> Any:
            nonlocal attempts
            attempts += 1
            try:
                return decide(complaint)
            except IllegalTransition as error:
                if attempts > 1:
                    raise Conflict(reason=str(error.details)) from error
                raise

        self.complaints.execute(complaint_id, counted, ctx)
        return self.complaint(complaint_id, ctx)

    # -- intake -------------------------------------------------------------------

    def receive(
        self, cmd: c.ReceiveComplaint, ctx: CommandContext, settings: Settings = None
    ) -> Answer:
        """Log a report; the receipt code is in this answer and nowhere else."""
        bureau, actor, now = self._bureau_of(ctx), self._actor(ctx), self.clock()
        complaint_id = self.new_id()
        reporter_ref = None if cmd.anonymous else self.new_id()
        policy = self.policy(settings)
        for _ in range(CODE_ATTEMPTS):
            code = self.new_code()
            complaint = Complaint(complaint_id)
            complaint.receive(
                bureau,
                cmd.unit_id,
                cmd.channel,
                cmd.category,
                cmd.description,
                cmd.attachments,
                reporter_ref,
                hash_code(code),
                policy,
                actor,
                now,
            )
            receipt = ReceiptCode(hash_code(code))
            receipt.issue(complaint_id, bureau, actor, now)
            try:
                self.receipts.save(receipt, ctx)  # NO_STREAM: a code is unique
                break
            except WrongExpectedVersion:
                continue
        else:
            raise Conflict(reason="no unique receipt code")
        if reporter_ref is not None:
            reporter = Reporter(reporter_ref)
            identity = Identity(cmd.reporter_name, cmd.reporter_contact)
            reporter.seal(
                complaint_id, self.vault.seal(reporter_ref, identity), actor, now
            )
            self.reporters.save(reporter, ctx)
        self.complaints.save(complaint, ctx)
        return {
            "complaint": views.complaint(complaint, receipt),
            "receipt_code": code,
        }

    # -- the lifecycle ------------------------------------------------------------

    def accept(self, cmd: c.AcceptComplaint, ctx: CommandContext) -> Answer:
        actor, now = self._actor(ctx), self.clock()
        return self._execute(
            cmd.complaint_id, lambda x: x.accept(actor, now, cmd.reason), ctx
        )

    def reject(self, cmd: c.RejectComplaint, ctx: CommandContext) -> Answer:
        actor, now = self._actor(ctx), self.clock()
        return self._execute(
            cmd.complaint_id, lambda x: x.reject(cmd.reason, actor, now), ctx
        )

    def assign(self, cmd: c.AssignInvestigator, ctx: CommandContext) -> Answer:
        actor, now = self._actor(ctx), self.clock()
        return self._execute(
            cmd.complaint_id,
            lambda x: x.assign(cmd.investigator_id, actor, now, cmd.reason),
            ctx,
        )

    def start(self, cmd: c.StartInvestigation, ctx: CommandContext) -> Answer:
        actor, now = self._actor(ctx), self.clock()
        return self._execute(
            cmd.complaint_id, lambda x: x.start_investigation(actor, now), ctx
        )

    def conclude(
        self,
        cmd: c.ConcludeInvestigation,
        ctx: CommandContext,
        settings: Settings = None,
    ) -> Answer:
        actor, now, policy = self._actor(ctx), self.clock(), self.policy(settings)
        return self._execute(
            cmd.complaint_id,
            lambda x: x.conclude(cmd.outcome, cmd.findings, policy, actor, now),
            ctx,
        )

    def decide_accountability(
        self, cmd: c.DecideAccountability, ctx: CommandContext
    ) -> Answer:
        actor, now = self._actor(ctx), self.clock()
        return self._execute(
            cmd.complaint_id,
            lambda x: x.decide_accountability(
                cmd.kind, cmd.person_ids, cmd.reason, actor, now
            ),
            ctx,
        )

    def reply(self, cmd: c.ReplyToReporter, ctx: CommandContext) -> Answer:
        actor, now = self._actor(ctx), self.clock()
        return self._execute(
            cmd.complaint_id, lambda x: x.reply(cmd.reply, actor, now), ctx
        )

    def record_satisfaction(
        self, cmd: c.RecordSatisfaction, ctx: CommandContext, settings: Settings = None
    ) -> Answer:
        actor, now, policy = self._actor(ctx), self.clock(), self.policy(settings)
        return self._execute(
            cmd.complaint_id,
            lambda x: x.record_satisfaction(
                cmd.satisfaction, policy, actor, now, cmd.reason
            ),
            ctx,
        )

    def close(self, cmd: c.CloseComplaint, ctx: CommandContext) -> Answer:
        actor, now = self._actor(ctx), self.clock()
        return self._execute(
            cmd.complaint_id,
            lambda x: x.close(cmd.resolved, cmd.reason, actor, now),
            ctx,
        )

    def appeal(
        self, cmd: c.AppealComplaint, ctx: CommandContext, settings: Settings = None
    ) -> Answer:
        actor, now, policy = self._actor(ctx), self.clock(), self.policy(settings)
        return self._execute(
            cmd.complaint_id, lambda x: x.appeal(cmd.reason, policy, actor, now), ctx
        )

    def send_back(self, cmd: c.SendBackComplaint, ctx: CommandContext) -> Answer:
        actor, now = self._actor(ctx), self.clock()
        return self._execute(
            cmd.complaint_id,
            lambda x: x.send_back(cmd.reason, cmd.approver, actor, now),
            ctx,
        )

    def transfer(self, cmd: c.TransferComplaint, ctx: CommandContext) -> Answer:
        actor, now = self._actor(ctx), self.clock()
        return self._execute(
            cmd.complaint_id,
            lambda x: x.transfer(cmd.to_unit_id, cmd.reason, cmd.approver, actor, now),
            ctx,
        )

    def extend_deadline(
        self, cmd: c.ExtendDeadline, ctx: CommandContext, settings: Settings = None
    ) -> Answer:
        actor, now, policy = self._actor(ctx), self.clock(), self.policy(settings)
        return self._execute(
            cmd.complaint_id,
            lambda x: x.extend_deadline(
                cmd.working_days, cmd.reason, cmd.approver, policy, actor, now
            ),
            ctx,
        )

    # -- the calendar -------------------------------------------------------------

    def load_work_schedule(
        self, raw: Mapping[str, Any], ctx: CommandContext, settings: Settings = None
    ) -> Answer:
        """Load a year's official schedule, then recompute the deadlines of the
        bureau's open cases through events (DeadlinesRecomputed), never silently."""
        bureau, actor, now = self._bureau_of(ctx), self._actor(ctx), self.clock()
        schedule = YearSchedule.from_dict(raw)
        self.schedules.execute(CALENDAR, lambda s: s.load(schedule, actor, now), ctx)
        policy = self.policy(settings)
        reason = f"{schedule.year} 年节假日安排已载入 / {schedule.year} schedule loaded"
        recomputed: list[str] = []
        for complaint_id in self._received_in(bureau):
            changed, _ = self.complaints.execute(
                complaint_id,
                lambda x: x.recompute_deadlines(policy, actor, now, reason),
                ctx,
            )
            if changed:
                recomputed.append(complaint_id)
        return {"year": schedule.year, "recomputed": recomputed}

    def _received_in(self, bureau: str) -> list[str]:
        found: list[str] = []
        after = 0
        while batch := self.store.read_all(
            after, categories=["complaint"], bureau_id=bureau
        ):
            found += [e.stream.split("-", 1)[1] for e in batch if e.version == 1]
            after = batch[-1].position
        return found

    # -- queries ------------------------------------------------------------------

    def complaint(self, complaint_id: str, ctx: CommandContext) -> Answer:
        """One case as the bureau's staff see it (never the reporter's identity)."""
        complaint = self._complaint(complaint_id, ctx)
        return views.complaint(
            complaint, self.receipts.load(complaint.receipt_code_hash)
        )

    # -- the reporter, by receipt code --------------------------------------------

    def _receipt(self, code: str, ctx: CommandContext) -> ReceiptCode:
        receipt = self.receipts.load(hash_code(code))
        if not receipt.complaint_id or receipt.bureau_id != ctx.bureau_id:
            raise ReceiptCodeUnknown()
        return receipt

    def follow(self, cmd: p.FollowComplaint, ctx: CommandContext) -> Answer:
        """The case as its reporter sees it: no internal names, no identity."""
        receipt = self._receipt(cmd.receipt_code, ctx)
        complaint = self.complaints.load(receipt.complaint_id)
        if complaint.version == 0:
            raise ReceiptCodeUnknown()  # the intake did not finish
        replies = [
            event.reply
            for event in map(registry.decode, self.store.read_stream(complaint.stream))
            if isinstance(event, ReporterReplied)
        ]
        return views.public(complaint, receipt, replies)

    def add_information(self, cmd: p.AddInformation, ctx: CommandContext) -> Answer:
        """The reporter adds to their case without an account."""
        receipt, now = self._receipt(cmd.receipt_code, ctx), self.clock()
        attachments = tuple(a.to_dict() for a in cmd.attachments)
        self.receipts.execute(
            receipt.id, lambda r: r.add_information(cmd.text, attachments, now), ctx
        )
        return self.follow(p.FollowComplaint(cmd.receipt_code), ctx)

    # -- the reporter's identity --------------------------------------------------

    def read_identity(
        self, cmd: p.ComplaintRef, ctx: CommandContext, roles: Collection[str]
    ) -> Answer:
        """Who reported: for the assigned investigator and the leading group office
        only, and every read is recorded first (ReporterIdentityViewed)."""
        complaint = self._complaint(cmd.complaint_id, ctx)
        actor, now = self._actor(ctx), self.clock()
        if actor == complaint.investigator_id:
            role = INVESTIGATOR
        elif OFFICE in roles:
            role = OFFICE
        else:
            raise IdentityAccessDenied(actor=actor, complaint_id=complaint.id)
        ref = complaint.reporter_ref
        if ref is None:
            return {"anonymous": True, "name": None, "contact": None, "reads": []}
        self.reporters.execute(ref, lambda r: r.record_view(actor, role, now), ctx)
        reporter = self.reporters.load(ref)
        identity = (
            None if reporter.sealed is None else self.vault.open(ref, reporter.sealed)
        )
        if identity is None:
            raise IdentityForgotten(complaint_id=complaint.id)
        return {
            "anonymous": False,
            "name": identity.name,
            "contact": identity.contact,
            "reads": views.identity_reads(reporter),
        }

    def forget_reporter(
        self, cmd: p.ForgetReporter, ctx: CommandContext, roles: Collection[str]
    ) -> Answer:
        """Crypto-shredding: record the forgetting, then destroy the key. The events
        stay as they are; the sealed identity in them can no longer be opened."""
        complaint = self._complaint(cmd.complaint_id, ctx)
        actor, now = self._actor(ctx), self.clock()
        if OFFICE not in roles:
            raise IdentityAccessDenied(actor=actor, complaint_id=complaint.id)
        ref = complaint.reporter_ref
        if ref is None:
            return {"complaint_id": complaint.id, "anonymous": True, "forgotten": False}
        self.reporters.execute(ref, lambda r: r.forget(cmd.reason, actor, now), ctx)
        self.keys.destroy(ref, now)  # idempotent: a retried forget finishes the job
        return {"complaint_id": complaint.id, "anonymous": False, "forgotten": True}
