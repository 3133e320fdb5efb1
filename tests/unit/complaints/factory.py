"""Complaints at each stage of their life, built through their own commands."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from services.complaints.directory import MemoryOrgDirectory
from services.complaints.domain import ChineseWorkCalendar, Complaint, DeadlinePolicy
from services.complaints.domain.model import (
    AccountabilityKind,
    Category,
    Channel,
    Outcome,
    hash_receipt_code,
)

# 10:00 in Beijing on Friday 13 February 2026, the last working day before the
# Spring Festival holiday (15–23 February; Saturdays 14 and 28 are worked).
RECEIVED_AT = datetime(2026, 2, 13, 2, 0, tzinfo=UTC)
INVESTIGATOR = "zjj.p-investigator"
RECEIPT_CODE = "K7Q2-M9XD-4TZP"


def policy() -> DeadlinePolicy:
    return DeadlinePolicy(ChineseWorkCalendar())


def later(days: float) -> datetime:
    return RECEIVED_AT + timedelta(days=days)


def received(
    at: datetime = RECEIVED_AT,
    unit_id: str | None = "zjj.bgs",
    reporter_ref: str | None = "reporter-ref-1",
    deadlines: DeadlinePolicy | None = None,
) -> Complaint:
    complaint = Complaint(str(uuid.uuid4()))
    complaint.receive(
        "zjj",
        unit_id,
        Channel.HOTLINE,
        Category.SLOW,
        "窗口办事拖拉，材料齐全仍让跑三趟",
        [],
        reporter_ref,
        hash_receipt_code(RECEIPT_CODE),
        deadlines or policy(),
        "hotline-operator",
        at,
    )
    return complaint


def accepted() -> Complaint:
    complaint = received()
    complaint.accept("office", later(0.1))
    return complaint


def assigned() -> Complaint:
    complaint = accepted()
    complaint.assign(INVESTIGATOR, "office", later(0.2))
    return complaint


def investigating() -> Complaint:
    complaint = assigned()
    complaint.start_investigation(INVESTIGATOR, later(0.3))
    return complaint


def concluded(outcome: Outcome = Outcome.SUBSTANTIATED) -> Complaint:
    complaint = investigating()
    complaint.conclude(
        outcome, "查实：窗口人员多次要求重复提交材料", policy(), INVESTIGATOR, later(12)
    )
    return complaint


def decided() -> Complaint:
    complaint = concluded()
    complaint.decide_accountability(
        AccountabilityKind.WRITTEN_SELF_CRITICISM,
        ["zjj.p-window-clerk"],
        "情节较轻",
        "leading-group-office",
        later(13),
    )
    return complaint


def replied(outcome: Outcome = Outcome.SUBSTANTIATED) -> Complaint:
    complaint = decided() if outcome != Outcome.UNSUBSTANTIATED else concluded(outcome)
    complaint.reply("经查属实，已责令整改并书面检查", "office", later(14))
    return complaint


UNITS = {
    "zjj.u003": "zjj",
    "zjj.u004": "zjj",
    "zjj.bgs": "zjj",
    "jtj.u001": "jtj",
}


def directory(
    campaigns: dict[tuple[str, int], dict[str, object]] | None = None,
) -> MemoryOrgDirectory:
    """The organization as the complaints tests know it: zjj's units u003, u004 and
    bgs, jtj's u001; campaigns per (bureau, year) (none: the defaults apply)."""
    return MemoryOrgDirectory(UNITS, campaigns or {})
