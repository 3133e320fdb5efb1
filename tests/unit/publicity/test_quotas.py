"""Quota decisions at each period's end: one QuotaMet / QuotaMissed per unit and
period, never twice, never rewritten; resubmissions count once; a unit without an
info officer misses and says why; a kind change takes effect from the next period
that starts under it."""

from __future__ import annotations

from datetime import date

import pytest

from services.publicity import commands as c
from services.publicity.domain import QuotaPeriod, UnitProfile
from services.publicity.domain.errors import NotTheOffice
from tests.unit.publicity.factory import (
    AFFILIATED,
    BUREAU,
    CLERK,
    OFFICE_UNIT,
    OFFICER_A,
    OFFICER_O,
    STATION,
    as_,
    beijing,
    world,
)


def decisions(w, unit):
    return {
        (p["period_type"], p["starts_on"]): p
        for p in w.handlers.quota_periods(unit, as_("x"))["periods"]
    }


class TestDecidingPeriods:
    def test_each_ended_period_is_decided_once_per_unit(self):
        w = world()
        w.clock.set(beijing(date(2026, 2, 3)))  # Tuesday of the week of 2 Feb
        w.submit()
        w.submit(unit=OFFICE_UNIT, officer=OFFICER_O)
        w.clock.set(beijing(date(2026, 2, 16), 0, 30))  # after the first half-month
        outcome = w.handlers.decide_quotas(BUREAU)
        assert outcome["units"] == 3
        weeks = decisions(w, AFFILIATED)
        assert weeks[("week", "2026-02-02")]["verdict"] == "met"
        assert weeks[("week", "2026-02-09")]["verdict"] == "missed"
        assert weeks[("week", "2026-02-09")]["reason"] == "too_few_articles"
        assert set(decisions(w, OFFICE_UNIT)) == {("half_month", "2026-02-01")}
        assert decisions(w, STATION)[("half_month", "2026-02-01")]["verdict"] == (
            "missed"
        )

    def test_a_rerun_or_a_second_timer_decides_nothing_again(self):
        w = world()
        w.clock.set(beijing(date(2026, 2, 16), 1))
        w.handlers.decide_quotas(BUREAU)
        before = len(w.store.read_all(0, categories=[QuotaPeriod.category]))
        w.handlers.decide_quotas(BUREAU)
        w.handlers.decide_all()
        after = w.store.read_all(0, categories=[QuotaPeriod.category])
        assert len(after) == before
        assert all(e.version == 1 for e in after)

    def test_later_history_cannot_rewrite_a_decided_period(self):
        w = world()
        w.clock.set(beijing(date(2026, 2, 9), 1))
        w.handlers.decide_quotas(BUREAU)
        assert decisions(w, AFFILIATED)[("week", "2026-02-02")]["verdict"] == "missed"
        w.submit()  # on Monday 9 February: the next week's
        w.clock.set(beijing(date(2026, 2, 16), 1))
        w.handlers.decide_quotas(BUREAU)
        weeks = decisions(w, AFFILIATED)
        assert weeks[("week", "2026-02-02")]["verdict"] == "missed"
        assert weeks[("week", "2026-02-09")]["verdict"] == "met"

    def test_a_submission_at_2330_on_sunday_counts_for_that_week(self):
        w = world()
        w.clock.set(beijing(date(2026, 2, 8), 23, 30))
        article_id = w.submit()["article_id"]
        w.clock.set(beijing(date(2026, 2, 9), 0, 10))
        w.handlers.decide_quotas(BUREAU)
        met = decisions(w, AFFILIATED)[("week", "2026-02-02")]
        assert met["verdict"] == "met" and met["article_ids"] == [article_id]

    def test_a_grace_period_holds_the_decision_back(self):
        w = world()
        w.clock.set(beijing(date(2026, 2, 9), 0, 2))
        w.handlers.decide_quotas(BUREAU, grace=300)
        assert decisions(w, AFFILIATED) == {}


class TestWhatCounts:
    def test_a_returned_and_resubmitted_article_counts_once_in_the_week_received(
        self,
    ):
        w = world(
            settings={
                "timezone": "Asia/Shanghai",
                "publicity": {
                    "quotas": {"affiliated_unit": {"articles": 2, "period": "week"}}
                },
            }
        )
        w.clock.set(beijing(date(2026, 2, 2)))
        article_id = w.submit()["article_id"]
        w.review(article_id, "returned", "事例不具体")
        w.handlers.resubmit_article(
            c.ResubmitArticle.parse(
                {"article_id": article_id, "title": "修改稿", "body": "补充事例"}
            ),
            as_(OFFICER_A),
        )
        w.clock.set(beijing(date(2026, 2, 10)))  # resubmitted again next week
        w.review(article_id, "returned", "仍不具体")
        w.handlers.resubmit_article(
            c.ResubmitArticle.parse(
                {"article_id": article_id, "title": "再改稿", "body": "再补充"}
            ),
            as_(OFFICER_A),
        )
        w.clock.set(beijing(date(2026, 2, 16), 1))
        w.handlers.decide_quotas(BUREAU)
        weeks = decisions(w, AFFILIATED)
        first = weeks[("week", "2026-02-02")]
        assert (first["verdict"], first["submitted"], first["required"]) == (
            "missed",
            1,
            2,
        )
        assert weeks[("week", "2026-02-09")]["submitted"] == 0

    def test_a_unit_without_an_info_officer_misses_and_says_why(self):
        w = world()
        w.org.change(STATION, info_officer_id=None)  # InfoOfficerVacated, 5 Feb
        w.handlers.observe_unit(BUREAU, STATION, beijing(date(2026, 2, 5)), as_("x"))
        w.clock.set(beijing(date(2026, 2, 16), 1))
        w.handlers.decide_quotas(BUREAU)
        missed = decisions(w, STATION)[("half_month", "2026-02-01")]
        assert missed["verdict"] == "missed"
        assert missed["reason"] == "no_info_officer"
        assert missed["info_officer_id"] is None


class TestAUnitWhoseKindChanges:
    def test_the_kind_at_each_period_start_decides_which_quota_applies(self):
        """An affiliated unit (weekly) becomes an office (half-monthly) on
        Wednesday 11 February: it answers for the weeks of 2 and 9 February, not
        for the half-month begun on 1 February, and for the half-month of 16
        February; no weeks after."""
        w = world()
        w.clock.set(beijing(date(2026, 2, 2), 9))
        w.handlers.decide_quotas(BUREAU)  # publicity sees the unit as it is
        w.clock.set(beijing(date(2026, 2, 11), 15))
        w.org.change(AFFILIATED, kind="office")
        w.handlers.observe_unit(BUREAU, AFFILIATED, w.clock(), as_("x"))
        w.clock.set(beijing(date(2026, 3, 2), 1))
        w.handlers.decide_quotas(BUREAU)
        assert sorted(decisions(w, AFFILIATED)) == [
            ("half_month", "2026-02-16"),
            ("week", "2026-02-02"),
            ("week", "2026-02-09"),
        ]
        assert decisions(w, AFFILIATED)[("week", "2026-02-09")]["kind"] == (
            "affiliated_unit"
        )


class TestTheYearBoundary:
    def test_the_week_from_28_december_belongs_to_the_old_campaign(self):
        w = world(years=(2026, 2027))
        w.clock.set(beijing(date(2027, 1, 2)))  # Saturday
        article_id = w.submit()["article_id"]
        w.clock.set(beijing(date(2027, 1, 4), 1))
        w.handlers.decide_quotas(BUREAU)
        week = decisions(w, AFFILIATED)[("week", "2026-12-28")]
        assert week["verdict"] == "met" and week["article_ids"] == [article_id]
        assert week["ends_on"] == "2027-01-03"


class TestTheUnitProfile:
    def test_only_changes_are_recorded_and_an_earlier_sighting_backdates(self):
        profile = UnitProfile(AFFILIATED)
        feb_5, feb_9 = beijing(date(2026, 2, 5)), beijing(date(2026, 2, 9))
        assert profile.observe(BUREAU, "affiliated_unit", "p1", feb_9)
        assert not profile.observe(BUREAU, "affiliated_unit", "p1", feb_9)
        assert profile.observe(BUREAU, "affiliated_unit", "p1", feb_5)  # backdated
        assert profile.observe(BUREAU, "office", "p1", beijing(date(2026, 2, 11)))
        assert [p.observed_at for p in profile.history] == [
            feb_5,
            feb_9,
            beijing(date(2026, 2, 11)),
        ]

    def test_only_the_office_states_from_when_units_answer(self):
        w = world()
        with pytest.raises(NotTheOffice):
            w.handlers.observe_units(as_(CLERK), since=date(2025, 1, 1))
