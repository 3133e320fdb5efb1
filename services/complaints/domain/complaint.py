"""Complaint (监督投诉): one report from intake to closure — 有举必查, 有查必果.

Deadlines are computed here from a `DeadlinePolicy` handed in (settings + calendar);
the clock starts at receipt and neither a send-back nor a transfer restarts it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from services.common.errors import InvalidInput
from services.complaints.domain.deadlines import DeadlinePolicy
from services.complaints.domain.errors import (
    AccountabilityNotApplicable,
    AccountabilityPersonsInvalid,
    AccountabilityUndecided,
    AlreadyExists,
    FindingsRequired,
    ReasonRequired,
    ReceiptCodeNotHashed,
    required,
)
from services.complaints.domain.events import (
    AccountabilityDecided,
    ComplaintAccepted,
    ComplaintClosed,
    ComplaintConcluded,
    ComplaintOverdue,
    ComplaintReceived,
    ComplaintRejected,
    ComplaintReopened,
    ComplaintSubstantiated,
    CriticismProposed,
    DeadlineDueSoon,
    DuplicateFlagged,
    InvestigationStarted,
    InvestigatorAssigned,
    ReporterReplied,
    SatisfactionRecorded,
)
from services.complaints.domain.model import (
    SHA256_HEX,
    SUBSTANTIATED,
    AccountabilityKind,
    Attachment,
    Category,
    Channel,
    Outcome,
    ReopenCause,
    Satisfaction,
    Stage,
    State,
)
from services.complaints.domain.routing import RoutedComplaint
from services.complaints.domain.state import HANDLING

S = State


class Complaint(RoutedComplaint):
    """A report against a unit (or the bureau) and everything done about it."""

    # -- intake ----------------------------------------------------------------

    def receive(
        self,
        bureau_id: str,
        unit_id: str | None,
        channel: Channel,
        problem_category: Category,
        description: str,
        attachments: Sequence[Attachment],
        reporter_ref: str | None,
        receipt_code_hash: str,
        policy: DeadlinePolicy,
        actor: str,
        at: datetime,
    ) -> None:
        """Log a report from any channel; both deadlines run from this moment."""
        if self.state is not S.NEW:
            raise AlreadyExists(kind="complaint", id=self.id)
        if not SHA256_HEX.match(receipt_code_hash):
            raise ReceiptCodeNotHashed()
        if not description.strip():
            raise InvalidInput(fields={"description": "required"})
        today = policy.local_date(at)
        acceptance = policy.due(Stage.ACCEPTANCE, today)
        investigation = policy.due(Stage.INVESTIGATION, today)
        self._raise(
            ComplaintReceived(
                self.id,
                bureau_id,
                unit_id,
                channel,
                problem_category,
                description.strip(),
                tuple(a.to_dict() for a in attachments),
                reporter_ref,
                receipt_code_hash,
                acceptance.day,
                investigation.day,
                tuple(
                    sorted({*acceptance.assumed_years, *investigation.assumed_years})
                ),
                actor,
                at,
            )
        )

    def accept(self, actor: str, at: datetime, reason: str = "") -> None:
        self._require("accept", S.RECEIVED)
        self._raise(ComplaintAccepted(actor, at, reason))

    def reject(self, reason: str, actor: str, at: datetime) -> None:
        self._require("reject", S.RECEIVED)
        self._raise(
            ComplaintRejected(actor, at, required(reason, ReasonRequired, "reject"))
        )

    def flag_duplicate(
        self, duplicate_of: str, similarity: float, actor: str, at: datetime
    ) -> None:
        """Mark as a likely duplicate of an open case, to merge; nothing is dropped."""
        self._require("flag_duplicate", S.RECEIVED, *HANDLING)
        if duplicate_of == self.id:
            raise InvalidInput(fields={"duplicate_of": "not_allowed"})
        self._raise(DuplicateFlagged(duplicate_of, similarity, actor, at))

    # -- handling --------------------------------------------------------------

    def assign(
        self, investigator_id: str, actor: str, at: datetime, reason: str = ""
    ) -> None:
        self._require("assign", S.ACCEPTED)
        self._raise(InvestigatorAssigned(investigator_id, actor, at, reason))

    def start_investigation(self, actor: str, at: datetime) -> None:
        self._require("start_investigation", S.ASSIGNED)
        self._require_investigator(actor)
        self._raise(InvestigationStarted(actor, at))

    def conclude(
        self,
        outcome: Outcome,
        findings: str,
        policy: DeadlinePolicy,
        actor: str,
        at: datetime,
        reason: str = "",
    ) -> None:
        """有查必果: an outcome with findings; a substantiated one feeds the ledger."""
        self._require("conclude", S.INVESTIGATING)
        self._require_investigator(actor)
        if not findings.strip():
            raise FindingsRequired()
        today = policy.local_date(at)
        reply = policy.due(Stage.REPLY, today)
        on_time = today <= self.due[Stage.INVESTIGATION]
        self._raise(
            ComplaintConcluded(
                outcome, findings.strip(), reply.day, on_time, actor, at, reason
            )
        )
        if outcome in SUBSTANTIATED:
            self._raise(
                ComplaintSubstantiated(
                    self.id,
                    self.bureau_id,
                    self.unit_id,
                    self.problem_category,
                    outcome,
                    self.findings,
                    actor,
                    at,
                    reason,
                )
            )

    def decide_accountability(
        self,
        kind: AccountabilityKind,
        person_ids: Sequence[str],
        reason: str,
        actor: str,
        at: datetime,
    ) -> None:
        """严肃问责: only on a substantiated case; `none` needs a reason and nobody."""
        self._require("decide_accountability", S.CONCLUDED)
        if self.outcome not in SUBSTANTIATED:
            raise AccountabilityNotApplicable(complaint_id=self.id)
        persons = tuple(dict.fromkeys(p.strip() for p in person_ids if p.strip()))
        if kind is AccountabilityKind.NONE:
            if persons:
                raise AccountabilityPersonsInvalid(
                    kind=kind.value,
                    reason_zh="不应列出被问责人",
                    reason_en="no one can be held accountable under none",
                )
            reason = required(reason, ReasonRequired, "decide_accountability")
        elif not persons:
            raise AccountabilityPersonsInvalid(
                kind=kind.value,
                reason_zh="须列出被问责人",
                reason_en="name the person(s) held accountable",
            )
        self._raise(
            AccountabilityDecided(
                self.id,
                self.bureau_id,
                self.unit_id,
                kind,
                persons,
                actor,
                at,
                reason.strip(),
            )
        )

    def reply(self, text: str, actor: str, at: datetime) -> None:
        """Answer the reporter; a substantiated case needs its accountability first."""
        if self.state is S.CONCLUDED and self.outcome in SUBSTANTIATED:
            raise AccountabilityUndecided(complaint_id=self.id)
        if self.state is S.CONCLUDED or self.state is S.ACCOUNTABILITY_DECIDED:
            if not text.strip():
                raise InvalidInput(fields={"reply": "required"})
            self._raise(ReporterReplied(text.strip(), actor, at))
            return
        raise self._illegal("reply")

    def record_satisfaction(
        self,
        satisfaction: Satisfaction,
        policy: DeadlinePolicy,
        actor: str,
        at: datetime,
        reason: str = "",
    ) -> None:
        """A dissatisfied reporter reopens the case for re-handling (重办) at once."""
        self._require("record_satisfaction", S.REPLIED)
        self._raise(SatisfactionRecorded(satisfaction, actor, at, reason))
        if satisfaction is Satisfaction.DISSATISFIED:
            self._reopen(
                ReopenCause.DISSATISFIED,
                reason or "举报人不满意，重办",
                policy,
                actor,
                at,
            )

    def appeal(
        self, reason: str, policy: DeadlinePolicy, actor: str, at: datetime
    ) -> None:
        self._require("appeal", S.REPLIED, S.SATISFACTION_RECORDED, S.CLOSED)
        self._reopen(
            ReopenCause.APPEAL,
            required(reason, ReasonRequired, "appeal"),
            policy,
            actor,
            at,
        )

    def close(self, resolved: bool, reason: str, actor: str, at: datetime) -> None:
        """Closed says whether the problem was resolved; unresolved never counts."""
        self._require("close", S.REPLIED, S.SATISFACTION_RECORDED)
        self._raise(
            ComplaintClosed(
                resolved, actor, at, required(reason, ReasonRequired, "close")
            )
        )

    # -- the warning ladder (raised by the scheduler, see ladder.apply_ladder) ---

    def warn_due_soon(
        self, stage: Stage, deadline: date, left: int, actor: str, at: datetime
    ) -> bool:
        """临期预警, once per deadline; False when already raised."""
        if not self.is_open or (stage, deadline) in self.due_soon_warned:
            return False
        self._raise(DeadlineDueSoon(stage, deadline, left, actor, at))
        return True

    def report_overdue(
        self,
        stage: Stage,
        deadline: date,
        day: date,
        working_days_overdue: int,
        actor: str,
        at: datetime,
    ) -> bool:
        """超期催办 for one day, copied to the supervising leader; once a day."""
        if not self.is_open or day <= deadline:
            return False
        if day in self.overdue_days.get((stage, deadline), set()):
            return False
        self._raise(
            ComplaintOverdue(
                stage,
                deadline,
                day,
                (day - deadline).days,
                working_days_overdue,
                self.bureau_id,
                self.unit_id,
                True,
                actor,
                at,
            )
        )
        return True

    def propose_criticism(
        self,
        stage: Stage,
        deadline: date,
        day: date,
        working_days_overdue: int,
        actor: str,
        at: datetime,
    ) -> bool:
        """通报批评建议, once per missed deadline."""
        if not self.is_open or (stage, deadline) in self.criticism_proposed:
            return False
        self._raise(
            CriticismProposed(
                stage,
                deadline,
                (day - deadline).days,
                working_days_overdue,
                self.bureau_id,
                self.unit_id,
                actor,
                at,
            )
        )
        return True

    # -- rules -----------------------------------------------------------------

    def _reopen(
        self,
        cause: ReopenCause,
        reason: str,
        policy: DeadlinePolicy,
        actor: str,
        at: datetime,
    ) -> None:
        due = policy.due(Stage.INVESTIGATION, policy.local_date(at))
        self._raise(
            ComplaintReopened(cause, due.day, due.assumed_years, actor, at, reason)
        )
