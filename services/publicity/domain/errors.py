"""Rules of the publicity service, each a typed error with zh-CN and English text."""

from __future__ import annotations

from services.common.errors import DomainError


class AlreadyExists(DomainError):
    code = "already_exists"
    message_zh = "{kind} {id} 已存在"
    message_en = "{kind} {id} already exists"


class IllegalTransition(DomainError):
    code = "illegal_transition"
    message_zh = "{kind} {id} 当前状态为「{state}」，不能执行「{action}」"
    message_en = "{kind} {id} is {state}: {action} is not allowed"


class NotTheInfoOfficer(DomainError):
    """Only the unit's one info officer (信息员) submits its articles."""

    code = "not_the_info_officer"
    message_zh = "{person_id} 不是单位 {unit_id} 的信息员，不能投稿"
    message_en = "{person_id} is not the info officer of unit {unit_id}"


class BodyEmpty(DomainError):
    code = "body_empty"
    message_zh = "稿件正文不能为空"
    message_en = "The article body is empty"


class BodyTooLong(DomainError):
    code = "body_too_long"
    message_zh = "稿件正文过长（{length} 字，上限 {limit} 字）"
    message_en = "The article body is too long ({length} characters, limit {limit})"


class UnsafeBody(DomainError):
    """Script, event-handler attributes or script URLs: refused, never stored."""

    code = "unsafe_body"
    message_zh = "正文含有脚本或事件处理代码（{found}），不予接收"
    message_en = "The body contains script or event-handler code ({found})"


class NotTheOffice(DomainError):
    code = "not_the_office"
    message_zh = "只有活动领导小组办公室可以{action_zh}"
    message_en = "Only the leading group office may {action_en}"


class NotAccepted(DomainError):
    code = "article_not_accepted"
    message_zh = "稿件 {article_id} 尚未采用（当前：{state}），不能发布"
    message_en = (
        "Article {article_id} has not been accepted ({state}); it cannot be published"
    )


class AlreadyPublished(DomainError):
    code = "already_published"
    message_zh = "稿件 {article_id} 已在「{channel}」发布"
    message_en = "Article {article_id} is already published on {channel}"


class ReasonRequired(DomainError):
    code = "reason_required"
    message_zh = "「{action}」须说明理由"
    message_en = "{action} needs a reason"


class NotApproved(DomainError):
    """A notice is published only after a leading group member approved it."""

    code = "notice_not_approved"
    message_zh = "通报 {notice_id} 未经领导小组审批，不能发布"
    message_en = "Notice {notice_id} has no approver; it cannot be published"


class NotAnApprover(DomainError):
    code = "not_an_approver"
    message_zh = "{person_id} 不是活动领导小组成员，不能审批通报"
    message_en = (
        "{person_id} is not a member of the leading group; they cannot approve notices"
    )


class AlreadyReviewed(DomainError):
    code = "already_reviewed"
    message_zh = "承诺 {commitment_id} 已评议"
    message_en = "Commitment {commitment_id} has already been reviewed"


class UnknownUnit(DomainError):
    code = "unknown_unit"
    message_zh = "本局没有单位 {unit_id}"
    message_en = "Unit {unit_id} is not a unit of this bureau"
