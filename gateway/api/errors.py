"""One error shape for every HTTP answer that is not a success.

`{"code": "...", "message": "...", "details": {...}, "correlation_id": "..."}` with the
message in the language the client asked for (`Accept-Language`; zh-CN by default,
English available). Domain errors keep their own code and both messages; the status
says what HTTP means by it.
"""

from __future__ import annotations

from typing import Any

from services.common.errors import DomainError, is_english

DEFAULT_LANGUAGE = "zh-CN"

# Domain error code -> HTTP status. A code not listed is a broken business rule: 422.
STATUS_BY_CODE: dict[str, int] = {
    "invalid_input": 400,
    "body_empty": 400,
    "body_too_long": 400,
    "unsafe_body": 400,
    "import_invalid": 400,
    "invalid_credentials": 401,
    "invalid_api_key": 401,
    "account_locked": 403,
    "account_disabled": 403,
    "identity_access_denied": 403,
    "not_the_investigator": 403,
    "not_a_verifier": 403,
    "other_bureau": 403,
    "supervisor_of_another_bureau": 403,
    "not_in_electorate": 403,
    "not_the_info_officer": 403,
    "not_the_office": 403,
    "not_an_approver": 403,
    "talk_of_your_own": 403,
    "not_found": 404,
    "campaign_not_found": 404,
    "receipt_code_unknown": 404,
    "attachment_missing": 404,
    "unknown_unit": 404,
    "conflict": 409,
    "already_exists": 409,
    "illegal_transition": 409,
    "item_closed": 409,
    "unit_head_taken": 409,
    "extension_already_used": 409,
    "unit_already_inspected": 409,
    "already_voted": 409,
    "voting_closed": 409,
    "round_already_closed": 409,
    "talk_already_held": 409,
    "article_not_accepted": 409,
    "already_published": 409,
    "already_reviewed": 409,
    "notice_not_approved": 409,
    "identity_forgotten": 410,
    "precondition_failed": 412,
    "attachment_too_large": 413,
    "rate_limited": 429,
    "unavailable": 503,
    "ballot_box_unavailable": 503,
}


def negotiate_language(accept_language: str | None) -> str:
    """The first language of the header we speak: zh-CN unless English comes first."""
    for part in (accept_language or "").split(","):
        tag = part.split(";", 1)[0].strip().lower()
        if tag.startswith("en"):
            return "en"
        if tag.startswith("zh") or tag == "*":
            return DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


class ApiError(Exception):
    """An error the gateway itself answers with (authentication, routing, limits)."""

    def __init__(
        self,
        status: int,
        code: str,
        zh: str,
        en: str,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"[{code}] {en}")
        self.status = status
        self.code = code
        self.zh = zh
        self.en = en
        self.details = details or {}
        self.headers = headers or {}

    def body(self, language: str) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.en if is_english(language) else self.zh,
            "details": self.details,
        }

    @classmethod
    def from_domain(cls, error: DomainError) -> ApiError:
        status = STATUS_BY_CODE.get(error.code, 422)
        headers = {"Retry-After": "1"} if status in (429, 503) else {}
        return cls(
            status,
            error.code,
            error.message("zh-CN"),
            error.message("en"),
            error.details,
            headers,
        )


def unauthenticated(reason: str = "missing") -> ApiError:
    return ApiError(
        401,
        "unauthenticated",
        "未登录或凭据无效，请先登录",
        "Not signed in or the credentials are not valid; sign in first",
        {"reason": reason},
        {"WWW-Authenticate": 'Bearer realm="api"'},
    )


def forbidden(roles: list[str]) -> ApiError:
    return ApiError(
        403,
        "forbidden",
        "您的角色无权执行此操作",
        "Your roles do not allow this operation",
        {"allowed_roles": roles},
    )


def route_not_found(path: str) -> ApiError:
    return ApiError(
        404, "route_not_found", "没有这个接口", "No such endpoint", {"path": path}
    )


def method_not_allowed(allowed: list[str]) -> ApiError:
    return ApiError(
        405,
        "method_not_allowed",
        "该接口不支持此请求方法",
        "This endpoint does not take this method",
        {"allowed": allowed},
        {"Allow": ", ".join(allowed)},
    )


def bad_request(code: str, zh: str, en: str, **details: Any) -> ApiError:
    return ApiError(400, code, zh, en, details)


def internal(correlation_id: str) -> ApiError:
    return ApiError(
        500,
        "internal_error",
        f"服务器内部错误，请联系管理员并提供关联编号 {correlation_id}",
        f"Internal error; tell the operators the correlation id {correlation_id}",
    )


def timeout() -> ApiError:
    return ApiError(
        504,
        "upstream_timeout",
        "后端服务未能及时响应，请稍后重试",
        "A service did not answer in time; try again later",
        headers={"Retry-After": "2"},
    )
