"""Rectification of a ledger item (整改): measures, a supervising leader (挂名督办)
and a deadline, progress notes, and submission for verification.

Every command checks all its rules before raising anything: nothing half-applied.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from services.common.errors import InvalidInput
from services.ledger.domain.errors import (
    DeadlineBeforeFound,
    MeasureRequired,
    ReasonRequired,
    RectificationIncomplete,
    SupervisorNotEligible,
    SupervisorOfAnotherBureau,
    required,
)
from services.ledger.domain.events import (
    DeadlineSet,
    MeasureAdded,
    ProgressNoted,
    RectificationSubmitted,
    SupervisorNamed,
)
from services.ledger.domain.item_state import LedgerItemState
from services.ledger.domain.model import Evidence, ItemState, SupervisorEligibility

S = ItemState


class ItemRectification(LedgerItemState):
    """The rectifying half of a ledger item's decisions (see `LedgerItem`)."""

    def plan(
        self,
        measures: Sequence[str],
        leader_id: str,
        leader_bureau_id: str,
        eligibility: SupervisorEligibility,
        deadline: date,
        actor: str,
        at: datetime,
    ) -> None:
        """Measures, supervising leader and deadline in one go, all checked first;
        moving a deadline already set goes through `set_deadline`, with a reason."""
        self._require_open("plan", "制定整改措施", "planning")
        texts = _measures(measures)
        self._check_supervisor(leader_id, leader_bureau_id, eligibility)
        self._check_deadline(deadline)
        if self.deadline is not None and deadline != self.deadline:
            raise ReasonRequired(action="set_deadline")
        for text in texts:
            self._raise(MeasureAdded(len(self.measures) + 1, text, actor, at))
        if leader_id != self.leader_id:
            self._raise(
                SupervisorNamed(
                    self.id, self.bureau_id, leader_id, self.leader_id, actor, at
                )
            )
        if deadline != self.deadline:
            self._raise(DeadlineSet(deadline, self.deadline, actor, at))

    def add_measure(self, text: str, actor: str, at: datetime) -> None:
        self._require_open("add_measure", "增加整改措施", "a new measure")
        (measure,) = _measures([text])
        self._raise(MeasureAdded(len(self.measures) + 1, measure, actor, at))

    def name_supervisor(
        self,
        leader_id: str,
        leader_bureau_id: str,
        eligibility: SupervisorEligibility,
        actor: str,
        at: datetime,
    ) -> None:
        """挂名督办: a party committee member or unit head of this item's bureau."""
        self._require_open("name_supervisor", "更换督办领导", "a new supervisor")
        self._check_supervisor(leader_id, leader_bureau_id, eligibility)
        if leader_id != self.leader_id:
            self._raise(
                SupervisorNamed(
                    self.id, self.bureau_id, leader_id, self.leader_id, actor, at
                )
            )

    def set_deadline(
        self, deadline: date, actor: str, at: datetime, reason: str = ""
    ) -> None:
        """Set the deadline; moving one already set needs a reason."""
        self._require_open("set_deadline", "调整整改期限", "a new deadline")
        self._check_deadline(deadline)
        if self.deadline is not None:
            reason = required(reason, "set_deadline")
        if deadline != self.deadline:
            self._raise(DeadlineSet(deadline, self.deadline, actor, at, reason.strip()))

    def note_progress(
        self,
        note: str,
        actor: str,
        at: datetime,
        evidence: Sequence[Evidence] = (),
    ) -> None:
        self._require_open("note_progress", "记录整改进展", "a progress note")
        if not note.strip():
            raise InvalidInput(fields={"note": "required"})
        self._raise(
            ProgressNoted(note.strip(), tuple(e.to_dict() for e in evidence), actor, at)
        )

    def submit(
        self,
        summary: str,
        actor: str,
        at: datetime,
        evidence: Sequence[Evidence] = (),
    ) -> None:
        """Hand the rectification in for verification (验收)."""
        self._require_open("submit", "提交验收", "submission")
        self._require("submit", S.OPEN)
        missing = [
            (zh, en)
            for zh, en, there in (
                ("整改措施", "measures", bool(self.measures)),
                ("督办领导", "a supervising leader", self.leader_id is not None),
                ("整改期限", "a deadline", self.deadline is not None),
            )
            if not there
        ]
        if missing:
            raise RectificationIncomplete(
                item_id=self.id,
                missing_zh="、".join(zh for zh, _ in missing),
                missing_en=", ".join(en for _, en in missing),
            )
        if not summary.strip():
            raise InvalidInput(fields={"summary": "required"})
        self._raise(
            RectificationSubmitted(
                summary.strip(), tuple(e.to_dict() for e in evidence), actor, at
            )
        )

    # -- rules -----------------------------------------------------------------

    def _check_supervisor(
        self, leader_id: str, leader_bureau_id: str, eligibility: SupervisorEligibility
    ) -> None:
        if not leader_id.strip():
            raise InvalidInput(fields={"leader_id": "required"})
        if not leader_bureau_id == eligibility.bureau_id == self.bureau_id:
            raise SupervisorOfAnotherBureau(
                leader_id=leader_id, bureau_id=self.bureau_id
            )
        if not eligibility.allows(leader_id):
            raise SupervisorNotEligible(leader_id=leader_id)

    def _check_deadline(self, deadline: date) -> None:
        assert self.found_on is not None
        if deadline < self.found_on:
            raise DeadlineBeforeFound(
                deadline=deadline.isoformat(), found_on=self.found_on.isoformat()
            )


def _measures(measures: Sequence[str]) -> list[str]:
    texts = [m.strip() for m in measures if m.strip()]
    if not texts:
        raise MeasureRequired()
    return list(dict.fromkeys(texts))
