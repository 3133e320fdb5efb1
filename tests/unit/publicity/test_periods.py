"""Period arithmetic: weeks Monday–Sunday and half-months 1–15 / 16–end in the
bureau's zone, year boundaries, leap Februaries, and a unit whose kind changes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from services.publicity.domain import (
    Period,
    PeriodType,
    Profile,
    due_periods,
    period_of,
    periods_starting,
    profile_at,
    quotas_from,
    zone_from,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEK, HALF = PeriodType.WEEK, PeriodType.HALF_MONTH


class TestWeeks:
    def test_a_week_runs_monday_to_sunday(self):
        assert period_of(WEEK, date(2026, 2, 4)) == Period(
            date(2026, 2, 2), date(2026, 2, 8), WEEK
        )

    def test_the_week_spanning_new_year_is_one_week_of_the_old_year(self):
        period = period_of(WEEK, date(2027, 1, 2))
        assert (period.start, period.end) == (date(2026, 12, 28), date(2027, 1, 3))
        assert period_of(WEEK, date(2026, 12, 31)) == period
        assert period.key == "week.2026-12-28"

    def test_a_week_spanning_two_months_is_one_period(self):
        assert period_of(WEEK, date(2026, 4, 30)) == period_of(WEEK, date(2026, 5, 3))
        assert period_of(WEEK, date(2026, 5, 3)).start == date(2026, 4, 27)

    def test_sunday_late_evening_in_beijing_still_counts_in_that_week(self):
        week = period_of(WEEK, date(2026, 2, 2))
        sunday_2330 = datetime(2026, 2, 8, 15, 30, tzinfo=UTC)  # 23:30 Beijing
        monday_0010 = datetime(2026, 2, 8, 16, 10, tzinfo=UTC)  # 00:10 Beijing
        assert week.contains(sunday_2330, SHANGHAI)
        assert not week.contains(monday_0010, SHANGHAI)
        assert week.next().contains(monday_0010, SHANGHAI)
        assert week.ends_at(SHANGHAI) == datetime(2026, 2, 8, 16, 0, tzinfo=UTC)


class TestHalfMonths:
    @pytest.mark.parametrize(
        ("day", "start", "end"),
        [
            (date(2026, 2, 15), date(2026, 2, 1), date(2026, 2, 15)),
            (date(2026, 2, 16), date(2026, 2, 16), date(2026, 2, 28)),
            (date(2028, 2, 29), date(2028, 2, 16), date(2028, 2, 29)),  # leap year
            (date(2100, 2, 20), date(2100, 2, 16), date(2100, 2, 28)),  # not leap
            (date(2026, 12, 31), date(2026, 12, 16), date(2026, 12, 31)),
            (date(2026, 4, 30), date(2026, 4, 16), date(2026, 4, 30)),
        ],
    )
    def test_half_months_are_the_1st_to_15th_and_16th_to_the_end(self, day, start, end):
        assert period_of(HALF, day) == Period(start, end, HALF)

    def test_the_half_month_after_december_is_january_first(self):
        assert period_of(HALF, date(2026, 12, 20)).next().start == date(2027, 1, 1)

    def test_periods_starting_in_a_span_skip_the_one_begun_before_it(self):
        weeks = list(periods_starting(WEEK, date(2026, 2, 1), date(2026, 2, 28)))
        assert [w.start.day for w in weeks] == [2, 9, 16, 23]
        halves = list(periods_starting(HALF, date(2026, 2, 1), date(2026, 3, 1)))
        assert [(h.start, h.end.day) for h in halves] == [
            (date(2026, 2, 1), 15),
            (date(2026, 2, 16), 28),
            (date(2026, 3, 1), 15),
        ]


def at(day: date, hour: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


class TestWhichPeriodsAUnitAnswersFor:
    quotas = quotas_from(None)

    def due(self, history, end=date(2026, 2, 28), now=None):
        now = now or at(date(2026, 3, 2), 1)
        return [
            (d.period.type.value, d.period.start.isoformat(), d.kind)
            for d in due_periods(
                history, self.quotas, SHANGHAI, date(2026, 2, 1), end, now
            )
        ]

    def test_an_affiliated_unit_answers_for_weeks_and_an_office_for_half_months(self):
        affiliated = [Profile("affiliated_unit", "p1", at(date(2026, 1, 1)))]
        office = [Profile("office", "p1", at(date(2026, 1, 1)))]
        assert self.due(affiliated) == [
            ("week", f"2026-02-{d:02d}", "affiliated_unit") for d in (2, 9, 16, 23)
        ]
        assert self.due(office) == [
            ("half_month", "2026-02-01", "office"),
            ("half_month", "2026-02-16", "office"),
        ]

    def test_the_kind_in_force_at_a_period_start_decides_the_period(self):
        """Affiliated unit until Wednesday 11 February, an office after: it answers
        for the week of 9 February as an affiliated unit (the kind at its start),
        not for the half-month of 1 February (it was no office then), and for the
        half-month of 16 February as an office; the week of 16 February is none of
        its business any more."""
        history = [
            Profile("affiliated_unit", "p1", at(date(2026, 1, 1))),
            Profile("office", "p1", at(date(2026, 2, 11), 15)),
        ]
        assert self.due(history) == [
            ("week", "2026-02-02", "affiliated_unit"),
            ("week", "2026-02-09", "affiliated_unit"),
            ("half_month", "2026-02-16", "office"),
        ]

    def test_periods_not_yet_ended_are_not_due(self):
        history = [Profile("affiliated_unit", "p1", at(date(2026, 1, 1)))]
        sunday_night = at(date(2026, 2, 8), 23)
        assert self.due(history, now=sunday_night) == []
        assert len(self.due(history, now=at(date(2026, 2, 9)))) == 1

    def test_a_week_begun_in_the_campaign_counts_even_if_it_ends_next_year(self):
        history = [Profile("affiliated_unit", "p1", at(date(2026, 1, 1)))]
        found = self.due(history, end=date(2026, 12, 31), now=at(date(2027, 1, 4)))
        assert found[-1] == ("week", "2026-12-28", "affiliated_unit")

    def test_a_unit_answers_only_for_periods_starting_once_it_was_known(self):
        history = [Profile("station", None, at(date(2026, 2, 11), 15))]
        assert profile_at(history, at(date(2026, 2, 1))) is None
        assert profile_at(history, at(date(2026, 2, 12))) == history[0]
        assert self.due(history) == [("half_month", "2026-02-16", "station")]

    def test_settings_give_quotas_and_zone_with_defaults(self):
        quotas = quotas_from(
            {"publicity": {"quotas": {"office": {"articles": 2, "period": "month"}}}}
        )
        assert quotas["office"].articles == 2
        assert quotas["office"].period is PeriodType.MONTH
        assert quotas["station"].period is HALF
        assert zone_from({"timezone": "Asia/Urumqi"}) == ZoneInfo("Asia/Urumqi")
        assert zone_from({"timezone": "Mars/Olympus"}) == SHANGHAI
