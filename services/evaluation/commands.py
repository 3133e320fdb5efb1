"""Commands of the evaluation service: frozen dataclasses, each `parse`d from an RPC
payload with every bad field reported at once (InvalidInput)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from typing import Any

from services.common.validation import Check
from services.evaluation.domain.model import (
    Constituency,
    Option,
    RoundKind,
    SubjectKind,
    TalkKind,
)

MAX_SUBJECTS = 500
MAX_VOTERS = 20_000
COMMENT_CHARS = 200


def moment(check: Check, name: str, value: Any) -> datetime | None:
    if value in (None, ""):
        check.fail(name, "required")
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        check.fail(name, "bad_format")
        return None
    if moment.tzinfo is None:
        check.fail(name, "bad_format")  # a time without its zone is ambiguous
        return None
    return moment


def _items(check: Check, name: str, raw: Any, limit: int) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not raw:
        check.fail(name, "required" if raw in (None, []) else "bad_format")
        return []
    if len(raw) > limit:
        check.fail(name, "too_long")
        return []
    items = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            check.fail(f"{name}[{i}]", "bad_format")
        else:
            items.append(item)
    return items


@dataclass(frozen=True)
class SubjectInput:
    subject_id: str
    kind: SubjectKind
    unit_id: str | None
    person_id: str | None
    name: str


@dataclass(frozen=True)
class OpenRound:
    """{"kind": "leadership", "title": "...", "year": 2026, "opens_at": ..., ...}"""

    kind: RoundKind
    title: str
    year: int
    opens_at: datetime
    closes_at: datetime
    subjects: tuple[SubjectInput, ...]
    electorate: tuple[tuple[str, str], ...]

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> OpenRound:
        check = Check()
        kind = check.choice("kind", raw.get("kind"), RoundKind)
        title = check.text("title", raw.get("title"), max_len=200)
        year = int(
            check.number("year", raw.get("year"), low=2000, high=2100, integer=True)
        )
        opens_at = moment(check, "opens_at", raw.get("opens_at"))
        closes_at = moment(check, "closes_at", raw.get("closes_at"))
        if opens_at and closes_at and closes_at <= opens_at:
            check.fail("closes_at", "out_of_range")
        subjects = []
        seen: set[str] = set()
        for i, item in enumerate(
            _items(check, "subjects", raw.get("subjects"), MAX_SUBJECTS)
        ):
            at = f"subjects[{i}]."
            s_kind = check.choice(at + "kind", item.get("kind"), SubjectKind)
            unit_id = check.identifier(
                at + "unit_id", item.get("unit_id"), required=False
            )
            person_id = check.identifier(
                at + "person_id", item.get("person_id"), required=False
            )
            name = check.text(
                at + "name", item.get("name"), max_len=100, required=False
            )
            if s_kind in (SubjectKind.TEAM, SubjectKind.UNIT) and not unit_id:
                check.fail(at + "unit_id", "required")
            if s_kind in (SubjectKind.STAFF, SubjectKind.LEADER) and not person_id:
                check.fail(at + "person_id", "required")
            if kind and s_kind and s_kind.value not in _ALLOWED[kind]:
                check.fail(at + "kind", "not_allowed")
            subject_id = check.identifier(
                at + "subject_id",
                item.get("subject_id") or person_id or unit_id or f"s{i}",
            )
            if subject_id in seen:
                check.fail(at + "subject_id", "duplicate")
            seen.add(subject_id)
            if s_kind:
                subjects.append(
                    SubjectInput(
                        subject_id, s_kind, unit_id or None, person_id or None, name
                    )
                )
        voters: list[tuple[str, str]] = []
        seen = set()
        for i, item in enumerate(
            _items(check, "electorate", raw.get("electorate"), MAX_VOTERS)
        ):
            at = f"electorate[{i}]."
            voter = check.identifier(at + "voter_id", item.get("voter_id"))
            group = check.choice(
                at + "constituency", item.get("constituency"), Constituency
            )
            if voter in seen:
                check.fail(at + "voter_id", "duplicate")
            seen.add(voter)
            if voter and group:
                voters.append((voter, group.value))
        check.done()
        assert kind and opens_at and closes_at  # done() refused the missing ones
        return cls(
            kind, title, year, opens_at, closes_at, tuple(subjects), tuple(voters)
        )


_ALLOWED = {
    RoundKind.STAFF: {"staff"},
    RoundKind.LEADERSHIP: {"team", "leader"},
    RoundKind.UNITS: {"unit"},
}


@dataclass(frozen=True)
class ChoiceInput:
    subject_id: str
    option: Option
    score: int | None
    comment: str


@dataclass(frozen=True)
class CastVote:
    """{"round_id": "...", "choices": [{"subject_id": "b01.002004", "option":
    "good", "score": 86, "comment": "..."}]} — a subject left out is abstained on."""

    round_id: str
    choices: tuple[ChoiceInput, ...]

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> CastVote:
        check = Check()
        round_id = check.identifier("round_id", raw.get("round_id"))
        choices = []
        seen: set[str] = set()
        given = raw.get("choices")
        if given == []:
            given = None  # a blank ballot is refused: there is nothing to cast
        for i, item in enumerate(_items(check, "choices", given, MAX_SUBJECTS)):
            at = f"choices[{i}]."
            subject_id = check.identifier(at + "subject_id", item.get("subject_id"))
            option = check.choice(at + "option", item.get("option"), Option)
            score: int | None = None
            if item.get("score") is not None:
                score = int(
                    check.number(
                        at + "score", item.get("score"), low=0, high=100, integer=True
                    )
                )
            comment = check.text(
                at + "comment",
                item.get("comment"),
                max_len=COMMENT_CHARS,
                required=False,
            )
            if subject_id in seen:
                check.fail(at + "subject_id", "duplicate")
            seen.add(subject_id)
            if option:
                choices.append(ChoiceInput(subject_id, option, score, comment))
        check.done()
        return cls(round_id, tuple(choices))


@dataclass(frozen=True)
class RoundRef:
    """{"round_id": "..."}"""

    round_id: str

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> RoundRef:
        check = Check()
        round_id = check.identifier("round_id", raw.get("round_id"))
        check.done()
        return cls(round_id)


@dataclass(frozen=True)
class AttachDutyReport:
    """述职: {"round_id": "...", "person_id": "b01.002002", "title": "...",
    "summary": "..."}"""

    round_id: str
    person_id: str
    title: str
    summary: str

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> AttachDutyReport:
        check = Check()
        round_id = check.identifier("round_id", raw.get("round_id"))
        person_id = check.identifier("person_id", raw.get("person_id"))
        title = check.text("title", raw.get("title"), max_len=200)
        summary = check.text("summary", raw.get("summary"), max_len=5000)
        check.done()
        return cls(round_id, person_id, title, summary)


@dataclass(frozen=True)
class RequireTalk:
    """{"kind": "inspection", "person_id": "b01.002001", "held_by": "b01.001001",
    "unit_id": "b01.u002", "reason": "...", "source_id": "tour-2026-h1",
    "due_on": null}"""

    kind: TalkKind
    person_id: str
    held_by: str
    unit_id: str | None
    reason: str
    source_id: str
    due_on: date | None

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> RequireTalk:
        check = Check()
        kind = check.choice("kind", raw.get("kind"), TalkKind)
        person_id = check.identifier("person_id", raw.get("person_id"))
        held_by = check.identifier("held_by", raw.get("held_by"))
        unit_id = check.identifier("unit_id", raw.get("unit_id"), required=False)
        reason = check.text("reason", raw.get("reason"), max_len=1000)
        source_id = check.identifier("source_id", raw.get("source_id"))
        due_on = check.day("due_on", raw.get("due_on"), required=False)
        check.done()
        assert kind is not None  # done() refused the missing ones
        return cls(kind, person_id, held_by, unit_id or None, reason, source_id, due_on)


@dataclass(frozen=True)
class HoldTalk:
    """{"talk_id": "...", "held_on": "2026-12-10", "record": "..."}"""

    talk_id: str
    held_on: date
    record: str

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> HoldTalk:
        check = Check()
        talk_id = check.identifier("talk_id", raw.get("talk_id"))
        held_on = check.day("held_on", raw.get("held_on"))
        record = check.text("record", raw.get("record"), max_len=10_000)
        check.done()
        assert held_on is not None  # done() refused the missing ones
        return cls(talk_id, held_on, record)


@dataclass(frozen=True)
class HoldStudyTest:
    """{"unit_id": "b01.u002", "year": 2026, "title": "区情区况闭卷测试",
    "held_on": "2026-02-24"}"""

    unit_id: str
    year: int
    title: str
    held_on: date

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> HoldStudyTest:
        check = Check()
        unit_id = check.identifier("unit_id", raw.get("unit_id"))
        year = int(
            check.number("year", raw.get("year"), low=2000, high=2100, integer=True)
        )
        title = check.text("title", raw.get("title"), max_len=200)
        held_on = check.day("held_on", raw.get("held_on"))
        check.done()
        assert held_on is not None  # done() refused the missing ones
        return cls(unit_id, year, title, held_on)


@dataclass(frozen=True)
class RecordScores:
    """{"test_id": "...", "scores": [{"person_id": "b01.002004", "score": 86.5}]}"""

    test_id: str
    scores: tuple[tuple[str, Fraction], ...]

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> RecordScores:
        check = Check()
        test_id = check.identifier("test_id", raw.get("test_id"))
        scores = []
        for i, item in enumerate(
            _items(check, "scores", raw.get("scores"), MAX_VOTERS)
        ):
            at = f"scores[{i}]."
            person = check.identifier(at + "person_id", item.get("person_id"))
            value = check.number(at + "score", item.get("score"), low=0, high=100)
            scores.append((person, Fraction(str(value))))
        check.done()
        return cls(test_id, tuple(scores))


@dataclass(frozen=True)
class SpotCheck:
    """{"test_id": "...", "checked_on": "2026-03-02", "finding": "..."}"""

    test_id: str
    checked_on: date
    finding: str

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> SpotCheck:
        check = Check()
        test_id = check.identifier("test_id", raw.get("test_id"))
        checked_on = check.day("checked_on", raw.get("checked_on"))
        finding = check.text("finding", raw.get("finding"), max_len=2000)
        check.done()
        assert checked_on is not None  # done() refused the missing ones
        return cls(test_id, checked_on, finding)
