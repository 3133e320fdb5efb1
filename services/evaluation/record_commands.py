"""Commands of the study records, innovations, model windows and the assessment:
frozen dataclasses `parse`d from RPC payloads (InvalidInput names every bad field)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from typing import Any

from services.common.validation import Check
from services.evaluation.commands import MAX_VOTERS, moment


def _people(check: Check, name: str, raw: Any, *, required: bool = True) -> list[str]:
    if raw in (None, []) and not required:
        return []
    if not isinstance(raw, list) or not raw:
        check.fail(name, "required" if raw in (None, []) else "bad_format")
        return []
    if len(raw) > MAX_VOTERS:
        check.fail(name, "too_long")
        return []
    people = [check.identifier(f"{name}[{i}]", p) for i, p in enumerate(raw)]
    if len(set(people)) != len(people):
        check.fail(name, "duplicate")
    return people


@dataclass(frozen=True)
class RecordStudySession:
    """{"unit_id": "b01.u002", "held_on": "2026-02-13", "topic": "区委一二三四五
    发展思路", "lecturer": "区委党校 王教授", "expected": ["b01.002001", ...],
    "attended": ["b01.002001", ...]}"""

    unit_id: str
    held_on: date
    topic: str
    lecturer: str
    expected: tuple[str, ...]
    attended: tuple[str, ...]

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> RecordStudySession:
        check = Check()
        unit_id = check.identifier("unit_id", raw.get("unit_id"))
        held_on = check.day("held_on", raw.get("held_on"))
        topic = check.text("topic", raw.get("topic"), max_len=300)
        lecturer = check.text("lecturer", raw.get("lecturer"), max_len=100)
        expected = _people(check, "expected", raw.get("expected"))
        attended = _people(check, "attended", raw.get("attended"), required=False)
        check.done()
        assert held_on is not None  # done() refused the missing ones
        return cls(unit_id, held_on, topic, lecturer, tuple(expected), tuple(attended))


@dataclass(frozen=True)
class HoldSpeechContest:
    """{"unit_id": null, "year": 2026, "held_on": "2026-02-20",
    "title": "假如我是服务对象"}"""

    unit_id: str | None
    year: int
    held_on: date
    title: str

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> HoldSpeechContest:
        check = Check()
        unit_id = check.identifier("unit_id", raw.get("unit_id"), required=False)
        year = int(
            check.number("year", raw.get("year"), low=2000, high=2100, integer=True)
        )
        held_on = check.day("held_on", raw.get("held_on"))
        title = (
            check.text("title", raw.get("title"), max_len=200, required=False)
            or "假如我是服务对象"
        )
        check.done()
        assert held_on is not None  # done() refused the missing ones
        return cls(unit_id or None, year, held_on, title)


@dataclass(frozen=True)
class SpeechEntry:
    """{"contest_id": "...", "person_id": "b01.002004", "speech_title": "...",
    "score": 91.5} (score optional: entered first, scored later)"""

    contest_id: str
    person_id: str
    speech_title: str
    score: Fraction | None

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> SpeechEntry:
        check = Check()
        contest_id = check.identifier("contest_id", raw.get("contest_id"))
        person_id = check.identifier("person_id", raw.get("person_id"))
        title = check.text(
            "speech_title", raw.get("speech_title"), max_len=200, required=False
        )
        score = None
        if raw.get("score") is not None:
            score = Fraction(
                str(check.number("score", raw.get("score"), low=0, high=100))
            )
        check.done()
        return cls(contest_id, person_id, title, score)


@dataclass(frozen=True)
class SubmitInnovation:
    """{"unit_id": "b01.u002", "year": 2026, "title": "并联审批一次办结制",
    "summary": "..."}"""

    unit_id: str
    year: int
    title: str
    summary: str

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> SubmitInnovation:
        check = Check()
        unit_id = check.identifier("unit_id", raw.get("unit_id"))
        year = int(
            check.number("year", raw.get("year"), low=2000, high=2100, integer=True)
        )
        title = check.text("title", raw.get("title"), max_len=200)
        summary = check.text("summary", raw.get("summary"), max_len=10_000)
        check.done()
        return cls(unit_id, year, title, summary)


@dataclass(frozen=True)
class ReviewInnovation:
    """{"innovation_id": "...", "verdict": "shortlisted", "remarks": "..."}"""

    innovation_id: str
    verdict: str
    remarks: str

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> ReviewInnovation:
        check = Check()
        innovation_id = check.identifier("innovation_id", raw.get("innovation_id"))
        verdict = check.text("verdict", raw.get("verdict"), max_len=20)
        if verdict and verdict not in ("shortlisted", "returned"):
            check.fail("verdict", "not_allowed")
        remarks = check.text(
            "remarks", raw.get("remarks"), max_len=2000, required=False
        )
        check.done()
        return cls(innovation_id, verdict, remarks)


@dataclass(frozen=True)
class SelectInnovations:
    """{"year": 2026, "ranked": ["<innovation_id, best first>", ...]}"""

    year: int
    ranked: tuple[str, ...]

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> SelectInnovations:
        check = Check()
        year = int(
            check.number("year", raw.get("year"), low=2000, high=2100, integer=True)
        )
        ranked = _people(check, "ranked", raw.get("ranked"))
        check.done()
        return cls(year, tuple(ranked))


@dataclass(frozen=True)
class NominateModel:
    """{"unit_id": "b01.u002", "year": 2026, "kind": "model_window",
    "reason": "..."}"""

    unit_id: str
    year: int
    kind: str
    reason: str

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> NominateModel:
        check = Check()
        unit_id = check.identifier("unit_id", raw.get("unit_id"))
        year = int(
            check.number("year", raw.get("year"), low=2000, high=2100, integer=True)
        )
        kind = check.text("kind", raw.get("kind"), max_len=20)
        if kind and kind not in ("model_window", "model_office"):
            check.fail("kind", "not_allowed")
        reason = check.text("reason", raw.get("reason"), max_len=2000)
        check.done()
        return cls(unit_id, year, kind, reason)


def _year_as_of(check: Check, raw: dict[str, Any]) -> tuple[int, datetime | None]:
    """An assessment's year (2000–2100) and optional `as_of` moment."""
    year = int(check.number("year", raw.get("year"), low=2000, high=2100, integer=True))
    as_of = (
        moment(check, "as_of", raw.get("as_of"))
        if raw.get("as_of") not in (None, "")
        else None
    )
    return year, as_of


@dataclass(frozen=True)
class AssessUnits:
    """{"year": 2026, "as_of": "2027-01-10T00:00:00+08:00", "unit_ids": null}
    (as_of: the assessment as it would have been computed then; default now)"""

    year: int
    as_of: datetime | None
    unit_ids: tuple[str, ...]

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> AssessUnits:
        check = Check()
        year, as_of = _year_as_of(check, raw)
        units = _people(check, "unit_ids", raw.get("unit_ids"), required=False)
        check.done()
        return cls(year, as_of, tuple(units))


NOTE_CHARS = 500


@dataclass(frozen=True)
class PublishAssessment:
    """{"year": 2026, "as_of": "2027-01-10T00:00:00+08:00", "note": "年终定格"}
    (as_of: the moment the figures stand at, not in the future; default now)"""

    year: int
    as_of: datetime | None
    note: str | None

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> PublishAssessment:
        check = Check()
        year, as_of = _year_as_of(check, raw)
        note = check.text("note", raw.get("note"), max_len=NOTE_CHARS, required=False)
        check.done()
        return cls(year, as_of, note or None)
