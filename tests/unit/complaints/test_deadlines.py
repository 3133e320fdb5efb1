"""Deadlines in working days on the statutory calendar; the clock starts at receipt."""

from __future__ import annotations

from datetime import UTC, date, datetime

import chinese_calendar
import pytest

from services.complaints.domain import (
    ChineseWorkCalendar,
    DeadlinePolicy,
    YearSchedule,
    add_working_days,
)
from services.complaints.domain.deadlines import working_days_between
from services.complaints.domain.errors import (
    ApproverRequired,
    ExtensionAlreadyUsed,
    IllegalTransition,
    ReasonRequired,
    SameUnit,
    ScheduleInvalid,
)
from services.complaints.domain.events import DeadlineExtended, DeadlinesRecomputed
from services.complaints.domain.model import Outcome, Stage, State
from tests.unit.complaints.factory import (
    INVESTIGATOR,
    accepted,
    assigned,
    investigating,
    later,
    policy,
    received,
    replied,
)

# Illustrative, not the State Council's notice: New Year 1–3 January 2027 off,
# and Saturday 9 January worked in exchange.
SCHEDULE_2027 = {
    "year": 2027,
    "holidays": ["2027-01-01", "2027-01-02", "2027-01-03"],
    "workdays": ["2027-01-09"],
}


class TestTheLibrarysCalendar:
    def test_the_library_knows_the_2026_spring_festival(self):
        # The data this suite relies on, checked against the library itself.
        assert chinese_calendar.is_workday(date(2026, 2, 14))  # adjusted Saturday
        assert not chinese_calendar.is_workday(date(2026, 2, 16))
        assert chinese_calendar.is_workday(date(2026, 2, 24))
        assert chinese_calendar.is_workday(date(2026, 2, 28))  # adjusted Saturday

    def test_an_adjusted_working_saturday_counts_as_a_working_day(self):
        calendar = ChineseWorkCalendar()
        assert add_working_days(date(2026, 2, 13), 1, calendar) == date(2026, 2, 14)

    def test_the_spring_festival_holiday_does_not_count(self):
        calendar = ChineseWorkCalendar()
        assert add_working_days(date(2026, 2, 14), 1, calendar) == date(2026, 2, 24)

    def test_the_start_day_itself_never_counts(self):
        calendar = ChineseWorkCalendar()
        assert add_working_days(date(2026, 3, 2), 0, calendar) == date(2026, 3, 2)
        assert add_working_days(date(2026, 3, 2), 1, calendar) == date(2026, 3, 3)

    def test_a_report_received_on_a_holiday_starts_counting_on_the_next_working_day(
        self,
    ):
        calendar = ChineseWorkCalendar()
        assert add_working_days(date(2026, 2, 17), 1, calendar) == date(2026, 2, 24)

    def test_working_days_between_skip_the_holiday(self):
        calendar = ChineseWorkCalendar()
        assert working_days_between(date(2026, 2, 13), date(2026, 2, 24), calendar) == 2
        assert (
            working_days_between(date(2026, 2, 24), date(2026, 2, 13), calendar) == -2
        )

    def test_a_known_year_is_not_a_fallback(self):
        calendar = ChineseWorkCalendar()
        add_working_days(date(2026, 2, 13), 15, calendar)
        assert calendar.knows(2026)
        assert not calendar.fallbacks


class TestAYearTheLibraryDoesNotKnow:
    def test_2027_falls_back_to_monday_to_friday_and_says_so(self):
        calendar = ChineseWorkCalendar()
        assert not calendar.knows(2027)
        # Friday 1 January 2027 is New Year's Day, but Mon–Fri cannot know that.
        assert add_working_days(date(2026, 12, 31), 1, calendar) == date(2027, 1, 1)
        assert calendar.fallbacks[2027] > 0

    def test_loading_the_years_schedule_as_data_changes_the_result(self):
        calendar = ChineseWorkCalendar()
        calendar.load(YearSchedule.from_dict(SCHEDULE_2027))
        assert calendar.knows(2027)
        assert add_working_days(date(2026, 12, 31), 1, calendar) == date(2027, 1, 4)
        assert calendar.is_workday(date(2027, 1, 9))  # the adjusted Saturday
        assert not calendar.fallbacks

    @pytest.mark.parametrize(
        ("raw", "why"),
        [
            ({"year": 2027, "holidays": ["2028-01-01"], "workdays": []}, "2027"),
            (
                {"year": 2027, "holidays": ["2027-01-09"], "workdays": ["2027-01-09"]},
                "both",
            ),
            ({"year": 2027, "holidays": [], "workdays": ["2027-01-04"]}, "Saturdays"),
            ({"year": 2027, "holidays": ["1 Jan"], "workdays": []}, "malformed"),
            ({"holidays": [], "workdays": []}, "malformed"),
        ],
    )
    def test_a_malformed_schedule_is_refused(self, raw, why):
        with pytest.raises(ScheduleInvalid, match=why):
            YearSchedule.from_dict(raw)


class TestDeadlinesOfAComplaint:
    def test_the_defaults_are_one_fifteen_and_three_working_days(self):
        assert dict(policy().working_days) == {
            Stage.ACCEPTANCE: 1,
            Stage.INVESTIGATION: 15,
            Stage.REPLY: 3,
        }

    def test_the_deadlines_come_from_the_campaign_settings(self):
        settings = {
            "timezone": "Asia/Shanghai",
            "complaints": {
                "acceptance_working_days": 2,
                "investigation_working_days": 10,
                "reply_working_days": 5,
                "due_soon_working_days": 3,
            },
        }
        configured = DeadlinePolicy.from_settings(settings, ChineseWorkCalendar())
        assert configured.working_days[Stage.INVESTIGATION] == 10
        assert configured.due_soon_working_days == 3
        complaint = received(deadlines=configured)
        assert complaint.due[Stage.ACCEPTANCE] == date(2026, 2, 24)

    def test_the_clock_starts_at_receipt_across_the_spring_festival(self):
        complaint = received()  # Friday 13 February 2026, 10:00 Beijing
        assert complaint.due[Stage.ACCEPTANCE] == date(2026, 2, 14)
        assert complaint.due[Stage.INVESTIGATION] == date(2026, 3, 12)
        assert complaint.assumed_years == ()

    def test_the_local_date_decides_not_utc(self):
        # 23:30 UTC on 12 February is already 07:30 on the 13th in Beijing.
        complaint = received(at=datetime(2026, 2, 12, 23, 30, tzinfo=UTC))
        assert complaint.due[Stage.ACCEPTANCE] == date(2026, 2, 14)

    def test_signing_for_the_case_later_does_not_move_the_deadline(self):
        complaint = received()
        complaint.accept("office", later(11))
        complaint.assign(INVESTIGATOR, "office", later(11))
        assert complaint.current_due == date(2026, 3, 12)

    def test_the_reply_deadline_runs_from_the_conclusion(self):
        complaint = investigating()
        complaint.conclude(
            Outcome.UNSUBSTANTIATED,
            "查无此事",
            policy(),
            INVESTIGATOR,
            datetime(2026, 3, 3, 2, 0, tzinfo=UTC),  # a Tuesday
        )
        assert complaint.current_due == date(2026, 3, 6)

    def test_a_deadline_reaching_into_an_unknown_year_is_marked_assumed(self):
        complaint = received(at=datetime(2026, 12, 31, 2, 0, tzinfo=UTC))
        assert complaint.due[Stage.ACCEPTANCE] == date(2027, 1, 1)
        assert complaint.assumed_years == (2027,)


class TestSendBackAndTransfer:
    def test_a_send_back_returns_the_case_for_assignment_without_restarting_the_clock(
        self,
    ):
        complaint = investigating()
        due = complaint.current_due
        complaint.send_back("非本人职责", "director", INVESTIGATOR, later(5))
        assert complaint.state is State.ACCEPTED
        assert complaint.investigator_id is None
        assert complaint.current_due == due

    def test_a_transfer_moves_the_case_without_restarting_the_clock(self):
        complaint = assigned()
        due = dict(complaint.due)
        complaint.transfer("zjj.zfk", "属执法科职责", "director", "office", later(5))
        assert complaint.unit_id == "zjj.zfk"
        assert complaint.state is State.ACCEPTED
        assert complaint.due == due

    def test_a_transfer_before_acceptance_stays_waiting_for_acceptance(self):
        complaint = received()
        complaint.transfer(None, "涉及全局", "director", "office", later(0.1))
        assert complaint.state is State.RECEIVED
        assert complaint.unit_id is None

    @pytest.mark.parametrize(
        ("reason", "approver", "error"),
        [("", "director", ReasonRequired), ("理由", " ", ApproverRequired)],
    )
    def test_send_back_and_transfer_need_a_reason_and_an_approver(
        self, reason, approver, error
    ):
        with pytest.raises(error):
            investigating().send_back(reason, approver, INVESTIGATOR, later(5))
        with pytest.raises(error):
            accepted().transfer("zjj.zfk", reason, approver, "office", later(5))

    def test_a_transfer_to_the_same_unit_is_refused(self):
        with pytest.raises(SameUnit):
            accepted().transfer("zjj.bgs", "理由", "director", "office", later(1))


class TestExtension:
    def test_a_deadline_is_extended_in_working_days_with_reason_and_approver(self):
        complaint = investigating()
        complaint.extend_deadline(5, "需外调取证", "director", policy(), "o", later(20))
        (event,) = complaint.pending()[-1:]
        assert isinstance(event, DeadlineExtended)
        assert (event.previous_due, event.new_due) == (
            date(2026, 3, 12),
            date(2026, 3, 19),
        )
        assert event.approver == "director"
        assert complaint.current_due == date(2026, 3, 19)

    def test_a_deadline_is_extended_only_once(self):
        complaint = investigating()
        complaint.extend_deadline(5, "需外调取证", "director", policy(), "o", later(20))
        with pytest.raises(ExtensionAlreadyUsed):
            complaint.extend_deadline(2, "再延", "director", policy(), "o", later(21))

    @pytest.mark.parametrize(
        ("reason", "approver", "error"),
        [("", "director", ReasonRequired), ("理由", "", ApproverRequired)],
    )
    def test_an_extension_needs_a_reason_and_an_approver(self, reason, approver, error):
        with pytest.raises(error):
            investigating().extend_deadline(
                5, reason, approver, policy(), "o", later(20)
            )

    def test_a_closed_case_has_no_deadline_to_extend(self):
        complaint = replied()
        complaint.close(True, "已整改", "office", later(16))
        with pytest.raises(IllegalTransition):
            complaint.extend_deadline(5, "r", "a", policy(), "o", later(17))


class TestRecomputingAfterAScheduleIsLoaded:
    def test_loading_the_schedule_recomputes_open_cases_through_an_event(self):
        complaint = received(at=datetime(2026, 12, 31, 2, 0, tzinfo=UTC))
        calendar = ChineseWorkCalendar()
        calendar.load(YearSchedule.from_dict(SCHEDULE_2027))
        changed = complaint.recompute_deadlines(
            DeadlinePolicy(calendar), "system", later(330), "2027 年节假日安排已载入"
        )
        assert changed
        (event,) = complaint.pending()[-1:]
        assert isinstance(event, DeadlinesRecomputed)
        assert event.acceptance_due == date(2027, 1, 4)
        assert complaint.due[Stage.ACCEPTANCE] == date(2027, 1, 4)
        assert complaint.assumed_years == ()

    def test_a_case_computed_on_a_known_calendar_is_left_alone(self):
        complaint = received()
        before = len(complaint.pending())
        assert not complaint.recompute_deadlines(policy(), "system", later(1), "载入")
        assert len(complaint.pending()) == before


class TestTime:
    def test_a_naive_datetime_is_refused_rather_than_guessed(self):
        with pytest.raises(ValueError):
            policy().local_date(datetime(2026, 2, 13, 10, 0))
