"""Rules of the organization service, each a typed error with zh-CN and English text."""

from __future__ import annotations

from services.common.errors import DomainError


class AlreadyExists(DomainError):
    code = "already_exists"
    message_zh = "{kind} {id} 已存在"
    message_en = "{kind} {id} already exists"


class UnitHeadTaken(DomainError):
    code = "unit_head_taken"
    message_zh = "单位 {unit_id} 已有一把手 {head_id}，如需更换请明确替换"
    message_en = (
        "Unit {unit_id} already has a head ({head_id}); replace them explicitly"
    )


class PersonNotInUnit(DomainError):
    code = "person_not_in_unit"
    message_zh = "{person_id} 不是单位 {unit_id} 的人员"
    message_en = "{person_id} does not belong to unit {unit_id}"


class OtherBureau(DomainError):
    code = "other_bureau"
    message_zh = "{kind} {id} 属于其他局，不能在本局使用"
    message_en = "{kind} {id} belongs to another bureau"


class NotCommitteeMember(DomainError):
    code = "not_committee_member"
    message_zh = "{person_id} 不是局党委委员，不能包保单位"
    message_en = "{person_id} is not a member of the party committee"


class PersonInactive(DomainError):
    code = "person_inactive"
    message_zh = "{person_id} 已离开本局"
    message_en = "{person_id} has left the bureau"


class PhasesInvalid(DomainError):
    code = "phases_invalid"
    message_zh = "活动阶段设置有误：{reason_zh}"
    message_en = "The campaign phases are invalid: {reason_en}"


class SettingsInvalid(DomainError):
    code = "settings_invalid"
    message_zh = "活动设置有误：{reason_zh}"
    message_en = "The campaign settings are invalid: {reason_en}"


class PlanYearUnknown(DomainError):
    code = "campaign_not_found"
    message_zh = "本局 {year} 年没有开展活动"
    message_en = "The bureau has no campaign in {year}"


class InvalidCredentials(DomainError):
    code = "invalid_credentials"
    message_zh = "用户名或密码错误"
    message_en = "Wrong username or password"


class AccountLocked(DomainError):
    code = "account_locked"
    message_zh = "连续登录失败次数过多，账号已锁定至 {until}"
    message_en = "Too many failed logins; the account is locked until {until}"


class AccountDisabled(DomainError):
    code = "account_disabled"
    message_zh = "账号已停用"
    message_en = "The account is disabled"


class WeakPassword(DomainError):
    code = "weak_password"
    message_zh = "密码至少 {min_length} 位，且需包含字母和数字"
    message_en = "A password needs at least {min_length} characters, letters and digits"


class RoleNotGrantable(DomainError):
    code = "role_not_grantable"
    message_zh = "角色 {role} 由组织架构决定，不能直接授予"
    message_en = "Role {role} follows from the org chart and cannot be granted"


class InvalidApiKey(DomainError):
    code = "invalid_api_key"
    message_zh = "API 密钥无效或已吊销"
    message_en = "The API key is invalid or revoked"


class ImportInvalid(DomainError):
    """A workbook with bad rows: details['rows'] lists every problem; none imported."""

    code = "import_invalid"
    message_zh = "导入文件有 {count} 处错误，未导入任何数据"
    message_en = "The workbook has {count} problems; nothing was imported"
