"""Talk: a talk a rule requires (诫勉谈话, 约谈), tracked until it is held."""

from __future__ import annotations

from datetime import date, datetime

from eventing.aggregate import Aggregate, DomainEvent
from services.common.errors import NotFound
from services.evaluation.domain.errors import AlreadyExists, TalkAlreadyHeld
from services.evaluation.domain.events import (
    TalkBecameOverdue,
    TalkHeld,
    TalkRequired,
)


class Talk(Aggregate):
    """Who, with whom, by when, held on, the record; overdue when not held in time."""

    category = "talk"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.required: TalkRequired | None = None
        self.held: TalkHeld | None = None
        self.marked_overdue = False

    @property
    def bureau_id(self) -> str | None:
        return self.required.bureau_id if self.required else None

    def require(self, required: TalkRequired) -> None:
        if self.required is not None:
            raise AlreadyExists(kind_zh="谈话", kind_en="talk", id=self.id)
        self._raise(required)

    def hold(
        self, held_on: date, held_by: str, record: str, actor: str, at: datetime
    ) -> None:
        if self.required is None:
            raise NotFound(kind="talk", id=self.id)
        if self.held is not None:
            raise TalkAlreadyHeld(
                talk_id=self.id, held_on=self.held.held_on.isoformat()
            )
        self._raise(
            TalkHeld(
                self.id, self.required.bureau_id, held_on, held_by, record, actor, at
            )
        )

    def overdue(self, today: date) -> bool:
        """Not held and past its due day (a talk held late stays marked late)."""
        if self.required is None:
            return False
        if self.held is not None:
            return self.held.held_on > self.required.due_on
        return today > self.required.due_on

    def mark_overdue(self, today: date) -> bool:
        """Record, once, that the talk was not held by its due day."""
        req = self.required
        if req is None or self.held is not None or self.marked_overdue:
            return False
        if not today > req.due_on:
            return False
        self._raise(
            TalkBecameOverdue(
                self.id,
                req.bureau_id,
                req.kind,
                req.person_id,
                req.held_by,
                req.due_on,
                today,
            )
        )
        return True

    def apply(self, event: DomainEvent) -> None:
        match event:
            case TalkRequired():
                self.required = event
            case TalkHeld():
                self.held = event
            case TalkBecameOverdue():
                self.marked_overdue = True
