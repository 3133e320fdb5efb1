"""What the complaints service answers: staff see the case, the public sees less.

The staff view never holds the reporter's identity (that is a separate, recorded
read); the public view, reached by receipt code, holds no internal names either:
no investigator, no actor, no person held accountable, no findings text.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from services.common.ratio import Ratio
from services.complaints.domain.indicators import Indicators
from services.complaints.domain.model import State
from services.complaints.domain.state import ComplaintState
from services.complaints.protection.records import ReceiptCode, Reporter

PUBLIC_STATE = {
    State.RECEIVED: "received",
    State.ACCEPTED: "being_handled",
    State.ASSIGNED: "being_handled",
    State.INVESTIGATING: "being_handled",
    State.CONCLUDED: "concluded",
    State.ACCOUNTABILITY_DECIDED: "concluded",
    State.REPLIED: "replied",
    State.SATISFACTION_RECORDED: "replied",
    State.CLOSED: "closed",
    State.REJECTED: "rejected",
}


def _day(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _additions(code: ReceiptCode | None) -> list[dict[str, Any]]:
    if code is None:
        return []
    return [
        {"text": a.text, "attachments": list(a.attachments), "at": a.at.isoformat()}
        for a in code.additions
    ]


def complaint(
    c: ComplaintState, code: ReceiptCode | None = None, today: date | None = None
) -> dict[str, Any]:
    """The case as the bureau's staff handle it; `today` (the bureau's local date)
    gives the days its running deadline is overdue."""
    due = c.current_due
    days_overdue = (
        (today - due).days
        if today is not None and due is not None and c.is_open and today > due
        else 0
    )
    return {
        "complaint_id": c.id,
        "bureau_id": c.bureau_id,
        "unit_id": c.unit_id,
        "state": c.state.value,
        "channel": c.channel.value,
        "category": c.problem_category.value,
        "description": c.description,
        "attachments": [a.to_dict() for a in c.attachments],
        "anonymous": c.reporter_ref is None,
        "received_at": c.received_at.isoformat() if c.received_at else None,
        "due": {stage.value: day.isoformat() for stage, day in c.due.items()},
        "current_due": _day(c.current_due),
        "extended": c.extended,
        "assumed_years": list(c.assumed_years),
        "calendar_warning": _calendar_warning(c.assumed_years),
        "investigator_id": c.investigator_id,
        "outcome": c.outcome.value if c.outcome else None,
        "findings": c.findings,
        "accountability": c.accountability.value if c.accountability else None,
        "accountable_ids": list(c.accountable_ids),
        "satisfaction": c.satisfaction.value if c.satisfaction else None,
        "resolved": c.resolved,
        "reopen_count": c.reopen_count,
        "duplicate_of": c.duplicate_of,
        "reporter_additions": _additions(code),
        "days_overdue": days_overdue,
        "ladder": _ladder(c),
    }


def _ladder(c: ComplaintState) -> dict[str, Any]:
    """What the warning ladder raised on this case (every overdue day counted)."""
    last = c.last_overdue
    return {
        "due_soon": sorted(f"{s.value}:{d.isoformat()}" for s, d in c.due_soon_warned),
        "overdue_reminders": sum(len(days) for days in c.overdue_days.values()),
        "last_overdue": None
        if last is None
        else {
            "stage": last.stage.value,
            "deadline": last.deadline.isoformat(),
            "day": last.day.isoformat(),
            "days_overdue": last.days_overdue,
        },
        "criticism_proposed": sorted(
            f"{s.value}:{d.isoformat()}" for s, d in c.criticism_proposed
        ),
    }


def _ratio(r: Ratio) -> dict[str, Any]:
    rate = r.rate
    return {
        "numerator": r.numerator,
        "denominator": r.denominator,
        "rate": None if rate is None else round(rate, 4),
    }


def indicators(i: Indicators) -> dict[str, Any]:
    return {
        "response": _ratio(i.response),
        "on_time_conclusion": _ratio(i.on_time_conclusion),
        "substantiation": _ratio(i.substantiation),
        "satisfaction": _ratio(i.satisfaction),
        "reopen": _ratio(i.reopen),
        "resolution": _ratio(i.resolution),
    }


def public(c: ComplaintState, code: ReceiptCode, replies: list[str]) -> dict[str, Any]:
    """The case as its reporter follows it by receipt code."""
    return {
        "state": PUBLIC_STATE.get(c.state, "received"),
        "category": c.problem_category.value,
        "description": c.description,
        "received_at": c.received_at.isoformat() if c.received_at else None,
        "current_due": _day(c.current_due),
        "outcome": c.outcome.value if c.outcome else None,
        "replies": replies,
        "your_additions": _additions(code),
    }


def identity_reads(reporter: Reporter) -> list[dict[str, Any]]:
    return [
        {"viewer": v.viewer, "role": v.role, "at": v.at.isoformat()}
        for v in reporter.views
    ]


def _calendar_warning(years: tuple[int, ...]) -> str | None:
    if not years:
        return None
    listed = ", ".join(str(y) for y in years)
    return (
        f"{listed} 年节假日安排尚未载入，期限按周一至周五计算 / "
        f"holiday schedule for {listed} not loaded: deadlines assume Monday–Friday"
    )
