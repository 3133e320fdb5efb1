"""Commands for the ledger's other records: self-analysis materials, surveys, the
four disclosures and inspection tours. Same contract as `commands.py`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from services.common.validation import Check
from services.ledger.commands import (
    DESCRIPTION_MAX,
    TEXT_MAX,
    Payload,
    evidence,
    texts,
)
from services.ledger.domain.model import (
    Category,
    DisclosureKind,
    Evidence,
    ReviewOutcome,
    SurveyKind,
    TourVerdict,
)
from services.ledger.domain.survey import RaisedProblem
from services.ledger.domain.tours import Finding

MATERIAL_MAX = 20000
MAX_PROBLEMS = 100
MAX_PARTICIPANTS = 500


def _entries(check: Check, name: str, raw: Any, *, max_items: int) -> list[Any]:
    if raw is None or raw == []:
        check.fail(name, "required")
        return []
    if not isinstance(raw, list):
        check.fail(name, "bad_format")
        return []
    if len(raw) > max_items:
        check.fail(name, "too_long")
    for i, entry in enumerate(raw):
        if not isinstance(entry, dict):
            check.fail(f"{name}[{i}]", "bad_format")
    return [entry if isinstance(entry, dict) else {} for entry in raw]


@dataclass(frozen=True)
class SubmitSelfAnalysis:
    """Submit (or, after a self-criticism, resubmit) one's self-analysis material.
    {"year": 2026, "text": "...", "attachments": []}"""

    year: int
    text: str
    attachments: tuple[Evidence, ...]

    @classmethod
    def parse(cls, raw: Payload) -> SubmitSelfAnalysis:
        check = Check()
        year = check.number("year", raw.get("year"), low=2000, high=2100, integer=True)
        text = check.text("text", raw.get("text"), max_len=MATERIAL_MAX)
        files = evidence(check, raw.get("attachments"), "attachments")
        check.done()
        return cls(int(year), text, files)


@dataclass(frozen=True)
class ReviewSelfAnalysis:
    """Accept a material, or reject it as evasive with reasons.
    {"self_analysis_id": "...", "outcome": "rejected", "reasons": "避重就轻"}"""

    self_analysis_id: str
    outcome: ReviewOutcome
    reasons: str

    @classmethod
    def parse(cls, raw: Payload) -> ReviewSelfAnalysis:
        check = Check()
        analysis_id = check.identifier("self_analysis_id", raw.get("self_analysis_id"))
        outcome = check.choice("outcome", raw.get("outcome"), ReviewOutcome)
        reasons = check.text(
            "reasons",
            raw.get("reasons"),
            max_len=TEXT_MAX,
            required=outcome is ReviewOutcome.REJECTED,
        )
        check.done()
        assert outcome is not None
        return cls(analysis_id, outcome, reasons)


@dataclass(frozen=True)
class FileSelfCriticism:
    """书面检查 after a rejected material. {"self_analysis_id": "...", "text": "..."}"""

    self_analysis_id: str
    text: str

    @classmethod
    def parse(cls, raw: Payload) -> FileSelfCriticism:
        check = Check()
        command = cls(
            check.identifier("self_analysis_id", raw.get("self_analysis_id")),
            check.text("text", raw.get("text"), max_len=MATERIAL_MAX),
        )
        check.done()
        return command


@dataclass(frozen=True)
class RecordSurvey:
    """A forum, questionnaire or visit and the problems raised, each opening an item.
    {"unit_id": "zjj.jgk", "kind": "forum", "held_on": "2026-03-20",
    "participants": ["..."], "problems": [{"category": "slow", "description":
    "...", "person_id": null}]}"""

    unit_id: str
    kind: SurveyKind
    held_on: date
    participants: tuple[str, ...]
    problems: tuple[RaisedProblem, ...]

    @classmethod
    def parse(cls, raw: Payload) -> RecordSurvey:
        check = Check()
        unit_id = check.identifier("unit_id", raw.get("unit_id"))
        kind = check.choice("kind", raw.get("kind"), SurveyKind)
        held_on = check.day("held_on", raw.get("held_on"))
        participants = texts(
            check, "participants", raw.get("participants"), max_items=MAX_PARTICIPANTS
        )
        problems: list[RaisedProblem] = []
        entries = _entries(
            check, "problems", raw.get("problems"), max_items=MAX_PROBLEMS
        )
        for i, entry in enumerate(entries):
            at = f"problems[{i}]."
            category = check.choice(at + "category", entry.get("category"), Category)
            description = check.text(
                at + "description", entry.get("description"), max_len=DESCRIPTION_MAX
            )
            person_id = check.text(
                at + "person_id", entry.get("person_id"), max_len=130, required=False
            )
            if category is not None:
                problems.append(RaisedProblem(category, description, person_id or None))
        check.done()
        assert kind is not None and held_on is not None
        return cls(unit_id, kind, held_on, participants, tuple(problems))


@dataclass(frozen=True)
class PublishDisclosure:
    """Publish or replace one of a service window's four disclosures.
    {"unit_id": "zjj.zwzx", "kind": "commitments", "content": "..."}"""

    unit_id: str
    kind: DisclosureKind
    content: str

    @classmethod
    def parse(cls, raw: Payload) -> PublishDisclosure:
        check = Check()
        unit_id = check.identifier("unit_id", raw.get("unit_id"))
        kind = check.choice("kind", raw.get("kind"), DisclosureKind)
        content = check.text("content", raw.get("content"), max_len=DESCRIPTION_MAX)
        check.done()
        assert kind is not None
        return cls(unit_id, kind, content)


@dataclass(frozen=True)
class StartTour:
    """{"title": "2026 上半年作风建设巡查", "inspector_ids": ["..."],
    "started_on": "2026-06-15"}"""

    title: str
    inspector_ids: tuple[str, ...]
    started_on: date

    @classmethod
    def parse(cls, raw: Payload) -> StartTour:
        check = Check()
        title = check.text("title", raw.get("title"), max_len=200)
        inspectors = texts(
            check, "inspector_ids", raw.get("inspector_ids"), max_items=50
        )
        started_on = check.day("started_on", raw.get("started_on"))
        check.done()
        assert started_on is not None
        return cls(title, inspectors, started_on)


@dataclass(frozen=True)
class RecordTourFindings:
    """A unit's findings and verdict; `going_through_motions` needs remarks.
    {"tour_id": "...", "unit_id": "zjj.jgk", "verdict": "going_through_motions",
    "findings": [{"category": "false", "description": "...", "open_item": true}],
    "remarks": "问题不具体、不细化"}"""

    tour_id: str
    unit_id: str
    verdict: TourVerdict
    findings: tuple[Finding, ...]
    remarks: str

    @classmethod
    def parse(cls, raw: Payload) -> RecordTourFindings:
        check = Check()
        tour_id = check.identifier("tour_id", raw.get("tour_id"))
        unit_id = check.identifier("unit_id", raw.get("unit_id"))
        verdict = check.choice("verdict", raw.get("verdict"), TourVerdict)
        findings: list[Finding] = []
        raw_findings = raw.get("findings")
        entries = (
            []
            if raw_findings in (None, [])
            else _entries(check, "findings", raw_findings, max_items=MAX_PROBLEMS)
        )
        for i, entry in enumerate(entries):
            at = f"findings[{i}]."
            category = check.choice(at + "category", entry.get("category"), Category)
            description = check.text(
                at + "description", entry.get("description"), max_len=DESCRIPTION_MAX
            )
            open_item = entry.get("open_item", True)
            if not isinstance(open_item, bool):
                check.fail(at + "open_item", "bad_format")
            if category is not None:
                findings.append(Finding(category, description, open_item is not False))
        remarks = check.text(
            "remarks",
            raw.get("remarks"),
            max_len=TEXT_MAX,
            required=verdict is TourVerdict.GOING_THROUGH_MOTIONS,
        )
        check.done()
        assert verdict is not None
        return cls(tour_id, unit_id, verdict, tuple(findings), remarks)
