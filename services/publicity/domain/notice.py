"""Notice (通报): criticism or commendation issued by the leading group — drafted
(by hand or from another service's event), approved by a leading group member,
published; withdrawing one is an event, never a deletion."""

from __future__ import annotations

from datetime import datetime
from typing import NoReturn

from eventing.aggregate import Aggregate, DomainEvent
from services.common.errors import InvalidInput
from services.publicity.domain.errors import (
    IllegalTransition,
    NotAnApprover,
    NotApproved,
    NotTheOffice,
    ReasonRequired,
)
from services.publicity.domain.events import (
    NoticeApproved,
    NoticeDrafted,
    NoticePublished,
    NoticeWithdrawn,
)
from services.publicity.domain.model import BodyFormat, NoticeKind, NoticeState
from services.publicity.domain.sanitize import check_body, render


class Notice(Aggregate):
    """One notice of one bureau."""

    category = "notice"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.state = NoticeState.NEW
        self.bureau_id = ""
        self.kind = NoticeKind.CRITICISM
        self.unit_id: str | None = None
        self.title = ""
        self.body = ""
        self.html = ""
        self.source: tuple[str | None, str | None, str | None] = (None, None, None)
        self.approver_id: str | None = None
        self.withdrawal_reason: str | None = None

    def draft(
        self,
        bureau_id: str,
        kind: NoticeKind,
        unit_id: str | None,
        title: str,
        body: str,
        actor: str,
        at: datetime,
        source: tuple[str | None, str | None, str | None] = (None, None, None),
    ) -> bool:
        """Draft it; False if this notice was drafted already (a redelivery)."""
        if self.state is not NoticeState.NEW:
            return False
        if not title.strip():
            raise InvalidInput(fields={"title": "required"})
        text = check_body(body)
        self._raise(
            NoticeDrafted(
                self.id,
                bureau_id,
                kind.value,
                unit_id,
                title.strip()[:200],
                text,
                render(text, BodyFormat.MARKDOWN),
                *source,
                actor,
                at,
            )
        )
        return True

    def approve(self, approver_id: str, in_leading_group: bool, at: datetime) -> None:
        if self.state is not NoticeState.DRAFTED:
            self._illegal("approve")
        if not in_leading_group:
            raise NotAnApprover(person_id=approver_id)
        self._raise(NoticeApproved(self.id, self.bureau_id, approver_id, at))

    def publish(self, actor: str, by_office: bool, at: datetime) -> None:
        if self.state is NoticeState.DRAFTED:
            raise NotApproved(notice_id=self.id)
        if self.state is not NoticeState.APPROVED:
            self._illegal("publish")
        if not by_office:
            raise NotTheOffice(action_zh="发布通报", action_en="publish notices")
        assert self.approver_id is not None  # set by NoticeApproved
        self._raise(
            NoticePublished(
                self.id,
                self.bureau_id,
                self.kind.value,
                self.unit_id,
                self.title,
                self.html,
                self.approver_id,
                actor,
                at,
            )
        )

    def withdraw(self, reason: str, actor: str, at: datetime) -> None:
        if self.state in (NoticeState.NEW, NoticeState.WITHDRAWN):
            self._illegal("withdraw")
        if not reason.strip():
            raise ReasonRequired(action="withdraw")
        self._raise(
            NoticeWithdrawn(
                self.id,
                self.bureau_id,
                reason.strip(),
                self.state is NoticeState.PUBLISHED,
                actor,
                at,
            )
        )

    def _illegal(self, action: str) -> NoReturn:
        raise IllegalTransition(
            kind="notice", id=self.id, state=self.state.value, action=action
        )

    def apply(self, event: DomainEvent) -> None:
        match event:
            case NoticeDrafted():
                self.state = NoticeState.DRAFTED
                self.bureau_id, self.kind = event.bureau_id, NoticeKind(event.kind)
                self.unit_id, self.title = event.unit_id, event.title
                self.body, self.html = event.body, event.html
                self.source = (
                    event.source_service,
                    event.source_event,
                    event.source_reference,
                )
            case NoticeApproved(approver_id=approver):
                self.state = NoticeState.APPROVED
                self.approver_id = approver
            case NoticePublished():
                self.state = NoticeState.PUBLISHED
            case NoticeWithdrawn(reason=reason):
                self.state = NoticeState.WITHDRAWN
                self.withdrawal_reason = reason
