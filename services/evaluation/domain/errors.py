"""Rules of the evaluation service, each a typed error with zh-CN and English text."""

from __future__ import annotations

from services.common.errors import DomainError


class AlreadyExists(DomainError):
    code = "already_exists"
    message_zh = "{kind_zh} {id} 已存在"
    message_en = "{kind_en} {id} already exists"


class RoundNotOpenYet(DomainError):
    code = "round_not_open_yet"
    message_zh = "评议 {round_id} 尚未开始投票（{opens_at} 开始）"
    message_en = "Round {round_id} is not open for voting yet (opens {opens_at})"


class VotingClosed(DomainError):
    """The window has passed or the round was closed: the vote was not counted."""

    code = "voting_closed"
    message_zh = "评议 {round_id} 投票已截止，本票未计入"
    message_en = "Voting in round {round_id} has closed: this vote was not counted"


class NotInElectorate(DomainError):
    code = "not_in_electorate"
    message_zh = "您不在评议 {round_id} 的投票人范围内"
    message_en = "You are not in the electorate of round {round_id}"


class AlreadyVoted(DomainError):
    code = "already_voted"
    message_zh = "您已在评议 {round_id} 中投过票，每人只能投一次"
    message_en = "You have already voted in round {round_id}; one vote per voter"


class RoundAlreadyClosed(DomainError):
    code = "round_already_closed"
    message_zh = "评议 {round_id} 已结束并计票，不能重复结束"
    message_en = "Round {round_id} is already closed and tallied"


class BallotBoxUnavailable(DomainError):
    """The round's ballot key is gone (destroyed at close, or never made)."""

    code = "ballot_box_unavailable"
    message_zh = "评议 {round_id} 的票箱不可用"
    message_en = "The ballot box of round {round_id} is not available"


class WindowInvalid(DomainError):
    code = "window_invalid"
    message_zh = "投票截止时间须晚于开始时间"
    message_en = "A round must close after it opens"


class SubjectUnknown(DomainError):
    code = "subject_unknown"
    message_zh = "评议对象 {subject_id} 不存在"
    message_en = "Subject {subject_id} is not in this round"


class TalkOfYourOwn(DomainError):
    code = "talk_of_your_own"
    message_zh = "不能登记对本人的谈话 {talk_id}"
    message_en = "You cannot record talk {talk_id}: it is held with you"


class TalkAlreadyHeld(DomainError):
    code = "talk_already_held"
    message_zh = "谈话 {talk_id} 已于 {held_on} 完成"
    message_en = "Talk {talk_id} was already held on {held_on}"


class ScoresInvalid(DomainError):
    code = "scores_invalid"
    message_zh = "成绩有误：{reason_zh}"
    message_en = "Scores are invalid: {reason_en}"


class InnovationNotOpen(DomainError):
    code = "innovation_not_open"
    message_zh = "{year} 年制度创新自 {opens_on} 起申报，当年年底截止"
    message_en = "Innovations of {year} are submitted from {opens_on} to the year's end"


class NotShortlisted(DomainError):
    code = "not_shortlisted"
    message_zh = "制度创新 {innovation_id} 未通过审核，不能参加评选"
    message_en = "Innovation {innovation_id} was not shortlisted: it cannot be ranked"
