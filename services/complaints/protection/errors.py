"""Typed errors of reporter protection, zh-CN and English."""

from __future__ import annotations

from services.common.errors import DomainError


class IdentityAccessDenied(DomainError):
    """Only the assigned investigator and the leading group office see a reporter."""

    code = "identity_access_denied"
    message_zh = "{actor} 无权查看投诉 {complaint_id} 的举报人身份"
    message_en = "{actor} may not see the reporter of complaint {complaint_id}"


class IdentityForgotten(DomainError):
    code = "identity_forgotten"
    message_zh = "投诉 {complaint_id} 的举报人身份已按要求销毁，无法读取"
    message_en = "The reporter of complaint {complaint_id} was forgotten"


class ReceiptCodeUnknown(DomainError):
    """The same answer for a wrong code and another bureau's: nothing to probe."""

    code = "receipt_code_unknown"
    message_zh = "查询码无效"
    message_en = "Unknown receipt code"


class RateLimited(DomainError):
    """Too many receipt-code lookups from one caller in the window."""

    code = "rate_limited"
    message_zh = "查询过于频繁，请 {retry_after} 秒后再试"
    message_en = "Too many lookups; try again in {retry_after} seconds"
