"""Commands of reporter protection and follow-up, validated like `commands.py`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.common.validation import Check
from services.complaints.commands import TEXT_MAX, _attachments
from services.complaints.domain.model import Attachment

Payload = dict[str, Any]
CODE_MAX = 40


@dataclass(frozen=True)
class ComplaintRef:
    """One case by id. {"complaint_id": "3f2a..."}"""

    complaint_id: str

    @classmethod
    def parse(cls, raw: Payload) -> ComplaintRef:
        check = Check()
        command = cls(check.identifier("complaint_id", raw.get("complaint_id")))
        check.done()
        return command


@dataclass(frozen=True)
class ForgetReporter:
    """Destroy a reporter's key. {"complaint_id": "3f2a...", "reason": "..."}"""

    complaint_id: str
    reason: str

    @classmethod
    def parse(cls, raw: Payload) -> ForgetReporter:
        check = Check()
        command = cls(
            check.identifier("complaint_id", raw.get("complaint_id")),
            check.text("reason", raw.get("reason"), max_len=TEXT_MAX),
        )
        check.done()
        return command


@dataclass(frozen=True)
class FollowComplaint:
    """A reporter's look at their case. {"receipt_code": "K7Q2-M9XD-4TZP-8HRN"}"""

    receipt_code: str

    @classmethod
    def parse(cls, raw: Payload) -> FollowComplaint:
        check = Check()
        command = cls(
            check.text("receipt_code", raw.get("receipt_code"), max_len=CODE_MAX)
        )
        check.done()
        return command


@dataclass(frozen=True)
class AddInformation:
    """More from the reporter. {"receipt_code": "...", "text": "...",
    "attachments": []}"""

    receipt_code: str
    text: str
    attachments: tuple[Attachment, ...]

    @classmethod
    def parse(cls, raw: Payload) -> AddInformation:
        check = Check()
        command = cls(
            check.text("receipt_code", raw.get("receipt_code"), max_len=CODE_MAX),
            check.text("text", raw.get("text"), max_len=TEXT_MAX, required=False),
            _attachments(check, raw.get("attachments")),
        )
        if not command.text and not command.attachments:
            check.fail("text", "required")
        check.done()
        return command
