"""Rules of the complaints service, each a typed error with zh-CN and English text."""

from __future__ import annotations

from services.common.errors import DomainError


class AlreadyExists(DomainError):
    code = "already_exists"
    message_zh = "{kind} {id} 已存在"
    message_en = "{kind} {id} already exists"


class IllegalTransition(DomainError):
    """An action the complaint's current state does not allow."""

    code = "illegal_transition"
    message_zh = "投诉 {complaint_id} 当前状态为「{state}」，不能执行「{action}」"
    message_en = "Complaint {complaint_id} is {state}; it cannot be {action}"


class ReasonRequired(DomainError):
    code = "reason_required"
    message_zh = "「{action}」须说明理由"
    message_en = "{action} needs a reason"


class ApproverRequired(DomainError):
    code = "approver_required"
    message_zh = "「{action}」须经审批，请填写审批人"
    message_en = "{action} needs an approver"


class FindingsRequired(DomainError):
    code = "findings_required"
    message_zh = "办结须填写调查结论（查实情况）"
    message_en = "A conclusion needs findings"


class NotTheInvestigator(DomainError):
    code = "not_the_investigator"
    message_zh = "{actor} 不是投诉 {complaint_id} 的承办人"
    message_en = "{actor} is not the investigator of complaint {complaint_id}"


class AccountabilityNotApplicable(DomainError):
    code = "accountability_not_applicable"
    message_zh = "投诉 {complaint_id} 经查不属实，不作问责决定"
    message_en = (
        "Complaint {complaint_id} was found unsubstantiated; "
        "no accountability can be decided"
    )


class AccountabilityPersonsInvalid(DomainError):
    code = "accountability_persons_invalid"
    message_zh = "问责方式「{kind}」{reason_zh}"
    message_en = "Accountability {kind}: {reason_en}"


class AccountabilityUndecided(DomainError):
    code = "accountability_undecided"
    message_zh = "投诉 {complaint_id} 经查属实，须先作出问责决定再答复举报人"
    message_en = (
        "Complaint {complaint_id} was substantiated; decide accountability "
        "before replying to the reporter"
    )


class ExtensionAlreadyUsed(DomainError):
    code = "extension_already_used"
    message_zh = "投诉 {complaint_id} 已延期一次，不能再次延期"
    message_en = "Complaint {complaint_id} has already been extended once"


class SameUnit(DomainError):
    code = "same_unit"
    message_zh = "投诉 {complaint_id} 已由该单位办理，无需转办"
    message_en = "Complaint {complaint_id} already lies with that unit"


class ReceiptCodeNotHashed(DomainError):
    """A guard: the receipt code itself must never reach an event."""

    code = "receipt_code_not_hashed"
    message_zh = "查询码须以哈希形式保存"
    message_en = "The receipt code must be stored as a hash"


class ScheduleInvalid(DomainError):
    code = "schedule_invalid"
    message_zh = "节假日安排有误：{reason_zh}"
    message_en = "The holiday schedule is invalid: {reason_en}"


def required(
    value: str, error: type[ReasonRequired | ApproverRequired], action: str
) -> str:
    """The stripped value, or the error naming the action that needs it."""
    if not value.strip():
        raise error(action=action)
    return value.strip()


class AttachmentTooLarge(DomainError):
    code = "attachment_too_large"
    message_zh = "附件大小 {size} 字节，超过上限 {limit} 字节"
    message_en = "The attachment is {size} bytes; the limit is {limit} bytes"


class AttachmentMissing(DomainError):
    """Intake and downloads name a file the blob store does not hold (as stated)."""

    code = "attachment_missing"
    message_zh = "附件 {sha256} 未上传或大小不符，请先上传附件"
    message_en = "Attachment {sha256} was not uploaded (or its size differs)"


class AttachmentChecksumMismatch(DomainError):
    code = "attachment_checksum_mismatch"
    message_zh = "附件内容与声明的 sha256 {expected} 不符（实际 {actual}）"
    message_en = "The attachment's sha256 is {actual}, not the stated {expected}"


class AttachmentCorrupt(DomainError):
    """The stored bytes no longer hash to their name: never served."""

    code = "attachment_corrupt"
    message_zh = "附件 {sha256} 存储内容已损坏"
    message_en = "The stored attachment {sha256} is corrupt"
