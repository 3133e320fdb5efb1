"""Commands of the publicity service: validated, typed, imperative names.

Each `parse` checks a raw RPC payload and raises InvalidInput naming every bad
field. Bodies are passed on as given: the domain refuses an empty, oversized or
unsafe body with its own typed error (`body_empty`, `body_too_long`, `unsafe_body`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from services.common.validation import Check
from services.publicity.domain.model import (
    Attachment,
    BodyFormat,
    Channel,
    CommendationKind,
    CommitmentChannel,
    CommitmentStatus,
    NoticeKind,
    Review,
)

Payload = dict[str, Any]

MAX_ATTACHMENTS = 10
MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024


def _body(check: Check, raw: Any) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str):
        check.fail("body", "bad_format")
        return ""
    return raw


def _format(check: Check, raw: Any) -> BodyFormat:
    if raw in (None, ""):
        return BodyFormat.MARKDOWN
    return check.choice("body_format", raw, BodyFormat) or BodyFormat.MARKDOWN


def _attachments(check: Check, raw: Any) -> tuple[Attachment, ...]:
    files = check.files(
        "attachments", raw, max_items=MAX_ATTACHMENTS, max_bytes=MAX_ATTACHMENT_BYTES
    )
    return tuple(Attachment(*f) for f in files)


@dataclass(frozen=True)
class SubmitArticle:
    """{"unit_id": "zjj.u003", "title": "房管所推行一次告知制", "body": "...",
    "body_format": "markdown", "channel_wanted": "bulletin", "attachments": []}"""

    unit_id: str
    title: str
    body: str
    body_format: BodyFormat
    channel_wanted: Channel
    attachments: tuple[Attachment, ...]

    @classmethod
    def parse(cls, raw: Payload) -> SubmitArticle:
        check = Check()
        unit_id = check.identifier("unit_id", raw.get("unit_id"))
        title = check.text("title", raw.get("title"), max_len=200)
        body = _body(check, raw.get("body"))
        fmt = _format(check, raw.get("body_format"))
        channel = check.choice(
            "channel_wanted", raw.get("channel_wanted") or "website", Channel
        )
        attachments = _attachments(check, raw.get("attachments"))
        check.done()
        assert channel is not None
        return cls(unit_id, title, body, fmt, channel, attachments)


@dataclass(frozen=True)
class ResubmitArticle:
    """{"article_id": "...", "title": "...", "body": "...", "body_format":
    "plain", "attachments": []}"""

    article_id: str
    title: str
    body: str
    body_format: BodyFormat
    attachments: tuple[Attachment, ...]

    @classmethod
    def parse(cls, raw: Payload) -> ResubmitArticle:
        check = Check()
        article_id = check.identifier("article_id", raw.get("article_id"))
        title = check.text("title", raw.get("title"), max_len=200)
        body = _body(check, raw.get("body"))
        fmt = _format(check, raw.get("body_format"))
        attachments = _attachments(check, raw.get("attachments"))
        check.done()
        return cls(article_id, title, body, fmt, attachments)


@dataclass(frozen=True)
class ReviewArticle:
    """{"article_id": "...", "outcome": "returned", "reason": "事例不具体"}"""

    article_id: str
    outcome: Review
    reason: str

    @classmethod
    def parse(cls, raw: Payload) -> ReviewArticle:
        check = Check()
        article_id = check.identifier("article_id", raw.get("article_id"))
        outcome = check.choice("outcome", raw.get("outcome"), Review)
        reason = check.text("reason", raw.get("reason"), max_len=2000, required=False)
        if outcome is Review.RETURNED and not reason:
            check.fail("reason", "required")
        check.done()
        assert outcome is not None
        return cls(article_id, outcome, reason)


@dataclass(frozen=True)
class PublishArticle:
    """{"article_id": "...", "channel": "bulletin", "published_on": "2026-03-02",
    "issue": "2026年第5期"}"""

    article_id: str
    channel: Channel
    published_on: date
    issue: str | None

    @classmethod
    def parse(cls, raw: Payload) -> PublishArticle:
        check = Check()
        article_id = check.identifier("article_id", raw.get("article_id"))
        channel = check.choice("channel", raw.get("channel"), Channel)
        published_on = check.day("published_on", raw.get("published_on"))
        issue = check.text("issue", raw.get("issue"), max_len=50, required=False)
        if channel is Channel.BULLETIN and not issue:
            check.fail("issue", "required")
        check.done()
        assert channel is not None and published_on is not None
        return cls(article_id, channel, published_on, issue or None)


@dataclass(frozen=True)
class DraftNotice:
    """{"kind": "criticism", "unit_id": "zjj.u003", "title": "关于……的通报",
    "body": "..."}"""

    kind: NoticeKind
    unit_id: str | None
    title: str
    body: str

    @classmethod
    def parse(cls, raw: Payload) -> DraftNotice:
        check = Check()
        kind = check.choice("kind", raw.get("kind"), NoticeKind)
        unit_id = check.identifier("unit_id", raw.get("unit_id"), required=False)
        title = check.text("title", raw.get("title"), max_len=200)
        body = _body(check, raw.get("body"))
        check.done()
        assert kind is not None
        return cls(kind, unit_id or None, title, body)


@dataclass(frozen=True)
class MakeCommitment:
    """{"unit_id": null, "maker_id": "zjj.1001", "text": "...", "made_on":
    "2026-02-12", "channel": "tv_interview"} (no unit: the bureau head's)"""

    unit_id: str | None
    maker_id: str
    text: str
    made_on: date
    channel: CommitmentChannel

    @classmethod
    def parse(cls, raw: Payload) -> MakeCommitment:
        check = Check()
        unit_id = check.identifier("unit_id", raw.get("unit_id"), required=False)
        maker_id = check.identifier("maker_id", raw.get("maker_id"))
        text = check.text("text", raw.get("text"), max_len=5000)
        made_on = check.day("made_on", raw.get("made_on"))
        channel = check.choice("channel", raw.get("channel"), CommitmentChannel)
        check.done()
        assert made_on is not None and channel is not None
        return cls(unit_id or None, maker_id, text, made_on, channel)


@dataclass(frozen=True)
class ReviewCommitment:
    """{"commitment_id": "...", "status": "kept", "remarks": "",
    "reviewed_on": "2026-12-20"}"""

    commitment_id: str
    status: CommitmentStatus
    remarks: str
    reviewed_on: date

    @classmethod
    def parse(cls, raw: Payload) -> ReviewCommitment:
        check = Check()
        commitment_id = check.identifier("commitment_id", raw.get("commitment_id"))
        status = check.choice("status", raw.get("status"), CommitmentStatus)
        if status in (CommitmentStatus.MADE, CommitmentStatus.PUBLISHED):
            check.fail("status", "not_allowed")
        remarks = check.text(
            "remarks", raw.get("remarks"), max_len=2000, required=False
        )
        reviewed_on = check.day("reviewed_on", raw.get("reviewed_on"))
        check.done()
        assert status is not None and reviewed_on is not None
        return cls(commitment_id, status, remarks, reviewed_on)


@dataclass(frozen=True)
class AnnounceCommendation:
    """{"kind": "model_window", "unit_id": "zjj.u006", "person_id": null,
    "title": "2026年度示范窗口", "citation": "...", "year": 2026}"""

    kind: CommendationKind
    unit_id: str | None
    person_id: str | None
    title: str
    citation: str
    year: int

    @classmethod
    def parse(cls, raw: Payload) -> AnnounceCommendation:
        check = Check()
        kind = check.choice("kind", raw.get("kind"), CommendationKind)
        unit_id = check.identifier("unit_id", raw.get("unit_id"), required=False)
        person_id = check.identifier("person_id", raw.get("person_id"), required=False)
        title = check.text("title", raw.get("title"), max_len=200)
        citation = check.text(
            "citation", raw.get("citation"), max_len=2000, required=False
        )
        year = check.number("year", raw.get("year"), low=2000, high=2100, integer=True)
        check.done()
        assert kind is not None
        return cls(kind, unit_id or None, person_id or None, title, citation, int(year))


@dataclass(frozen=True)
class IndicatorsQuery:
    """{"bureau_id": "zjj", "from": "2026-01-01", "to": "2026-12-31", "unit_id":
    null, "as_of": "2026-12-31T16:00:00+00:00"}; bureau_id, if given, must be the
    caller's."""

    bureau_id: str | None
    start: date
    end: date
    unit_id: str | None
    as_of: datetime | None

    @classmethod
    def parse(cls, raw: Payload) -> IndicatorsQuery:
        check = Check()
        bureau_id = check.identifier("bureau_id", raw.get("bureau_id"), required=False)
        start = check.day("from", raw.get("from"))
        end = check.day("to", raw.get("to"))
        if start and end and end < start:
            check.fail("to", "out_of_range")
        unit_id = check.identifier("unit_id", raw.get("unit_id"), required=False)
        as_of: datetime | None = None
        if raw.get("as_of") not in (None, ""):
            try:
                as_of = datetime.fromisoformat(str(raw["as_of"]))
                if as_of.tzinfo is None:
                    check.fail("as_of", "bad_format")
            except ValueError:
                check.fail("as_of", "bad_format")
        check.done()
        assert start is not None and end is not None
        return cls(bureau_id or None, start, end, unit_id or None, as_of)
