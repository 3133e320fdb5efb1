"""Article: submitted by a unit's info officer, reviewed by the leading group
office (accepted, or returned with a reason and resubmitted), then published on
one or more channels."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import NoReturn

from eventing.aggregate import Aggregate, DomainEvent
from services.common.errors import InvalidInput
from services.publicity.domain.errors import (
    AlreadyExists,
    AlreadyPublished,
    IllegalTransition,
    NotAccepted,
    NotTheInfoOfficer,
    NotTheOffice,
    ReasonRequired,
)
from services.publicity.domain.events import (
    ArticleAccepted,
    ArticlePublished,
    ArticleResubmitted,
    ArticleReturned,
    ArticleSubmitted,
)
from services.publicity.domain.model import (
    ArticleState,
    Attachment,
    BodyFormat,
    Channel,
    Review,
)
from services.publicity.domain.sanitize import check_body, render

TITLE_MAX = 200


def _title(title: str) -> str:
    text = title.strip()
    if not text:
        raise InvalidInput(fields={"title": "required"})
    if len(text) > TITLE_MAX:
        raise InvalidInput(fields={"title": "too_long"})
    return text


class Article(Aggregate):
    """One article of one unit."""

    category = "article"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.state = ArticleState.NEW
        self.bureau_id = ""
        self.unit_id = ""
        self.author_id = ""
        self.title = ""
        self.body = ""
        self.body_format = BodyFormat.MARKDOWN
        self.html = ""
        self.channel_wanted = Channel.WEBSITE
        self.attachments: tuple[dict[str, object], ...] = ()
        self.submitted_at: datetime | None = None
        self.returns: list[str] = []
        self.resubmissions = 0
        self.publications: dict[str, tuple[date, str | None]] = {}

    def submit(
        self,
        bureau_id: str,
        unit_id: str,
        author_id: str,
        info_officer_id: str | None,
        title: str,
        body: str,
        body_format: BodyFormat,
        channel_wanted: Channel,
        attachments: Sequence[Attachment],
        at: datetime,
    ) -> None:
        if self.state is not ArticleState.NEW:
            raise AlreadyExists(kind="article", id=self.id)
        if author_id != info_officer_id:
            raise NotTheInfoOfficer(person_id=author_id, unit_id=unit_id)
        text = check_body(body)
        self._raise(
            ArticleSubmitted(
                self.id,
                bureau_id,
                unit_id,
                author_id,
                _title(title),
                text,
                body_format.value,
                render(text, body_format),
                channel_wanted.value,
                tuple(a.to_dict() for a in attachments),
                at,
            )
        )

    def review(
        self,
        outcome: Review,
        reason: str,
        reviewer_id: str,
        by_office: bool,
        at: datetime,
    ) -> None:
        """The leading group office accepts it, or returns it with a reason."""
        if not by_office:
            raise NotTheOffice(action_zh="审核稿件", action_en="review articles")
        if self.state is not ArticleState.SUBMITTED:
            self._illegal("review")
        if outcome is Review.ACCEPTED:
            self._raise(
                ArticleAccepted(self.id, self.bureau_id, self.unit_id, reviewer_id, at)
            )
            return
        if not reason.strip():
            raise ReasonRequired(action="return")
        self._raise(
            ArticleReturned(
                self.id, self.bureau_id, self.unit_id, reason.strip(), reviewer_id, at
            )
        )

    def resubmit(
        self,
        author_id: str,
        info_officer_id: str | None,
        title: str,
        body: str,
        body_format: BodyFormat,
        attachments: Sequence[Attachment],
        at: datetime,
    ) -> None:
        if self.state is not ArticleState.RETURNED:
            self._illegal("resubmit")
        if author_id != info_officer_id:
            raise NotTheInfoOfficer(person_id=author_id, unit_id=self.unit_id)
        text = check_body(body)
        self._raise(
            ArticleResubmitted(
                self.id,
                self.bureau_id,
                self.unit_id,
                author_id,
                _title(title),
                text,
                body_format.value,
                render(text, body_format),
                tuple(a.to_dict() for a in attachments),
                at,
            )
        )

    def publish(
        self,
        channel: Channel,
        published_on: date,
        issue: str | None,
        actor: str,
        by_office: bool,
        at: datetime,
    ) -> None:
        """Only an accepted article; the bulletin 《建设动态》 needs an issue number."""
        if not by_office:
            raise NotTheOffice(action_zh="发布稿件", action_en="publish articles")
        if self.state not in (ArticleState.ACCEPTED, ArticleState.PUBLISHED):
            raise NotAccepted(article_id=self.id, state=self.state.value)
        if channel.value in self.publications:
            raise AlreadyPublished(article_id=self.id, channel=channel.value)
        if channel is Channel.BULLETIN and not (issue or "").strip():
            raise InvalidInput(fields={"issue": "required"})
        self._raise(
            ArticlePublished(
                self.id,
                self.bureau_id,
                self.unit_id,
                self.author_id,
                self.title,
                self.html,
                channel.value,
                published_on,
                (issue or "").strip() or None,
                actor,
                at,
            )
        )

    def _illegal(self, action: str) -> NoReturn:
        raise IllegalTransition(
            kind="article", id=self.id, state=self.state.value, action=action
        )

    def apply(self, event: DomainEvent) -> None:
        match event:
            case ArticleSubmitted():
                self.state = ArticleState.SUBMITTED
                self.bureau_id, self.unit_id = event.bureau_id, event.unit_id
                self.author_id, self.title = event.author_id, event.title
                self.body, self.html = event.body, event.html
                self.body_format = BodyFormat(event.body_format)
                self.channel_wanted = Channel(event.channel_wanted)
                self.attachments = event.attachments
                self.submitted_at = event.at
            case ArticleReturned(reason=reason):
                self.state = ArticleState.RETURNED
                self.returns.append(reason)
            case ArticleResubmitted():
                self.state = ArticleState.SUBMITTED
                self.author_id, self.title = event.author_id, event.title
                self.body, self.html = event.body, event.html
                self.body_format = BodyFormat(event.body_format)
                self.attachments = event.attachments
                self.resubmissions += 1
            case ArticleAccepted():
                self.state = ArticleState.ACCEPTED
            case ArticlePublished():
                self.state = ArticleState.PUBLISHED
                self.publications[event.channel] = (event.published_on, event.issue)
