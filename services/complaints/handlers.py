"""Application layer of the complaints service: load, decide, append. No Nameko.

Every command is scoped to the caller's bureau (`CommandContext.bureau_id`): a case
of another bureau is answered as not found. The reporter's identity never enters the
complaint's events: it is sealed under a per-reporter key on its own stream
(`protection/`), and a receipt code is kept only as a hash.
"""

from __future__ import annotations

import base64
import logging
import uuid
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from eventing.aggregate import (
    CommandContext,
    Repository,
)
from eventing.errors import WrongExpectedVersion
from eventing.store.base import EventStore
from services.common.context import actor_of, bureau_of
from services.common.errors import Conflict, NotFound
from services.complaints import commands as c
from services.complaints import views
from services.complaints.blobs import BlobStore, MemoryBlobStore
from services.complaints.directory import OrgDirectory
from services.complaints.domain import (
    ChineseWorkCalendar,
    Complaint,
    DeadlinePolicy,
    OpenCase,
    YearSchedule,
    apply_ladder,
    find_duplicates,
    indicators,
    registry,
)
from services.complaints.domain.calendar import WorkSchedules, calendar_registry
from services.complaints.domain.deadlines import Due
from services.complaints.domain.errors import AttachmentMissing, IllegalTransition
from services.complaints.domain.events import ReporterReplied
from services.complaints.domain.indicators import Indicators
from services.complaints.domain.model import Attachment, Stage
from services.complaints.metrics import (
    CALENDAR_FALLBACKS,
    COMPLAINTS_OVERDUE,
    LADDER_EVENTS,
)
from services.complaints.protection import commands as p
from services.complaints.protection.errors import (
    IdentityAccessDenied,
    IdentityForgotten,
    ReceiptCodeUnknown,
)
from services.complaints.protection.keys import KeyStore
from services.complaints.protection.ratelimit import ANONYMOUS, RateLimiter
from services.complaints.protection.receipts import hash_code, new_receipt_code
from services.complaints.protection.records import ReceiptCode, Reporter
from services.complaints.protection.records import registry as protection_registry
from services.complaints.protection.vault import Identity, IdentityVault

SERVICE = "complaints"
OFFICE = "leading_group_office"  # the role that may read and forget reporters
INVESTIGATOR = "investigator"
CALENDAR = "cn"  # one national schedule: the State Council's notice
CODE_ATTEMPTS = 5
LADDER_ACTOR = "system:complaints-ladder"
LOCAL = ZoneInfo("Asia/Shanghai")  # the day the ladder runs for, and the year

Clock = Callable[[], datetime]
Answer = dict[str, Any]
log = logging.getLogger(__name__)


def _new_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class MeteredPolicy(DeadlinePolicy):
    """A DeadlinePolicy that counts every deadline computed on Mon–Fri assumptions
    (a year whose official schedule is missing) in CALENDAR_FALLBACKS."""

    def due(self, stage: Stage, start: date, extra: int = 0) -> Due:
        computed = super().due(stage, start, extra)
        for year in computed.assumed_years:
            CALENDAR_FALLBACKS.labels(year=str(year)).inc()
        return computed


class ComplaintHandlers:
    """Every command and query of the complaints service."""

    def __init__(
        self,
        store: EventStore,
        clock: Clock,
        keys: KeyStore,
        directory: OrgDirectory,
        new_code: Callable[[], str] = new_receipt_code,
        new_id: Callable[[], str] = _new_id,
        limiter: RateLimiter | None = None,
        blobs: BlobStore | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.keys = keys
        self.directory = directory
        self.limiter = limiter
        self.blobs: BlobStore = MemoryBlobStore() if blobs is None else blobs
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

    def policy(self, ctx: CommandContext) -> tuple[DeadlinePolicy, str | None]:
        """The bureau's campaign settings for this year (`complaints.*`, from the
        organization service; defaults 1 / 15 / 3 and a warning when the year has
        no campaign) on the calendar."""
        year = self.clock().astimezone(LOCAL).year
        found = self.directory.complaint_settings(year, ctx)
        policy = MeteredPolicy.from_settings(found.settings, self.calendar())
        return policy, found.warning

    # -- loading within the caller's bureau ---------------------------------------

    _bureau_of = staticmethod(bureau_of)

    _actor = staticmethod(actor_of)

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
        settings_warning: str | bool | None = False,
    ) -> Answer:
        """Run a command on one complaint, reloading and retrying on a conflict.

        A decision that meets an illegal transition on a newer version than the
        first decision saw lost a race (two investigators concluding at once): the
        caller gets a Conflict. (The repository may decide twice on one version: a
        command starts from the events it last wrote, then from the stream.)
        """
        self._complaint(complaint_id, ctx)
        first_seen: list[int] = []

        def counted(complaint: Complaint) -> Any:
            if not first_seen:
                first_seen.append(complaint.version)
            try:
                return decide(complaint)
            except IllegalTransition as error:
                if complaint.version != first_seen[0]:
                    raise Conflict(reason=str(error.details)) from error
                raise

        self.complaints.execute(complaint_id, counted, ctx)
        answer = self.complaint(complaint_id, ctx)
        if settings_warning is not False:  # a deadline was computed: say on what
            answer["settings_warning"] = settings_warning
        return answer

    # -- intake -------------------------------------------------------------------

    def receive(self, cmd: c.ReceiveComplaint, ctx: CommandContext) -> Answer:
        """Log a report; the receipt code is in this answer and nowhere else.

        The unit must be one of the caller's bureau (NotFound otherwise); deadlines
        follow the bureau's campaign settings; a likely duplicate of an open case is
        flagged for merging (DuplicateFlagged), never dropped."""
        bureau, actor, now = self._bureau_of(ctx), self._actor(ctx), self.clock()
        if cmd.unit_id is not None:
            self.directory.unit(cmd.unit_id, ctx)
        self._stored(cmd.attachments)
        complaint_id = self.new_id()
        reporter_ref = None if cmd.anonymous else self.new_id()
        policy, warning = self.policy(ctx)
        matches = find_duplicates(
            cmd.unit_id,
            cmd.description,
            policy.local_date(now),
            self._open_cases(bureau, policy),
        )
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
        if matches:
            best = matches[0]
            complaint.flag_duplicate(best.complaint_id, best.similarity, actor, now)
        self.complaints.save(complaint, ctx)
        return {
            "complaint": views.complaint(complaint, receipt, self._today()),
            "receipt_code": code,
            "duplicates": [
                {"complaint_id": m.complaint_id, "similarity": m.similarity}
                for m in matches
            ],
            "settings_warning": warning,
        }

    # -- attachments ----------------------------------------------------------------

    def _stored(self, attachments: Collection[Attachment]) -> None:
        """No report may point at a file that is not there: every attachment must be
        in the blob store with its stated size (AttachmentMissing otherwise)."""
        for attachment in attachments:
            if self.blobs.size(attachment.sha256) != attachment.size:
                raise AttachmentMissing(sha256=attachment.sha256)

    def upload_attachment(self, cmd: c.UploadAttachment, ctx: CommandContext) -> Answer:
        """Store a file's bytes (once: content-addressed) and answer the metadata a
        report or an addition then carries: {name, media_type, size, sha256}."""
        self._bureau_of(ctx)
        self._actor(ctx)
        digest = self.blobs.put(cmd.content, cmd.sha256)
        return Attachment(cmd.name, cmd.media_type, len(cmd.content), digest).to_dict()

    def download_attachment(
        self, cmd: c.DownloadAttachment, ctx: CommandContext
    ) -> Answer:
        """A file of a complaint, for the staff of the complaint's bureau: only an
        attachment of that complaint (at intake or added by the reporter); any
        other sha256 is not found, even one the blob store holds."""
        complaint = self._complaint(cmd.complaint_id, ctx)
        self._actor(ctx)
        found = [a for a in complaint.attachments if a.sha256 == cmd.sha256]
        if not found and complaint.receipt_code_hash:
            receipt = self.receipts.load(complaint.receipt_code_hash)
            found = [
                Attachment.from_dict(a)
                for addition in receipt.additions
                if addition.complaint_id == complaint.id
                for a in addition.attachments
                if a.get("sha256") == cmd.sha256
            ]
        if not found:
            raise NotFound(kind="attachment", id=cmd.sha256)
        content = self.blobs.get(cmd.sha256)
        return {
            **found[0].to_dict(),
            "complaint_id": complaint.id,
            "content": base64.b64encode(content).decode("ascii"),
        }

    def _today(self) -> date:
        return self.clock().astimezone(LOCAL).date()

    def _cases(self, bureau: str | None = None) -> Iterator[tuple[str, Any]]:
        """Every complaint event (of one bureau, or all), decoded, in store order."""
        after = 0
        while batch := self.store.read_all(
            after, categories=["complaint"], bureau_id=bureau
        ):
            for envelope in batch:
                yield envelope.stream.split("-", 1)[1], registry.decode(envelope)
            after = batch[-1].position

    def _states(self, bureau: str | None = None) -> dict[str, Complaint]:
        """The complaints as their events left them (a fold; read-only)."""
        states: dict[str, Complaint] = {}
        for complaint_id, event in self._cases(bureau):
            states.setdefault(complaint_id, Complaint(complaint_id)).apply(event)
        return states

    def _open_cases(self, bureau: str, policy: DeadlinePolicy) -> list[OpenCase]:
        return [
            OpenCase(x.id, x.unit_id, x.description, policy.local_date(x.received_at))
            for x in self._states(bureau).values()
            if x.is_open and x.received_at is not None and x.bureau_id == bureau
        ]

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

    def conclude(self, cmd: c.ConcludeInvestigation, ctx: CommandContext) -> Answer:
        actor, now = self._actor(ctx), self.clock()
        self._complaint(cmd.complaint_id, ctx)
        policy, warning = self.policy(ctx)
        return self._execute(
            cmd.complaint_id,
            lambda x: x.conclude(cmd.outcome, cmd.findings, policy, actor, now),
            ctx,
            warning,
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
        self, cmd: c.RecordSatisfaction, ctx: CommandContext
    ) -> Answer:
        actor, now = self._actor(ctx), self.clock()
        self._complaint(cmd.complaint_id, ctx)
        policy, warning = self.policy(ctx)
        return self._execute(
            cmd.complaint_id,
            lambda x: x.record_satisfaction(
                cmd.satisfaction, policy, actor, now, cmd.reason
            ),
            ctx,
            warning,
        )

    def close(self, cmd: c.CloseComplaint, ctx: CommandContext) -> Answer:
        actor, now = self._actor(ctx), self.clock()
        return self._execute(
            cmd.complaint_id,
            lambda x: x.close(cmd.resolved, cmd.reason, actor, now),
            ctx,
        )

    def appeal(self, cmd: c.AppealComplaint, ctx: CommandContext) -> Answer:
        actor, now = self._actor(ctx), self.clock()
        self._complaint(cmd.complaint_id, ctx)
        policy, warning = self.policy(ctx)
        return self._execute(
            cmd.complaint_id,
            lambda x: x.appeal(cmd.reason, policy, actor, now),
            ctx,
            warning,
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
        self._complaint(cmd.complaint_id, ctx)
        if cmd.to_unit_id is not None:
            self.directory.unit(cmd.to_unit_id, ctx)
        return self._execute(
            cmd.complaint_id,
            lambda x: x.transfer(cmd.to_unit_id, cmd.reason, cmd.approver, actor, now),
            ctx,
        )

    def extend_deadline(self, cmd: c.ExtendDeadline, ctx: CommandContext) -> Answer:
        actor, now = self._actor(ctx), self.clock()
        self._complaint(cmd.complaint_id, ctx)
        policy, warning = self.policy(ctx)
        return self._execute(
            cmd.complaint_id,
            lambda x: x.extend_deadline(
                cmd.working_days, cmd.reason, cmd.approver, policy, actor, now
            ),
            ctx,
            warning,
        )

    # -- the calendar -------------------------------------------------------------

    def load_work_schedule(self, raw: Mapping[str, Any], ctx: CommandContext) -> Answer:
        """Load a year's official schedule, then recompute the deadlines of the
        bureau's open cases through events (DeadlinesRecomputed), never silently."""
        bureau, actor, now = self._bureau_of(ctx), self._actor(ctx), self.clock()
        schedule = YearSchedule.from_dict(raw)
        self.schedules.execute(CALENDAR, lambda s: s.load(schedule, actor, now), ctx)
        policy, warning = self.policy(ctx)
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
        return {
            "year": schedule.year,
            "recomputed": recomputed,
            "settings_warning": warning,
        }

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
            complaint, self.receipts.load(complaint.receipt_code_hash), self._today()
        )

    def indicators(self, cmd: c.IndicatorsQuery, ctx: CommandContext) -> Answer:
        """The hotline indicators of the caller's bureau, or of one of its units, for
        the cases received in [from, to], as they stood at `to`: replayed from the
        events, so any period can be asked again."""
        bureau = self._bureau_of(ctx)
        if cmd.unit_id is not None:
            self.directory.unit(cmd.unit_id, ctx)
        as_of = min(cmd.end, self._today())  # a period not over yet: as of today
        report = indicators(self._cases(bureau), cmd.start, as_of, LOCAL)
        figures = (
            report.by_bureau.get(bureau, Indicators())
            if cmd.unit_id is None
            else report.by_unit.get((bureau, cmd.unit_id), Indicators())
        )
        return {
            "bureau_id": bureau,
            "unit_id": cmd.unit_id,
            "from": cmd.start.isoformat(),
            "to": cmd.end.isoformat(),
            "as_of": as_of.isoformat(),
            "indicators": views.indicators(figures),
        }

    # -- the warning ladder ---------------------------------------------------------

    def run_ladder(self) -> Answer:
        """Apply the warning ladder to every open case of every bureau with today's
        date (Asia/Shanghai) and save what it implies, each thing once: a due-soon
        warning per deadline, an overdue reminder (copied to the supervising
        leader) for every day a deadline stands missed, a criticism proposal per
        missed deadline. Sets the overdue gauge per bureau."""
        now = self.clock()
        today = now.astimezone(LOCAL).date()
        by_bureau: dict[str, list[str]] = {}
        for state in self._states().values():
            if state.is_open and state.bureau_id:
                by_bureau.setdefault(state.bureau_id, []).append(state.id)
        raised: dict[str, list[str]] = {}
        overdue: dict[str, list[str]] = {}
        warnings: dict[str, str] = {}
        failed: dict[str, str] = {}
        for bureau, ids in sorted(by_bureau.items()):
            try:
                self._ladder_for(bureau, ids, today, now, raised, overdue, warnings)
            except Exception as error:  # one bureau's failure never stops the rest
                log.exception("warning ladder failed for bureau %s", bureau)
                failed[bureau] = type(error).__name__
        return {
            "date": today.isoformat(),
            "overdue": overdue,
            "raised": raised,
            "settings_warnings": warnings,
            "failed": failed,
        }

    def _ladder_for(
        self,
        bureau: str,
        ids: list[str],
        today: date,
        now: datetime,
        raised: dict[str, list[str]],
        overdue: dict[str, list[str]],
        warnings: dict[str, str],
    ) -> None:
        ctx = CommandContext(bureau_id=bureau, actor=LADDER_ACTOR)
        policy, warning = self.policy(ctx)
        if warning is not None:
            warnings[bureau] = warning
        overdue[bureau] = []

        def decide(x: Complaint) -> Any:
            return apply_ladder(x, today, policy, LADDER_ACTOR, now)

        for complaint_id in ids:
            alert, result = self.complaints.execute(complaint_id, decide, ctx)
            if alert is not None and alert.days_overdue > 0:
                overdue[bureau].append(complaint_id)
            if result is not None:
                raised[complaint_id] = result.types
                for kind in raised[complaint_id]:
                    LADDER_EVENTS.labels(type=kind).inc()
        COMPLAINTS_OVERDUE.labels(bureau=bureau).set(len(overdue[bureau]))

    # -- the reporter, by receipt code --------------------------------------------

    def _receipt(self, code: str, ctx: CommandContext) -> ReceiptCode:
        receipt = self.receipts.load(hash_code(code))
        if not receipt.complaint_id or receipt.bureau_id != ctx.bureau_id:
            raise ReceiptCodeUnknown()
        return receipt

    def _lookup(self, caller: str) -> None:
        """Count one receipt-code lookup for `caller`; RateLimited past the limit."""
        if self.limiter is not None:
            self.limiter.hit(caller)

    def follow(
        self, cmd: p.FollowComplaint, ctx: CommandContext, caller: str = ANONYMOUS
    ) -> Answer:
        """The case as its reporter sees it: no internal names, no identity.
        Lookups are rate limited per caller (`caller`: the gateway's client)."""
        self._lookup(caller)
        return self._follow(cmd, ctx)

    def _follow(self, cmd: p.FollowComplaint, ctx: CommandContext) -> Answer:
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

    def add_information(
        self, cmd: p.AddInformation, ctx: CommandContext, caller: str = ANONYMOUS
    ) -> Answer:
        """The reporter adds to their case without an account (rate limited)."""
        self._lookup(caller)
        receipt, now = self._receipt(cmd.receipt_code, ctx), self.clock()
        self._stored(cmd.attachments)
        attachments = tuple(a.to_dict() for a in cmd.attachments)
        self.receipts.execute(
            receipt.id, lambda r: r.add_information(cmd.text, attachments, now), ctx
        )
        return self._follow(p.FollowComplaint(cmd.receipt_code), ctx)

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
