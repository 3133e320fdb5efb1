"""Commitment (公开承诺): by the bureau head (on the district TV's 「一把手话作风」)
and by every unit (bulletin board, display panel); published, later reviewed as
kept, partly kept or not kept."""

from __future__ import annotations

from datetime import date, datetime
from typing import NoReturn

from eventing.aggregate import Aggregate, DomainEvent
from services.common.errors import InvalidInput
from services.publicity.domain.errors import (
    AlreadyExists,
    AlreadyReviewed,
    IllegalTransition,
)
from services.publicity.domain.events import (
    CommitmentMade,
    CommitmentPublished,
    CommitmentReviewed,
)
from services.publicity.domain.model import CommitmentChannel, CommitmentStatus

TEXT_MAX = 5000


class Commitment(Aggregate):
    category = "commitment"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.status: CommitmentStatus | None = None
        self.made: CommitmentMade | None = None
        self.remarks = ""

    @property
    def bureau_id(self) -> str:
        return self.made.bureau_id if self.made else ""

    def make(
        self,
        bureau_id: str,
        unit_id: str | None,
        maker_id: str,
        text: str,
        made_on: date,
        channel: CommitmentChannel,
        actor: str,
        at: datetime,
    ) -> None:
        if self.made is not None:
            raise AlreadyExists(kind="commitment", id=self.id)
        if not text.strip():
            raise InvalidInput(fields={"text": "required"})
        if len(text) > TEXT_MAX:
            raise InvalidInput(fields={"text": "too_long"})
        self._raise(
            CommitmentMade(
                self.id,
                bureau_id,
                unit_id,
                maker_id,
                text.strip(),
                made_on,
                channel.value,
                actor,
                at,
            )
        )

    def publish(self, actor: str, at: datetime) -> None:
        if self.made is None or self.status is not CommitmentStatus.MADE:
            self._illegal("publish")
        m = self.made
        self._raise(
            CommitmentPublished(
                self.id,
                m.bureau_id,
                m.unit_id,
                m.maker_id,
                m.text,
                m.made_on,
                m.channel,
                actor,
                at,
            )
        )

    def review(
        self,
        status: CommitmentStatus,
        remarks: str,
        reviewed_on: date,
        actor: str,
        at: datetime,
    ) -> None:
        """Whether it was kept; once, and only of a published commitment."""
        if status not in (
            CommitmentStatus.KEPT,
            CommitmentStatus.PARTLY_KEPT,
            CommitmentStatus.NOT_KEPT,
        ):
            raise InvalidInput(fields={"status": "not_allowed"})
        if self.status in (
            CommitmentStatus.KEPT,
            CommitmentStatus.PARTLY_KEPT,
            CommitmentStatus.NOT_KEPT,
        ):
            raise AlreadyReviewed(commitment_id=self.id)
        if self.made is None or self.status is not CommitmentStatus.PUBLISHED:
            self._illegal("review")
        if status is not CommitmentStatus.KEPT and not remarks.strip():
            raise InvalidInput(fields={"remarks": "required"})
        self._raise(
            CommitmentReviewed(
                self.id,
                self.made.bureau_id,
                self.made.unit_id,
                status.value,
                remarks.strip(),
                reviewed_on,
                actor,
                at,
            )
        )

    def _illegal(self, action: str) -> NoReturn:
        state = self.status.value if self.status else "new"
        raise IllegalTransition(
            kind="commitment", id=self.id, state=state, action=action
        )

    def apply(self, event: DomainEvent) -> None:
        match event:
            case CommitmentMade():
                self.made = event
                self.status = CommitmentStatus.MADE
            case CommitmentPublished():
                self.status = CommitmentStatus.PUBLISHED
            case CommitmentReviewed(status=status, remarks=remarks):
                self.status = CommitmentStatus(status)
                self.remarks = remarks
