"""Due soon, overdue every day, then a criticism proposal: nothing expires quietly."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.complaints.domain import (
    ChineseWorkCalendar,
    Rung,
    apply_ladder,
    complaint_warning,
    warning_for,
)
from tests.unit.complaints.factory import (
    investigating,
    later,
    policy,
    received,
    replied,
)

CALENDAR = ChineseWorkCalendar()
DEADLINE = date(2026, 3, 12)  # a Thursday


def rung_on(today: date, deadline: date = DEADLINE) -> Rung | None:
    alert = warning_for(deadline, today, CALENDAR, 2, 5)
    return None if alert is None else alert.rung


class TestDueSoon:
    @pytest.mark.parametrize(
        ("today", "rung"),
        [
            (date(2026, 3, 9), None),  # three working days left
            (date(2026, 3, 10), Rung.DUE_SOON),  # two left
            (date(2026, 3, 11), Rung.DUE_SOON),
            (date(2026, 3, 12), Rung.DUE_SOON),  # the deadline day itself
        ],
    )
    def test_due_soon_begins_the_configured_working_days_before(self, today, rung):
        assert rung_on(today) == rung

    def test_a_holiday_in_between_brings_due_soon_forward_in_calendar_days(self):
        # Eleven calendar days ahead, but only two working days: 14th and 24th.
        alert = warning_for(date(2026, 2, 24), date(2026, 2, 13), CALENDAR, 2, 5)
        assert alert is not None
        assert alert.rung is Rung.DUE_SOON
        assert alert.working_days_left == 2

    def test_the_due_soon_window_is_configurable(self):
        assert warning_for(DEADLINE, date(2026, 3, 9), CALENDAR, 3, 5) is not None
        assert warning_for(DEADLINE, date(2026, 3, 11), CALENDAR, 0, 5) is None

    def test_due_soon_is_not_copied_to_the_supervising_leader(self):
        alert = warning_for(DEADLINE, DEADLINE, CALENDAR)
        assert alert is not None
        assert not alert.copy_supervising_leader


class TestOverdue:
    def test_the_day_after_the_deadline_is_overdue_and_goes_to_the_leader(self):
        alert = warning_for(DEADLINE, date(2026, 3, 13), CALENDAR, 2, 5)
        assert alert is not None
        assert alert.rung is Rung.OVERDUE
        assert alert.days_overdue == 1
        assert alert.copy_supervising_leader

    def test_every_overdue_day_is_visible_weekends_included(self):
        days = [DEADLINE + timedelta(days=n) for n in range(1, 40)]
        alerts = [warning_for(DEADLINE, day, CALENDAR, 2, 5) for day in days]
        assert all(alert is not None for alert in alerts)
        assert [a.days_overdue for a in alerts if a] == list(range(1, 40))

    def test_a_criticism_is_proposed_after_the_further_interval(self):
        # 13, 16, 17, 18, 19 March are the five working days after the deadline.
        assert rung_on(date(2026, 3, 19)) is Rung.OVERDUE
        assert rung_on(date(2026, 3, 20)) is Rung.CRITICISM_PROPOSED
        assert rung_on(date(2026, 4, 30)) is Rung.CRITICISM_PROPOSED

    def test_a_weekend_does_not_bring_the_criticism_closer(self):
        assert rung_on(date(2026, 3, 21)) is Rung.CRITICISM_PROPOSED
        assert rung_on(date(2026, 3, 15)) is Rung.OVERDUE  # Sunday


class TestForAComplaint:
    def test_an_open_case_is_warned_against_its_running_deadline(self):
        alert = complaint_warning(investigating(), date(2026, 3, 13), policy())
        assert alert is not None
        assert alert.deadline == date(2026, 3, 12)
        assert alert.rung is Rung.OVERDUE

    def test_a_closed_case_raises_nothing(self):
        complaint = replied()
        complaint.close(True, "已整改", "office", later(16))
        assert complaint_warning(complaint, date(2026, 6, 1), policy()) is None

    def test_a_replied_case_waiting_for_satisfaction_has_no_running_deadline(self):
        assert complaint_warning(replied(), date(2026, 6, 1), policy()) is None


class TestApplyLadder:
    """What the scheduler raises on a case: each thing once, every overdue day."""

    def names(self, events: list[object]) -> list[str]:
        return [type(e).__name__ for e in events]

    def test_each_rung_is_raised_once_and_every_overdue_day_counted(self):
        complaint = received()  # Friday 13 February 2026; acceptance due 14th
        due = complaint.current_due
        assert due == date(2026, 2, 14)  # an adjusted working Saturday
        for offset in range(0, 20):
            today = due + timedelta(days=offset)
            for _ in range(2):  # the scheduler runs more than once a day
                apply_ladder(complaint, today, policy(), "system", later(offset))
        raised = self.names(complaint.pending())
        assert raised.count("DeadlineDueSoon") == 1
        assert raised.count("ComplaintOverdue") == 19
        assert raised.count("CriticismProposed") == 1
        overdue = [
            e for e in complaint.pending() if type(e).__name__ == "ComplaintOverdue"
        ]
        assert [e.days_overdue for e in overdue] == list(range(1, 20))
        # The Spring Festival holiday does not count towards the criticism interval:
        # the sixth working day after the 14th is Monday 2 March.
        (criticism,) = [
            e for e in complaint.pending() if type(e).__name__ == "CriticismProposed"
        ]
        assert criticism.at == later(16)

    def test_a_case_without_a_running_deadline_raises_nothing(self):
        complaint = replied()
        before = len(complaint.pending())
        alert = apply_ladder(complaint, date(2027, 1, 1), policy(), "system", later(1))
        assert alert is None
        assert len(complaint.pending()) == before
