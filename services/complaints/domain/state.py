"""The state of a complaint, rebuilt from its events: fields, reading, `apply`.

The decisions (what may happen next, and which events that raises) live in
`complaint.py` and `routing.py`; this module evolves state and offers the guards
every decision starts with.
"""

from __future__ import annotations

from datetime import date, datetime

from eventing.aggregate import Aggregate, DomainEvent
from services.common.errors import DomainError, NotFound
from services.complaints.domain.errors import IllegalTransition, NotTheInvestigator
from services.complaints.domain.events import (
    AccountabilityDecided,
    ComplaintAccepted,
    ComplaintClosed,
    ComplaintConcluded,
    ComplaintOverdue,
    ComplaintReceived,
    ComplaintRejected,
    ComplaintReopened,
    ComplaintSentBack,
    ComplaintTransferred,
    CriticismProposed,
    DeadlineDueSoon,
    DeadlineExtended,
    DeadlinesRecomputed,
    DuplicateFlagged,
    InvestigationStarted,
    InvestigatorAssigned,
    ReporterReplied,
    SatisfactionRecorded,
)
from services.complaints.domain.model import (
    AccountabilityKind,
    Attachment,
    Category,
    Channel,
    Outcome,
    Satisfaction,
    Stage,
    State,
)

S = State
HANDLING = (S.ACCEPTED, S.ASSIGNED, S.INVESTIGATING)
STAGE_OF: dict[State, Stage] = {
    S.RECEIVED: Stage.ACCEPTANCE,
    **dict.fromkeys(HANDLING, Stage.INVESTIGATION),
    S.CONCLUDED: Stage.REPLY,
    S.ACCOUNTABILITY_DECIDED: Stage.REPLY,
}


class ComplaintState(Aggregate):
    """Everything known about one complaint, as its events left it."""

    category = "complaint"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.state = State.NEW
        self.bureau_id = ""
        self.unit_id: str | None = None
        self.channel = Channel.HOTLINE
        self.problem_category = Category.LAX
        self.description = ""
        self.attachments: list[Attachment] = []
        self.reporter_ref: str | None = None
        self.receipt_code_hash = ""
        self.received_at: datetime | None = None
        self.due: dict[Stage, date] = {}
        self.starts: dict[Stage, datetime] = {}
        self.extra: dict[Stage, int] = {}
        self.assumed_years: tuple[int, ...] = ()
        self.investigator_id: str | None = None
        self.outcome: Outcome | None = None
        self.findings = ""
        self.accountability: AccountabilityKind | None = None
        self.accountable_ids: tuple[str, ...] = ()
        self.satisfaction: Satisfaction | None = None
        self.resolved = False  # True only for a case closed as resolved
        self.extended = False
        self.reopen_count = 0
        self.duplicate_of: str | None = None
        # The warning ladder: what was raised, keyed by (rung, stage, deadline).
        self.due_soon_warned: set[tuple[Stage, date]] = set()
        self.overdue_days: dict[tuple[Stage, date], set[date]] = {}
        self.criticism_proposed: set[tuple[Stage, date]] = set()
        self.last_overdue: ComplaintOverdue | None = None

    # -- reading ---------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self.state not in (S.NEW, S.REJECTED, S.CLOSED)

    @property
    def stage(self) -> Stage | None:
        """The deadline the case is running against now; None when none runs."""
        return STAGE_OF.get(self.state)

    @property
    def current_due(self) -> date | None:
        stage = self.stage
        return None if stage is None else self.due.get(stage)

    # -- guards ----------------------------------------------------------------

    def _require(self, action: str, *states: State) -> None:
        if self.state not in states:
            raise self._illegal(action)

    def _illegal(self, action: str) -> DomainError:
        if self.state is S.NEW:
            return NotFound(kind="complaint", id=self.id)
        return IllegalTransition(
            complaint_id=self.id, state=self.state.value, action=action
        )

    def _require_investigator(self, actor: str) -> None:
        if actor != self.investigator_id:
            raise NotTheInvestigator(actor=actor, complaint_id=self.id)

    # -- state -----------------------------------------------------------------

    def apply(self, event: DomainEvent) -> None:
        match event:
            case ComplaintReceived():
                self.state = S.RECEIVED
                self.bureau_id, self.unit_id = event.bureau_id, event.unit_id
                self.channel, self.problem_category = event.channel, event.category
                self.description = event.description
                self.attachments = [Attachment.from_dict(a) for a in event.attachments]
                self.reporter_ref = event.reporter_ref
                self.receipt_code_hash = event.receipt_code_hash
                self.received_at = event.at
                self.starts = {
                    Stage.ACCEPTANCE: event.at,
                    Stage.INVESTIGATION: event.at,
                }
                self.due = {
                    Stage.ACCEPTANCE: event.acceptance_due,
                    Stage.INVESTIGATION: event.investigation_due,
                }
                self.assumed_years = event.assumed_years
            case ComplaintAccepted():
                self.state = S.ACCEPTED
            case ComplaintRejected():
                self.state = S.REJECTED
            case InvestigatorAssigned(investigator_id=investigator_id):
                self.state = S.ASSIGNED
                self.investigator_id = investigator_id
            case InvestigationStarted():
                self.state = S.INVESTIGATING
            case ComplaintConcluded():
                self.state = S.CONCLUDED
                self.outcome, self.findings = event.outcome, event.findings
                self.starts[Stage.REPLY] = event.at
                self.due[Stage.REPLY] = event.reply_due
            case AccountabilityDecided():
                self.state = S.ACCOUNTABILITY_DECIDED
                self.accountability = event.kind
                self.accountable_ids = event.person_ids
            case ReporterReplied():
                self.state = S.REPLIED
            case SatisfactionRecorded(satisfaction=satisfaction):
                self.state = S.SATISFACTION_RECORDED
                self.satisfaction = satisfaction
            case ComplaintReopened():
                # Re-handling goes back to the same investigator; a new round.
                self.state = S.ASSIGNED if self.investigator_id else S.ACCEPTED
                self.reopen_count += 1
                self.resolved = False
                self.outcome, self.findings = None, ""
                self.accountability, self.accountable_ids = None, ()
                self.satisfaction = None
                self.starts[Stage.INVESTIGATION] = event.at
                self.extra.pop(Stage.INVESTIGATION, None)
                self.starts.pop(Stage.REPLY, None)
                self.due.pop(Stage.REPLY, None)
                self.due[Stage.INVESTIGATION] = event.investigation_due
                self.assumed_years = event.assumed_years
            case ComplaintClosed(resolved=resolved):
                self.state = S.CLOSED
                self.resolved = resolved
            case ComplaintSentBack():
                self.state = S.ACCEPTED
                self.investigator_id = None
            case ComplaintTransferred(to_unit_id=to_unit_id):
                self.unit_id = to_unit_id
                if self.state is not S.RECEIVED:
                    self.state = S.ACCEPTED
                    self.investigator_id = None
            case DeadlineExtended(stage=stage, new_due=new_due):
                self.extended = True
                self.due[stage] = new_due
                self.extra[stage] = event.working_days
            case DeadlinesRecomputed():
                self.due[Stage.ACCEPTANCE] = event.acceptance_due
                self.due[Stage.INVESTIGATION] = event.investigation_due
                if event.reply_due is not None:
                    self.due[Stage.REPLY] = event.reply_due
                self.assumed_years = event.assumed_years
            case DuplicateFlagged(duplicate_of=duplicate_of):
                self.duplicate_of = duplicate_of
            case DeadlineDueSoon(stage=stage, deadline=deadline):
                self.due_soon_warned.add((stage, deadline))
            case ComplaintOverdue(stage=stage, deadline=deadline, day=day):
                self.overdue_days.setdefault((stage, deadline), set()).add(day)
                self.last_overdue = event
            case CriticismProposed(stage=stage, deadline=deadline):
                self.criticism_proposed.add((stage, deadline))
