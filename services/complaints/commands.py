"""Commands of the complaints service: validated, typed, imperative names.

Each `parse` checks a raw RPC payload and raises InvalidInput naming every bad field.
Reporter name and contact travel only in `ReceiveComplaint`; the handler hands them to
the identity vault (encrypted, crypto-shreddable) and the domain sees a reference.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import date
from typing import Any

from services.common.validation import MEDIA_TYPE, SHA256, Check
from services.complaints.blobs import MAX_BLOB_BYTES
from services.complaints.domain.errors import AttachmentTooLarge
from services.complaints.domain.model import (
    AccountabilityKind,
    Attachment,
    Category,
    Channel,
    Outcome,
    Satisfaction,
)

Payload = dict[str, Any]

DESCRIPTION_MAX = 5000
TEXT_MAX = 2000
MAX_ATTACHMENTS = 20
MAX_ATTACHMENT_BYTES = MAX_BLOB_BYTES  # what the blob store accepts per file


def _attachments(check: Check, raw: Any) -> tuple[Attachment, ...]:
    files = check.files(
        "attachments", raw, max_items=MAX_ATTACHMENTS, max_bytes=MAX_ATTACHMENT_BYTES
    )
    return tuple(Attachment(*file) for file in files)


@dataclass(frozen=True)
class ReceiveComplaint:
    """Log a report. {"unit_id": "zjj.bgs", "channel": "hotline", "category": "slow",
    "description": "...", "attachments": [], "reporter_name": null,
    "reporter_contact": null}"""

    unit_id: str | None
    channel: Channel
    category: Category
    description: str
    attachments: tuple[Attachment, ...]
    reporter_name: str | None
    reporter_contact: str | None

    @property
    def anonymous(self) -> bool:
        return self.reporter_name is None and self.reporter_contact is None

    @classmethod
    def parse(cls, raw: Payload) -> ReceiveComplaint:
        check = Check()
        unit_id = check.text("unit_id", raw.get("unit_id"), max_len=130, required=False)
        channel = check.choice("channel", raw.get("channel"), Channel)
        category = check.choice("category", raw.get("category"), Category)
        description = check.text(
            "description", raw.get("description"), max_len=DESCRIPTION_MAX
        )
        attachments = _attachments(check, raw.get("attachments"))
        name = check.text(
            "reporter_name", raw.get("reporter_name"), max_len=100, required=False
        )
        contact = check.text(
            "reporter_contact", raw.get("reporter_contact"), max_len=200, required=False
        )
        check.done()
        assert channel is not None and category is not None
        return cls(
            unit_id or None,
            channel,
            category,
            description,
            attachments,
            name or None,
            contact or None,
        )


def _complaint_id(check: Check, raw: Payload) -> str:
    return check.identifier("complaint_id", raw.get("complaint_id"))


@dataclass(frozen=True)
class UploadAttachment:
    """Upload a file before the report that references it. {"name": "现场.jpg",
    "content_type": "image/jpeg", "content": "<base64>", "sha256": optional}
    (`media_type` is accepted for `content_type`)."""

    name: str
    media_type: str
    content: bytes
    sha256: str | None

    @classmethod
    def parse(cls, raw: Payload) -> UploadAttachment:
        check = Check()
        name = check.text("name", raw.get("name"), max_len=200)
        media_type = check.text(
            "content_type",
            raw.get("content_type") or raw.get("media_type"),
            max_len=100,
        )
        if media_type and not MEDIA_TYPE.match(media_type):
            check.fail("content_type", "bad_format")
        digest = check.text("sha256", raw.get("sha256"), max_len=64, required=False)
        if digest and not SHA256.match(digest):
            check.fail("sha256", "bad_format")
        encoded = raw.get("content")
        content = b""
        if not isinstance(encoded, str) or not encoded:
            check.fail("content", "required")
        elif len(encoded) > 4 * (MAX_ATTACHMENT_BYTES // 3 + 1):  # before decoding
            raise AttachmentTooLarge(
                size=len(encoded) * 3 // 4, limit=MAX_ATTACHMENT_BYTES
            )
        else:
            try:
                content = base64.b64decode(encoded, validate=True)
            except (binascii.Error, ValueError):
                check.fail("content", "bad_format")
        check.done()
        if len(content) > MAX_ATTACHMENT_BYTES:
            raise AttachmentTooLarge(size=len(content), limit=MAX_ATTACHMENT_BYTES)
        return cls(name, media_type, content, digest.lower() or None)


@dataclass(frozen=True)
class DownloadAttachment:
    """One attachment of one complaint. {"complaint_id": "3f2a...",
    "sha256": "9f86d0..."}"""

    complaint_id: str
    sha256: str

    @classmethod
    def parse(cls, raw: Payload) -> DownloadAttachment:
        check = Check()
        complaint_id = _complaint_id(check, raw)
        digest = check.text("sha256", raw.get("sha256"), max_len=64)
        if digest and not SHA256.match(digest):
            check.fail("sha256", "bad_format")
        check.done()
        return cls(complaint_id, digest.lower())


def _reason(check: Check, raw: Payload, *, required: bool) -> str:
    return check.text("reason", raw.get("reason"), max_len=TEXT_MAX, required=required)


@dataclass(frozen=True)
class AcceptComplaint:
    complaint_id: str
    reason: str

    @classmethod
    def parse(cls, raw: Payload) -> AcceptComplaint:
        check = Check()
        command = cls(_complaint_id(check, raw), _reason(check, raw, required=False))
        check.done()
        return command


@dataclass(frozen=True)
class RejectComplaint:
    complaint_id: str
    reason: str

    @classmethod
    def parse(cls, raw: Payload) -> RejectComplaint:
        check = Check()
        command = cls(_complaint_id(check, raw), _reason(check, raw, required=True))
        check.done()
        return command


@dataclass(frozen=True)
class AssignInvestigator:
    complaint_id: str
    investigator_id: str
    reason: str

    @classmethod
    def parse(cls, raw: Payload) -> AssignInvestigator:
        check = Check()
        command = cls(
            _complaint_id(check, raw),
            check.text("investigator_id", raw.get("investigator_id"), max_len=130),
            _reason(check, raw, required=False),
        )
        check.done()
        return command


@dataclass(frozen=True)
class StartInvestigation:
    complaint_id: str

    @classmethod
    def parse(cls, raw: Payload) -> StartInvestigation:
        check = Check()
        command = cls(_complaint_id(check, raw))
        check.done()
        return command


@dataclass(frozen=True)
class ConcludeInvestigation:
    complaint_id: str
    outcome: Outcome
    findings: str

    @classmethod
    def parse(cls, raw: Payload) -> ConcludeInvestigation:
        check = Check()
        complaint_id = _complaint_id(check, raw)
        outcome = check.choice("outcome", raw.get("outcome"), Outcome)
        findings = check.text("findings", raw.get("findings"), max_len=DESCRIPTION_MAX)
        check.done()
        assert outcome is not None
        return cls(complaint_id, outcome, findings)


@dataclass(frozen=True)
class DecideAccountability:
    complaint_id: str
    kind: AccountabilityKind
    person_ids: tuple[str, ...]
    reason: str

    @classmethod
    def parse(cls, raw: Payload) -> DecideAccountability:
        check = Check()
        complaint_id = _complaint_id(check, raw)
        kind = check.choice("kind", raw.get("kind"), AccountabilityKind)
        persons_raw = raw.get("person_ids") or []
        persons: list[str] = []
        if not isinstance(persons_raw, list):
            check.fail("person_ids", "bad_format")
        else:
            persons = [
                check.text(f"person_ids[{i}]", p, max_len=130)
                for i, p in enumerate(persons_raw)
            ]
        reason = _reason(check, raw, required=False)
        check.done()
        assert kind is not None
        return cls(complaint_id, kind, tuple(persons), reason)


@dataclass(frozen=True)
class ReplyToReporter:
    complaint_id: str
    reply: str

    @classmethod
    def parse(cls, raw: Payload) -> ReplyToReporter:
        check = Check()
        command = cls(
            _complaint_id(check, raw),
            check.text("reply", raw.get("reply"), max_len=DESCRIPTION_MAX),
        )
        check.done()
        return command


@dataclass(frozen=True)
class RecordSatisfaction:
    complaint_id: str
    satisfaction: Satisfaction
    reason: str

    @classmethod
    def parse(cls, raw: Payload) -> RecordSatisfaction:
        check = Check()
        complaint_id = _complaint_id(check, raw)
        satisfaction = check.choice(
            "satisfaction", raw.get("satisfaction"), Satisfaction
        )
        reason = _reason(check, raw, required=False)
        check.done()
        assert satisfaction is not None
        return cls(complaint_id, satisfaction, reason)


@dataclass(frozen=True)
class CloseComplaint:
    complaint_id: str
    resolved: bool
    reason: str

    @classmethod
    def parse(cls, raw: Payload) -> CloseComplaint:
        check = Check()
        complaint_id = _complaint_id(check, raw)
        if not isinstance(raw.get("resolved"), bool):
            # Explicit, never defaulted: an omitted flag must not read as resolved.
            check.fail("resolved", "required")
        command = cls(
            complaint_id,
            raw.get("resolved") is True,
            _reason(check, raw, required=True),
        )
        check.done()
        return command


@dataclass(frozen=True)
class AppealComplaint:
    complaint_id: str
    reason: str

    @classmethod
    def parse(cls, raw: Payload) -> AppealComplaint:
        check = Check()
        command = cls(_complaint_id(check, raw), _reason(check, raw, required=True))
        check.done()
        return command


@dataclass(frozen=True)
class SendBackComplaint:
    complaint_id: str
    reason: str
    approver: str

    @classmethod
    def parse(cls, raw: Payload) -> SendBackComplaint:
        check = Check()
        command = cls(
            _complaint_id(check, raw),
            _reason(check, raw, required=True),
            check.text("approver", raw.get("approver"), max_len=130),
        )
        check.done()
        return command


@dataclass(frozen=True)
class TransferComplaint:
    complaint_id: str
    to_unit_id: str | None
    reason: str
    approver: str

    @classmethod
    def parse(cls, raw: Payload) -> TransferComplaint:
        check = Check()
        command = cls(
            _complaint_id(check, raw),
            check.text("to_unit_id", raw.get("to_unit_id"), max_len=130, required=False)
            or None,
            _reason(check, raw, required=True),
            check.text("approver", raw.get("approver"), max_len=130),
        )
        check.done()
        return command


@dataclass(frozen=True)
class ExtendDeadline:
    complaint_id: str
    working_days: int
    reason: str
    approver: str

    @classmethod
    def parse(cls, raw: Payload) -> ExtendDeadline:
        check = Check()
        command = cls(
            _complaint_id(check, raw),
            int(
                check.number(
                    "working_days",
                    raw.get("working_days"),
                    low=1,
                    high=60,
                    integer=True,
                )
            ),
            _reason(check, raw, required=True),
            check.text("approver", raw.get("approver"), max_len=130),
        )
        check.done()
        return command


MAX_PERIOD_DAYS = 3660  # ten years


@dataclass(frozen=True)
class IndicatorsQuery:
    """Indicators of the bureau, or of one unit, for the cases received in a period.
    {"from": "2026-01-01", "to": "2026-03-31", "unit_id": null}"""

    start: date
    end: date
    unit_id: str | None

    @classmethod
    def parse(cls, raw: Payload) -> IndicatorsQuery:
        check = Check()
        start = check.day("from", raw.get("from"))
        end = check.day("to", raw.get("to"))
        unit_id = check.text("unit_id", raw.get("unit_id"), max_len=130, required=False)
        if start is not None and end is not None:
            if end < start:
                check.fail("to", "before_from")
            elif (end - start).days > MAX_PERIOD_DAYS:
                check.fail("to", "too_far")
        check.done()
        assert start is not None and end is not None
        return cls(start, end, unit_id or None)
