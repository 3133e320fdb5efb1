"""The state of a ledger item, rebuilt from its events: fields, `apply`, guards.

The decisions live in `item.py`; overdue and escalation in `escalation.py`.
"""

from __future__ import annotations

from datetime import date

from eventing.aggregate import Aggregate, DomainEvent
from services.ledger.domain.errors import ItemClosed, illegal
from services.ledger.domain.events import (
    DeadlineSet,
    ItemEscalated,
    ItemOpened,
    ItemOverdue,
    ItemReopened,
    ItemVerified,
    MeasureAdded,
    ProgressNoted,
    RectificationRejected,
    RectificationSubmitted,
    SupervisorNamed,
)
from services.ledger.domain.model import (
    Category,
    CheckDimension,
    ItemState,
    Level,
    Source,
)

S = ItemState


class LedgerItemState(Aggregate):
    """Everything known about one ledger item, as its events left it."""

    category = "ledger_item"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.state = S.NEW
        self.bureau_id = ""
        self.unit_id: str | None = None
        self.person_id: str | None = None
        self.level = Level.UNIT
        self.problem_category = Category.LAX
        self.check_dimension: CheckDimension | None = None
        self.source = Source.SELF_INSPECTION
        self.reference = ""
        self.description = ""
        self.first_found_on: date | None = None
        self.found_on: date | None = None  # of the current round (after a reopening)
        self.measures: list[str] = []
        self.leader_id: str | None = None
        self.deadline: date | None = None
        self.notes: list[str] = []
        self.submitted_by: str | None = None
        self.verifier_id: str | None = None
        self.verified_on: date | None = None
        self.rejections = 0
        self.reopenings = 0
        self.overdue_since: date | None = None  # this round's ItemOverdue, if raised
        self.escalation_level = 0  # this round's highest ItemEscalated level

    @property
    def is_closed(self) -> bool:
        return self.state is S.CLOSED

    def _require(self, action: str, *allowed: ItemState) -> None:
        if self.state not in allowed:
            raise illegal(self.category, self.id, self.state.value, action)

    def _require_open(self, action: str, action_zh: str, action_en: str) -> None:
        """Rectifying work is refused on a closed item, and on one never opened."""
        if self.state is S.CLOSED:
            raise ItemClosed(item_id=self.id, action_zh=action_zh, action_en=action_en)
        self._require(action, S.OPEN, S.SUBMITTED)

    def apply(self, event: DomainEvent) -> None:
        match event:
            case ItemOpened():
                self.state = S.OPEN
                self.bureau_id = event.bureau_id
                self.unit_id = event.unit_id
                self.person_id = event.person_id
                self.level = event.level
                self.problem_category = event.category
                self.check_dimension = event.check_dimension
                self.source = event.source
                self.reference = event.reference
                self.description = event.description
                self.first_found_on = self.found_on = event.found_on
            case MeasureAdded():
                self.measures.append(event.text)
            case SupervisorNamed():
                self.leader_id = event.leader_id
            case DeadlineSet():
                self.deadline = event.deadline
            case ProgressNoted():
                self.notes.append(event.note)
            case RectificationSubmitted():
                self.state = S.SUBMITTED
                self.submitted_by = event.actor
            case ItemVerified():
                self.state = S.CLOSED
                self.verifier_id = event.verifier_id
                self.verified_on = event.verified_on
            case RectificationRejected():
                self.state = S.OPEN
                self.submitted_by = None
                self.rejections += 1
            case ItemReopened():
                self.state = S.OPEN
                self.found_on = event.found_on
                self.deadline = event.deadline
                self.submitted_by = None
                self.verifier_id = None
                self.verified_on = None
                self.reopenings += 1
                self.overdue_since = None
                self.escalation_level = 0
            case ItemOverdue():
                self.overdue_since = event.on
            case ItemEscalated():
                self.escalation_level = max(self.escalation_level, event.level)
