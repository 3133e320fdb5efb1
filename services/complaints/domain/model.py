"""The complaints vocabulary (names from shared/DOMAIN.md, "complaints")."""

from __future__ import annotations

import enum
import hashlib
import re
from dataclasses import dataclass
from typing import Any


class Channel(enum.StrEnum):
    """How a report came in."""

    HOTLINE = "hotline"  # 监督投诉电话, logged by the person answering it
    WEB_FORM = "web_form"
    LETTER = "letter"
    VISIT = "visit"
    DEPUTY_REFERRAL = "deputy_referral"  # 人大代表、政协委员转办
    SECRET_VISIT = "secret_visit"  # 明察暗访


class Category(enum.StrEnum):
    """The five problems (五种问题) a report is about."""

    HOLLOW = "hollow"  # 空
    FALSE = "false"  # 假
    LAX = "lax"  # 散
    SLOW = "slow"  # 慢
    LOW = "low"  # 低


class Outcome(enum.StrEnum):
    """What an investigation concluded."""

    SUBSTANTIATED = "substantiated"  # 属实
    PARTLY_SUBSTANTIATED = "partly_substantiated"  # 部分属实
    UNSUBSTANTIATED = "unsubstantiated"  # 不属实


SUBSTANTIATED = frozenset({Outcome.SUBSTANTIATED, Outcome.PARTLY_SUBSTANTIATED})


class AccountabilityKind(enum.StrEnum):
    """What a substantiated report leads to (严肃问责)."""

    NONE = "none"
    WRITTEN_SELF_CRITICISM = "written_self_criticism"  # 书面检查
    NOTICE_OF_CRITICISM = "notice_of_criticism"  # 通报批评
    ADMONISHMENT_TALK = "admonishment_talk"  # 诫勉谈话
    DISCIPLINE_REFERRAL = "discipline_referral"  # 移送纪检


class Satisfaction(enum.StrEnum):
    """The reporter's verdict on the reply."""

    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    DISSATISFIED = "dissatisfied"


class State(enum.StrEnum):
    """Where a complaint stands in its lifecycle."""

    NEW = "new"  # not yet received: the aggregate before its first event
    RECEIVED = "received"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    ASSIGNED = "assigned"
    INVESTIGATING = "investigating"
    CONCLUDED = "concluded"
    ACCOUNTABILITY_DECIDED = "accountability_decided"
    REPLIED = "replied"
    SATISFACTION_RECORDED = "satisfaction_recorded"
    CLOSED = "closed"


class Stage(enum.StrEnum):
    """The deadline a complaint is running against."""

    ACCEPTANCE = "acceptance"
    INVESTIGATION = "investigation"
    REPLY = "reply"


class ReopenCause(enum.StrEnum):
    DISSATISFIED = "dissatisfied"  # 不满意重办
    APPEAL = "appeal"  # 申诉


SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


def hash_receipt_code(code: str) -> str:
    """The only form of a receipt code the complaint keeps: its SHA-256, hex."""
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Attachment:
    """Metadata of an attached file; the bytes live in a blob store, found by sha256."""

    name: str
    media_type: str
    size: int
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "media_type": self.media_type,
            "size": self.size,
            "sha256": self.sha256,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Attachment:
        return cls(raw["name"], raw["media_type"], int(raw["size"]), raw["sha256"])
