"""Routes of the gateway itself: signing in, the public, the views, the audit trail,
exports, and the document."""

from __future__ import annotations

from gateway.api.catalogue.base import (
    ADMIN,
    ANY,
    DISTRICT,
    ID,
    INVESTIGATION,
    LEADERS,
    OFFICE,
    READERS,
    STRING,
    local,
    obj,
    rpc,
)
from gateway.api.catalogue.complaints import CMP
from gateway.api.routes import QueryParam, Route
from gateway.api.views import VIEWS

AUTH = [
    local(
        "POST",
        "/auth/login",
        "login",
        None,
        "登录，取得访问令牌与刷新令牌 — Sign in: access and refresh tokens",
        tag="auth",
        body=obj(
            ["username", "password"],
            username={"type": "string", "minLength": 1, "maxLength": 100},
            password={"type": "string", "minLength": 1, "maxLength": 200},
        ),
    ),
    local(
        "POST",
        "/auth/refresh",
        "refresh",
        None,
        "用刷新令牌换取新令牌 — Exchange a refresh token for new tokens",
        tag="auth",
        body=obj(["refresh_token"], refresh_token={"type": "string", "maxLength": 200}),
    ),
    local(
        "POST",
        "/auth/logout",
        "logout",
        ANY,
        "退出登录（吊销令牌） — Sign out (revoke the tokens)",
        tag="auth",
        body=obj(refresh_token={"type": "string", "maxLength": 200}),
    ),
    local(
        "GET",
        "/auth/me",
        "me",
        ANY,
        "当前身份与角色 — Who I am and my roles",
        tag="auth",
    ),
]

PUBLIC = [
    Route(
        method="POST",
        path="/public/bureaus/{bureau_id}/reports",
        operation_id="public_report",
        summary="公众举报（可匿名） — Report a problem (anonymously if you wish)",
        tag="public",
        roles=None,
        handler="public_report",
        body=obj(
            ["description", "category"],
            unit_id=ID,
            category={
                "type": "string",
                "enum": ["hollow", "false", "lax", "slow", "low"],
            },
            description={"type": "string", "minLength": 1, "maxLength": 5000},
            reporter_name={"type": "string", "maxLength": 100},
            reporter_contact={"type": "string", "maxLength": 200},
            attachments={"type": "array"},
        ),
        status=201,
        fixed={"channel": "web_form"},
    ),
    rpc(
        "GET",
        "/public/bureaus/{bureau_id}/reports/{receipt_code}",
        f"{CMP}.follow_complaint",
        None,
        "凭查询码查看办理情况 — Follow a report by its receipt code",
        tag="public",
        operation_id="public_follow_report",
    ),
    rpc(
        "POST",
        "/public/bureaus/{bureau_id}/reports/{receipt_code}/information",
        f"{CMP}.add_information",
        None,
        "补充举报材料 — Add information to a report",
        tag="public",
        operation_id="public_add_information",
    ),
]


def view(name: str, path: str, roles: frozenset[str] | None, summary: str) -> Route:
    return Route(
        method="GET",
        path=path,
        operation_id=f"view_{name}",
        summary=summary,
        tag="public" if roles is None else "views",
        roles=roles,
        handler=f"view:{name}",
        query=VIEWS[name].params(),
    )


VIEW_ROUTES = [
    view(
        "campaign_overview",
        "/views/campaign-overview",
        READERS,
        "活动总览（按局、阶段） — Campaign overview by bureau and phase",
    ),
    view(
        "unit_dashboard", "/views/unit-dashboard", READERS, "单位看板 — Unit dashboard"
    ),
    view(
        "ledger_board",
        "/views/ledger-board",
        READERS,
        "问题台账看板（含逾期） — Ledger board with overdue items",
    ),
    view(
        "complaint_queue",
        "/views/complaint-queue",
        INVESTIGATION | LEADERS | DISTRICT | {"unit_head"},
        "投诉办理队列（含时限） — Complaint queue with deadlines",
    ),
    view(
        "evaluation_rounds",
        "/views/evaluation-rounds",
        READERS,
        "评议轮次 — Evaluation rounds",
    ),
    view(
        "evaluation_results",
        "/views/evaluation-results",
        READERS,
        "评议结果（仅公布的） — Evaluation results (as published)",
    ),
    view(
        "assessment",
        "/views/assessment",
        LEADERS | DISTRICT,
        "年终考核表（最近一次公布的） — Year-end assessment table (as last published)",
    ),
    view(
        "publicity_compliance",
        "/views/publicity-compliance",
        READERS,
        "信息报送达标情况 — Publicity quota compliance",
    ),
    view(
        "public_board",
        "/public/bureaus/{bureau_id}/board",
        None,
        "公开栏：承诺、通报、四亮、文章 — The public board",
    ),
    Route(
        method="GET",
        path="/public/bureaus/{bureau_id}/hotlines",
        operation_id="public_hotlines",
        summary="监督投诉电话与接听人 — Hotlines and who answers them",
        tag="public",
        roles=None,
        handler="hotlines",
        query=(
            QueryParam("cursor", {"type": "string", "maxLength": 500}),
            QueryParam("limit", {"type": "integer", "minimum": 1, "maximum": 200}),
        ),
    ),
]

AUDITORS = LEADERS | ADMIN | DISTRICT
AUDIT = [
    local(
        "GET",
        "/audit/streams/{stream}/history",
        "audit_history",
        AUDITORS,
        "记录的完整历史（操作人、时间、原因、哈希） — A record's full history",
        tag="audit",
    ),
    local(
        "GET",
        "/audit/streams/{stream}/state",
        "audit_state",
        AUDITORS,
        "记录在某一时刻的状态（由事件重放） — A record as of a time, replayed",
        tag="audit",
        query=(
            QueryParam(
                "at",
                {"type": "string", "format": "date-time"},
                "e.g. 2026-06-30T18:00:00+08:00",
                required=True,
            ),
        ),
    ),
    local(
        "GET",
        "/audit/verify",
        "audit_verify",
        AUDITORS,
        "校验哈希链（指出第一个断点） — Verify the hash chain (first broken link)",
        tag="audit",
        query=(
            QueryParam("stream", STRING, "one record; every stream: district only"),
        ),
    ),
]

EXPORT_MEDIA = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "text/csv",
)
EXPORTS = [
    local(
        "GET",
        "/exports/{list_name}.{fmt}",
        "export",
        OFFICE | DISTRICT,
        "导出清单（xlsx/csv，中文表头）：ledger 问题台账、complaints 投诉办理、"
        "publicity 信息报送达标、evaluation 评议结果、assessment 年终考核 — "
        "Export a list as .xlsx or CSV; the list's view filters as query parameters",
        tag="exports",
        query=(
            QueryParam("sort", STRING, "as the list's view"),
            QueryParam("year", STRING, "assessment only"),
        ),
        media=EXPORT_MEDIA,
    ),
]

META = [
    local(
        "GET",
        "/openapi.json",
        "openapi",
        None,
        "本接口的 OpenAPI 3.1 文档 — This API's OpenAPI 3.1 document",
        tag="meta",
    ),
    local(
        "GET",
        "/docs",
        "docs",
        None,
        "交互式接口文档 — Interactive documentation",
        tag="meta",
        media=("text/html",),
    ),
]
