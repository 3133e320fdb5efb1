"""Rules of the ledger service, each a typed error with zh-CN and English text."""

from __future__ import annotations

from services.common.errors import DomainError


class AlreadyExists(DomainError):
    code = "already_exists"
    message_zh = "{kind_zh} {id} 已存在"
    message_en = "{kind_en} {id} already exists"


class IllegalTransition(DomainError):
    """An action the record's current state does not allow (also: someone else's
    verification or rejection got there first)."""

    code = "illegal_transition"
    message_zh = "{kind_zh} {id} 当前状态为「{state}」，不能执行「{action}」"
    message_en = "{kind_en} {id} is {state}: {action} is not allowed"


class ItemClosed(DomainError):
    code = "item_closed"
    message_zh = "问题 {item_id} 已销号，不能再{action_zh}"
    message_en = "Item {item_id} is closed: {action_en} is refused"


class CheckDimensionRequired(DomainError):
    code = "check_dimension_required"
    message_zh = "单位内部查找的问题须注明「五查五看」中的哪一查"
    message_en = "A self-inspection problem needs its check dimension (five checks)"


class CheckDimensionNotApplicable(DomainError):
    code = "check_dimension_not_applicable"
    message_zh = "只有单位内部查找的问题才注明「五查五看」（来源：{source}）"
    message_en = (
        "Only self-inspection problems carry a check dimension (source: {source})"
    )


class PersonRequired(DomainError):
    code = "person_required"
    message_zh = "个人层面的问题须注明所涉人员及其单位"
    message_en = "An individual-level problem needs the person and their unit"


class PersonNotApplicable(DomainError):
    code = "person_not_applicable"
    message_zh = "单位层面的问题不应注明个人"
    message_en = "A unit-level problem names no person"


class SupervisorOfAnotherBureau(DomainError):
    code = "supervisor_of_another_bureau"
    message_zh = "督办领导 {leader_id} 不属于本局（{bureau_id}）"
    message_en = "Supervising leader {leader_id} is not of bureau {bureau_id}"


class SupervisorNotEligible(DomainError):
    code = "supervisor_not_eligible"
    message_zh = "{leader_id} 不是局党委委员或单位一把手，不能挂名督办"
    message_en = (
        "{leader_id} is neither a party committee member nor a unit head; "
        "they cannot supervise an item"
    )


class DeadlineBeforeFound(DomainError):
    code = "deadline_before_found"
    message_zh = "整改期限 {deadline} 早于问题发现日期 {found_on}"
    message_en = "The deadline {deadline} is before the problem was found ({found_on})"


class MeasureRequired(DomainError):
    code = "measure_required"
    message_zh = "须至少制定一条整改措施"
    message_en = "At least one rectification measure is needed"


class RectificationIncomplete(DomainError):
    code = "rectification_incomplete"
    message_zh = "问题 {item_id} 尚缺{missing_zh}，不能提交验收"
    message_en = "Item {item_id} lacks {missing_en}; it cannot be submitted"


class NotSubmittedForVerification(DomainError):
    """销号 only after a verified rectification: nothing closes an item otherwise."""

    code = "not_submitted_for_verification"
    message_zh = "问题 {item_id} 未提交整改验收，不能销号"
    message_en = (
        "Item {item_id} has not been submitted for verification; it cannot close"
    )


class NotAVerifier(DomainError):
    code = "not_a_verifier"
    message_zh = "只有督办领导或活动领导小组办公室可以验收问题 {item_id}"
    message_en = (
        "Only the supervising leader or the leading group office may verify "
        "item {item_id}"
    )


class OwnItem(DomainError):
    code = "own_item"
    message_zh = "不能验收涉及本人的问题 {item_id}"
    message_en = "Nobody may verify item {item_id}, which is about themselves"


class OwnSubmission(DomainError):
    code = "own_submission"
    message_zh = "不能验收本人提交的整改 {item_id}"
    message_en = "Nobody may verify the rectification they submitted ({item_id})"


class ReasonRequired(DomainError):
    code = "reason_required"
    message_zh = "「{action}」须说明理由"
    message_en = "{action} needs a reason"


class NotAnInspection(DomainError):
    code = "not_an_inspection"
    message_zh = (
        "只有后续检查（抽查、互查、巡查等）发现问题复现才能重新打开，来源：{source}"
    )
    message_en = (
        "Only a later inspection (spot check, cross check, tour, ...) may reopen "
        "an item; source: {source}"
    )


class FoundBeforeClosing(DomainError):
    code = "found_before_closing"
    message_zh = "复现发现日期 {found_on} 早于销号日期 {closed_on}"
    message_en = (
        "The problem was found again on {found_on}, before it closed ({closed_on})"
    )


class SelfCriticismRequired(DomainError):
    code = "self_criticism_required"
    message_zh = "剖析材料被退回为避重就轻、敷衍应付，须先作出书面检查再重新提交"
    message_en = (
        "The material was rejected as evasive; a written self-criticism must be "
        "filed before resubmitting"
    )


class ReviewerIsAuthor(DomainError):
    code = "reviewer_is_author"
    message_zh = "不能审核本人的剖析材料"
    message_en = "Nobody may review their own self-analysis"


class NotAServiceWindow(DomainError):
    code = "not_a_service_window"
    message_zh = "单位 {unit_id} 不是服务窗口，不实行「四亮」"
    message_en = "Unit {unit_id} is not a service window; four disclosures do not apply"


class UnitAlreadyInspected(DomainError):
    code = "unit_already_inspected"
    message_zh = "巡查 {tour_id} 已记录单位 {unit_id} 的结果"
    message_en = "Tour {tour_id} has already recorded unit {unit_id}"


KINDS: dict[str, tuple[str, str]] = {
    "ledger_item": ("问题", "Ledger item"),
    "self_analysis": ("剖析材料", "Self-analysis"),
    "survey": ("调查问计", "Survey"),
    "inspection_tour": ("巡查", "Inspection tour"),
}


def already_exists(kind: str, id: str) -> AlreadyExists:
    zh, en = KINDS[kind]
    return AlreadyExists(kind=kind, kind_zh=zh, kind_en=en, id=id)


def illegal(kind: str, id: str, state: str, action: str) -> IllegalTransition:
    zh, en = KINDS[kind]
    return IllegalTransition(
        kind=kind, kind_zh=zh, kind_en=en, id=id, state=state, action=action
    )


def required(value: str, action: str) -> str:
    """The stripped value, or ReasonRequired naming the action that needs it."""
    if not value.strip():
        raise ReasonRequired(action=action)
    return value.strip()
