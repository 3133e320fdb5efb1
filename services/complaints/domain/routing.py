"""Routing and deadlines of a complaint: send-back (退单), transfer (转办), one
extension, and recomputing after a year's holiday schedule is loaded.

None of these restarts the clock: the deadlines stay those computed from receipt.
"""

from __future__ import annotations

from datetime import datetime

from services.common.errors import InvalidInput
from services.complaints.domain.deadlines import DeadlinePolicy
from services.complaints.domain.errors import (
    ApproverRequired,
    ExtensionAlreadyUsed,
    ReasonRequired,
    SameUnit,
    required,
)
from services.complaints.domain.events import (
    ComplaintSentBack,
    ComplaintTransferred,
    DeadlineExtended,
    DeadlinesRecomputed,
)
from services.complaints.domain.model import Stage, State
from services.complaints.domain.state import HANDLING, ComplaintState

S = State


class RoutedComplaint(ComplaintState):
    """The routing and deadline decisions of a complaint."""

    def send_back(self, reason: str, approver: str, actor: str, at: datetime) -> None:
        """退单: back to the dispatcher to assign again; the clock keeps running."""
        self._require("send_back", S.ASSIGNED, S.INVESTIGATING)
        reason = required(reason, ReasonRequired, "send_back")
        approver = required(approver, ApproverRequired, "send_back")
        self._raise(ComplaintSentBack(approver, actor, at, reason))

    def transfer(
        self,
        to_unit_id: str | None,
        reason: str,
        approver: str,
        actor: str,
        at: datetime,
    ) -> None:
        """转办 to another unit (None: the bureau); the clock keeps running."""
        self._require("transfer", S.RECEIVED, *HANDLING)
        reason = required(reason, ReasonRequired, "transfer")
        approver = required(approver, ApproverRequired, "transfer")
        if to_unit_id == self.unit_id:
            raise SameUnit(complaint_id=self.id)
        self._raise(
            ComplaintTransferred(self.unit_id, to_unit_id, approver, actor, at, reason)
        )

    def extend_deadline(
        self,
        working_days: int,
        reason: str,
        approver: str,
        policy: DeadlinePolicy,
        actor: str,
        at: datetime,
    ) -> None:
        """Extend the running deadline once per case, with a reason and an approver."""
        stage = self.stage
        if stage is None:
            raise self._illegal("extend_deadline")
        reason = required(reason, ReasonRequired, "extend_deadline")
        approver = required(approver, ApproverRequired, "extend_deadline")
        if self.extended:
            raise ExtensionAlreadyUsed(complaint_id=self.id)
        if not 1 <= working_days <= 60:
            raise InvalidInput(fields={"working_days": "out_of_range"})
        new = policy.due(stage, policy.local_date(self.starts[stage]), working_days)
        self._raise(
            DeadlineExtended(
                stage,
                working_days,
                self.due[stage],
                new.day,
                approver,
                actor,
                at,
                reason,
            )
        )

    def recompute_deadlines(
        self, policy: DeadlinePolicy, actor: str, at: datetime, reason: str
    ) -> bool:
        """After a year's schedule is loaded: redo deadlines computed on Mon–Fri.

        Raises an event only if something changed; returns whether it did.
        """
        if not self.is_open or not self.assumed_years:
            return False
        dues = {
            stage: policy.due(stage, policy.local_date(start), self.extra.get(stage, 0))
            for stage, start in self.starts.items()
        }
        assumed = tuple(sorted({y for d in dues.values() for y in d.assumed_years}))
        days = {stage: d.day for stage, d in dues.items()}
        if days == self.due and assumed == self.assumed_years:
            return False
        self._raise(
            DeadlinesRecomputed(
                days[Stage.ACCEPTANCE],
                days[Stage.INVESTIGATION],
                days.get(Stage.REPLY),
                assumed,
                actor,
                at,
                required(reason, ReasonRequired, "recompute_deadlines"),
            )
        )
        return True
