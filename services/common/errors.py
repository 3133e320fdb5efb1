"""Domain errors: a stable machine-readable code plus a message in zh-CN and English.

Errors carry their details as one dict, which is also their only constructor argument,
so Nameko can send them over RPC and rebuild the same class on the caller's side
(see `services.common.rpc.deserializable`). The gateway maps codes to HTTP statuses.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

LANGUAGES = ("zh-CN", "en")

# Reasons a field can be refused for, as codes with both languages' wording.
REASONS: dict[str, tuple[str, str]] = {
    "required": ("必填", "is required"),
    "too_long": ("过长", "is too long"),
    "too_short": ("过短", "is too short"),
    "bad_format": ("格式不正确", "has the wrong format"),
    "not_a_date": ("不是有效日期（YYYY-MM-DD）", "is not a date (YYYY-MM-DD)"),
    "not_a_number": ("不是有效数字", "is not a number"),
    "out_of_range": ("超出允许范围", "is out of range"),
    "not_allowed": ("不是允许的取值", "is not one of the allowed values"),
    "duplicate": ("重复", "is repeated"),
    "unknown": ("引用的记录不存在", "refers to something that does not exist"),
}


def is_english(language: str) -> bool:
    return language.lower().startswith("en")


class DomainError(Exception):
    """A broken rule or bad input; never a bug. Subclasses set code and messages."""

    code: ClassVar[str] = "domain_error"
    message_zh: ClassVar[str] = "请求违反业务规则"
    message_en: ClassVar[str] = "The request breaks a business rule"

    def __init__(
        self, details: dict[str, Any] | str | None = None, **more: Any
    ) -> None:
        given: dict[str, Any] = (
            json.loads(details)  # rebuilt on the far side of an RPC call
            if isinstance(details, str)
            else details or {}
        )
        self.details: dict[str, Any] = {**given, **more}
        # One JSON string argument: Nameko sends args as they are for strings but
        # stringifies numbers and nested values, which would lose the details' types.
        super().__init__(json.dumps(self.details, ensure_ascii=False, default=str))

    def message(self, language: str = "zh-CN") -> str:
        template = self.message_en if is_english(language) else self.message_zh
        try:
            return template.format(**self.details)
        except (KeyError, IndexError, ValueError):
            return template

    def to_dict(self, language: str = "zh-CN") -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message(language),
            "details": self.details,
        }

    def __str__(self) -> str:
        return f"[{self.code}] {self.message('en')}"


def reason_text(reason: str, language: str) -> str:
    zh, en = REASONS.get(reason, (reason, reason))
    return en if is_english(language) else zh


class InvalidInput(DomainError):
    """Fields that are missing or malformed: details['fields'] maps name -> reason."""

    code = "invalid_input"
    message_zh = "输入有误"
    message_en = "Invalid input"

    def message(self, language: str = "zh-CN") -> str:
        fields: dict[str, str] = self.details.get("fields", {})
        head = self.message_en if is_english(language) else self.message_zh
        if not fields:
            return head
        sep = "; " if is_english(language) else "；"
        parts = [f"{name} {reason_text(why, language)}" for name, why in fields.items()]
        colon = ": " if is_english(language) else "："
        return head + colon + sep.join(parts)


class NotFound(DomainError):
    """The record asked for does not exist (in the caller's bureau)."""

    code = "not_found"
    message_zh = "{kind} {id} 不存在"
    message_en = "{kind} {id} does not exist"


class Conflict(DomainError):
    """Someone else changed the record first; reload and try again."""

    code = "conflict"
    message_zh = "记录已被他人修改，请刷新后重试"
    message_en = "The record was changed by someone else; reload and try again"


class PreconditionFailed(DomainError):
    """The record is no longer at the version the caller read (If-Match)."""

    code = "precondition_failed"
    message_zh = (
        "记录已更新（当前版本 {actual}，您读取的是版本 {expected}），请刷新后再提交"
    )
    message_en = (
        "The record has changed (now at version {actual}, you read version "
        "{expected}); reload it before you submit"
    )


class Unavailable(DomainError):
    """A dependency (the event store) is down; the caller may retry later."""

    code = "unavailable"
    message_zh = "服务暂时不可用，请稍后重试"
    message_en = "The service is temporarily unavailable; try again later"
