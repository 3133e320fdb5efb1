"""The warning ladder (预警 → 催办 → 通报批评建议), as pure functions.

A scheduler asks every day what each open case should raise; nothing expires quietly:
an overdue case yields a warning every day, with the days it is overdue.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

from services.complaints.domain.complaint import Complaint
from services.complaints.domain.deadlines import (
    DeadlinePolicy,
    WorkCalendar,
    working_days_between,
)


class Rung(enum.StrEnum):
    DUE_SOON = "due_soon"  # 临期预警
    OVERDUE = "overdue"  # 超期催办, copied to the supervising leader
    CRITICISM_PROPOSED = "criticism_proposed"  # 通报批评建议


@dataclass(frozen=True)
class Alert:
    """What a case should raise today against one deadline."""

    rung: Rung
    deadline: date
    working_days_left: int  # 0 on the deadline itself; negative once overdue
    days_overdue: int  # calendar days past the deadline; 0 when not overdue

    @property
    def copy_supervising_leader(self) -> bool:
        return self.rung is not Rung.DUE_SOON


def warning_for(
    deadline: date,
    today: date,
    calendar: WorkCalendar,
    due_soon_working_days: int = 2,
    criticism_after_working_days: int = 5,
) -> Alert | None:
    """The rung a deadline stands on today, or None while it is comfortably ahead.

    Due soon: at most `due_soon_working_days` working days left (the deadline day
    included). Overdue: from the day after the deadline, every day. A criticism
    proposal: once more than `criticism_after_working_days` working days have passed
    since the deadline.
    """
    left = working_days_between(today, deadline, calendar)
    if today <= deadline:
        if left <= due_soon_working_days:
            return Alert(Rung.DUE_SOON, deadline, left, 0)
        return None
    days_overdue = (today - deadline).days
    rung = (
        Rung.CRITICISM_PROPOSED
        if -left > criticism_after_working_days
        else Rung.OVERDUE
    )
    return Alert(rung, deadline, left, days_overdue)


def complaint_warning(
    complaint: Complaint, today: date, policy: DeadlinePolicy
) -> Alert | None:
    """The warning an open complaint should raise today against its running deadline."""
    due = complaint.current_due
    if not complaint.is_open or due is None:
        return None
    return warning_for(
        due,
        today,
        policy.calendar,
        policy.due_soon_working_days,
        policy.criticism_after_working_days,
    )


def apply_ladder(
    complaint: Complaint,
    today: date,
    policy: DeadlinePolicy,
    actor: str,
    at: datetime,
) -> Alert | None:
    """Raise on the complaint what its rung today implies, each thing once: a due-soon
    warning per deadline, an overdue reminder per day overdue (the day's count in
    it), a criticism proposal per missed deadline (with that day's reminder too)."""
    alert = complaint_warning(complaint, today, policy)
    stage = complaint.stage
    if alert is None or stage is None:
        return None
    if alert.rung is Rung.DUE_SOON:
        complaint.warn_due_soon(
            stage, alert.deadline, alert.working_days_left, actor, at
        )
        return alert
    behind = -alert.working_days_left
    complaint.report_overdue(stage, alert.deadline, today, behind, actor, at)
    if alert.rung is Rung.CRITICISM_PROPOSED:
        complaint.propose_criticism(stage, alert.deadline, today, behind, actor, at)
    return alert
