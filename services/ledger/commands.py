"""Commands of the ledger service: validated, typed, imperative names.

Each `parse` checks a raw RPC payload and raises InvalidInput naming every bad field,
including the cross-field rules a payload alone can show (a check dimension only for
self-inspection, a person only for individual items, a deadline not before the
finding). The domain re-checks what depends on stored state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from services.common.validation import Check
from services.ledger.domain.model import (
    Category,
    CheckDimension,
    Evidence,
    Level,
    Source,
    Verdict,
)

Payload = dict[str, Any]

DESCRIPTION_MAX = 5000
TEXT_MAX = 2000
REFERENCE_MAX = 130
MAX_EVIDENCE = 20
MAX_EVIDENCE_BYTES = 50 * 1024 * 1024
MAX_MEASURES = 20


def evidence(check: Check, raw: Any, name: str = "evidence") -> tuple[Evidence, ...]:
    """Evidence file metadata: name, media type, size and SHA-256 of each file."""
    files = check.files(name, raw, max_items=MAX_EVIDENCE, max_bytes=MAX_EVIDENCE_BYTES)
    return tuple(Evidence(*file) for file in files)


def texts(check: Check, name: str, raw: Any, *, max_items: int) -> tuple[str, ...]:
    """A non-empty list of non-empty texts (measures, participants, ids)."""
    if raw is None or raw == []:
        check.fail(name, "required")
        return ()
    if not isinstance(raw, list):
        check.fail(name, "bad_format")
        return ()
    if len(raw) > max_items:
        check.fail(name, "too_long")
    items = [check.text(f"{name}[{i}]", v, max_len=TEXT_MAX) for i, v in enumerate(raw)]
    if len(set(items)) != len(items):
        check.fail(name, "duplicate")
    return tuple(items)


def _item_id(check: Check, raw: Payload) -> str:
    return check.identifier("item_id", raw.get("item_id"))


def deadline_not_before(
    check: Check, deadline: date | None, found_on: date | None
) -> None:
    if deadline is not None and found_on is not None and deadline < found_on:
        check.fail("deadline", "out_of_range")


@dataclass(frozen=True)
class OpenItem:
    """Enter a problem in the ledger. {"level": "unit", "unit_id": "zjj.bgs",
    "person_id": null, "category": "slow", "check_dimension": "work_standards",
    "source": "self_inspection", "reference": "self-inspection-2026-03",
    "description": "...", "evidence": [], "found_on": "2026-03-12"}"""

    level: Level
    unit_id: str | None
    person_id: str | None
    category: Category
    check_dimension: CheckDimension | None
    source: Source
    reference: str
    description: str
    evidence: tuple[Evidence, ...]
    found_on: date

    @classmethod
    def parse(cls, raw: Payload) -> OpenItem:
        check = Check()
        level = check.choice("level", raw.get("level"), Level)
        unit_id = check.text("unit_id", raw.get("unit_id"), max_len=130, required=False)
        person_id = check.text(
            "person_id", raw.get("person_id"), max_len=130, required=False
        )
        category = check.choice("category", raw.get("category"), Category)
        source = check.choice("source", raw.get("source"), Source)
        dimension: CheckDimension | None = None
        if source is Source.SELF_INSPECTION:
            dimension = check.choice(
                "check_dimension", raw.get("check_dimension"), CheckDimension
            )
        elif source is not None and raw.get("check_dimension") not in (None, ""):
            check.fail("check_dimension", "not_allowed")
        if level is Level.INDIVIDUAL:
            if not person_id:
                check.fail("person_id", "required")
            if not unit_id:
                check.fail("unit_id", "required")
        elif level is Level.UNIT and person_id:
            check.fail("person_id", "not_allowed")
        reference = check.text("reference", raw.get("reference"), max_len=REFERENCE_MAX)
        description = check.text(
            "description", raw.get("description"), max_len=DESCRIPTION_MAX
        )
        files = evidence(check, raw.get("evidence"))
        found_on = check.day("found_on", raw.get("found_on"))
        check.done()
        assert level is not None and category is not None and source is not None
        assert found_on is not None
        return cls(
            level,
            unit_id or None,
            person_id or None,
            category,
            dimension,
            source,
            reference,
            description,
            files,
            found_on,
        )


@dataclass(frozen=True)
class PlanRectification:
    """Measures, supervising leader and deadline. {"item_id": "...", "measures":
    ["..."], "leader_id": "zjj.p-wang", "deadline": "2026-08-31"}; with no deadline
    the handler takes the campaign's `ledger.default_deadline_days`."""

    item_id: str
    measures: tuple[str, ...]
    leader_id: str
    deadline: date | None

    @classmethod
    def parse(cls, raw: Payload) -> PlanRectification:
        check = Check()
        item_id = _item_id(check, raw)
        measures = texts(check, "measures", raw.get("measures"), max_items=MAX_MEASURES)
        leader_id = check.identifier("leader_id", raw.get("leader_id"))
        deadline = check.day("deadline", raw.get("deadline"), required=False)
        check.done()
        return cls(item_id, measures, leader_id, deadline)


@dataclass(frozen=True)
class AddMeasure:
    item_id: str
    text: str

    @classmethod
    def parse(cls, raw: Payload) -> AddMeasure:
        check = Check()
        command = cls(
            _item_id(check, raw), check.text("text", raw.get("text"), max_len=TEXT_MAX)
        )
        check.done()
        return command


@dataclass(frozen=True)
class NameSupervisor:
    """Name (or change) the supervising leader. {"item_id": "...",
    "leader_id": "zjj.p-wang"}"""

    item_id: str
    leader_id: str

    @classmethod
    def parse(cls, raw: Payload) -> NameSupervisor:
        check = Check()
        command = cls(
            _item_id(check, raw), check.identifier("leader_id", raw.get("leader_id"))
        )
        check.done()
        return command


@dataclass(frozen=True)
class SetDeadline:
    """Set or move the deadline (moving needs a reason)."""

    item_id: str
    deadline: date
    reason: str

    @classmethod
    def parse(cls, raw: Payload) -> SetDeadline:
        check = Check()
        item_id = _item_id(check, raw)
        deadline = check.day("deadline", raw.get("deadline"))
        reason = check.text(
            "reason", raw.get("reason"), max_len=TEXT_MAX, required=False
        )
        check.done()
        assert deadline is not None
        return cls(item_id, deadline, reason)


@dataclass(frozen=True)
class NoteProgress:
    item_id: str
    note: str
    evidence: tuple[Evidence, ...]

    @classmethod
    def parse(cls, raw: Payload) -> NoteProgress:
        check = Check()
        command = cls(
            _item_id(check, raw),
            check.text("note", raw.get("note"), max_len=TEXT_MAX),
            evidence(check, raw.get("evidence")),
        )
        check.done()
        return command


@dataclass(frozen=True)
class SubmitRectification:
    item_id: str
    summary: str
    evidence: tuple[Evidence, ...]

    @classmethod
    def parse(cls, raw: Payload) -> SubmitRectification:
        check = Check()
        command = cls(
            _item_id(check, raw),
            check.text("summary", raw.get("summary"), max_len=TEXT_MAX),
            evidence(check, raw.get("evidence")),
        )
        check.done()
        return command


@dataclass(frozen=True)
class VerifyRectification:
    """Verify (销号) or reject a submitted rectification. {"item_id": "...",
    "verdict": "verified", "verified_on": "2026-08-20", "remarks": ""} or
    {"item_id": "...", "verdict": "rejected", "reasons": "..."}"""

    item_id: str
    verdict: Verdict
    verified_on: date | None
    reasons: str
    remarks: str

    @classmethod
    def parse(cls, raw: Payload) -> VerifyRectification:
        check = Check()
        item_id = _item_id(check, raw)
        verdict = check.choice("verdict", raw.get("verdict"), Verdict)
        verified_on = check.day(
            "verified_on",
            raw.get("verified_on"),
            required=verdict is Verdict.VERIFIED,
        )
        reasons = check.text(
            "reasons",
            raw.get("reasons"),
            max_len=TEXT_MAX,
            required=verdict is Verdict.REJECTED,
        )
        remarks = check.text(
            "remarks", raw.get("remarks"), max_len=TEXT_MAX, required=False
        )
        check.done()
        assert verdict is not None
        return cls(item_id, verdict, verified_on, reasons, remarks)


@dataclass(frozen=True)
class ReopenItem:
    """A later inspection found a closed problem again. {"item_id": "...",
    "source": "spot_check", "reference": "...", "found_on": "2026-10-09",
    "deadline": "2026-11-08", "reason": "..."}"""

    item_id: str
    source: Source
    reference: str
    found_on: date
    deadline: date | None
    reason: str

    @classmethod
    def parse(cls, raw: Payload) -> ReopenItem:
        check = Check()
        item_id = _item_id(check, raw)
        source = check.choice("source", raw.get("source"), Source)
        reference = check.text("reference", raw.get("reference"), max_len=REFERENCE_MAX)
        found_on = check.day("found_on", raw.get("found_on"))
        deadline = check.day("deadline", raw.get("deadline"), required=False)
        deadline_not_before(check, deadline, found_on)
        reason = check.text("reason", raw.get("reason"), max_len=TEXT_MAX)
        check.done()
        assert source is not None and found_on is not None
        return cls(item_id, source, reference, found_on, deadline, reason)
