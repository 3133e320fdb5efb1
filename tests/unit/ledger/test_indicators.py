"""Ledger indicators per unit, person and bureau, folded from events for any period."""

from __future__ import annotations

from datetime import date

from services.ledger.domain import EscalationPolicy, LedgerItem, indicators
from services.ledger.domain.model import Category, Source
from services.ledger.domain.self_analysis import SelfAnalysis
from tests.unit.ledger.factory import (
    BUREAU,
    CLERK,
    DEADLINE,
    INFO_OFFICER,
    LEADER,
    OFFICE,
    UNIT,
    about_the_clerk,
    closed,
    later,
    opened,
    planned,
    submitted,
)
from tests.unit.ledger.test_self_analysis import rejected, resubmit

APRIL = (date(2026, 4, 1), date(2026, 4, 30))
YEAR = (date(2026, 1, 1), date(2026, 12, 31))


def stream(*aggregates: LedgerItem | SelfAnalysis):
    return [(a.id, event) for a in aggregates for event in a.pending()]


class TestFound:
    def test_items_found_are_counted_by_channel_and_category(self):
        events = stream(
            opened(),
            opened(source=Source.SPOT_CHECK, check_dimension=None),
            opened(category=Category.LAX),
        )
        report = indicators(events, *APRIL)
        unit = report.by_unit[(BUREAU, UNIT)]
        assert unit.found == 3
        assert unit.found_by_source == {Source.SELF_INSPECTION: 2, Source.SPOT_CHECK: 1}
        assert unit.found_by_category == {Category.SLOW: 2, Category.LAX: 1}
        assert report.by_bureau[BUREAU].found == 3

    def test_an_item_found_outside_the_period_is_not_counted_as_found(self):
        report = indicators(stream(opened()), date(2026, 5, 1), date(2026, 5, 31))
        assert report.by_bureau[BUREAU].found == 0

    def test_individual_items_count_for_their_person(self):
        report = indicators(stream(about_the_clerk(), opened()), *APRIL)
        assert report.by_person[(BUREAU, CLERK)].found == 1
        assert report.by_unit[(BUREAU, UNIT)].found == 2


class TestClosure:
    def test_closures_on_time_and_days_to_close(self):
        late = submitted()
        late.verify(LEADER, False, date(2026, 7, 10), later(91))
        report = indicators(stream(closed(), late), *YEAR)
        bureau = report.by_bureau[BUREAU]
        assert (bureau.closed, bureau.closed_on_time) == (2, 1)
        # found 10 April; closed 15 May (35 days) and 10 July (91 days)
        assert bureau.average_days_to_close == (35 + 91) / 2

    def test_an_item_closed_after_the_period_counts_as_open_then(self):
        report = indicators(stream(closed()), *APRIL)
        assert report.by_bureau[BUREAU].closed == 0

    def test_overdue_now_counts_unclosed_items_past_their_deadline(self):
        overdue = planned()
        overdue.escalate(date(2026, 7, 2), EscalationPolicy())
        report = indicators(
            stream(overdue, closed(), opened()), date(2026, 7, 1), date(2026, 7, 31)
        )
        assert report.by_bureau[BUREAU].overdue_now == 1
        at_deadline = indicators(stream(planned()), date(2026, 6, 1), DEADLINE)
        assert at_deadline.by_bureau[BUREAU].overdue_now == 0

    def test_the_reopen_rate_is_the_share_of_closed_items_found_again(self):
        again = closed()
        again.reopen(
            Source.CROSS_CHECK,
            "cross-check-2026-09",
            date(2026, 9, 1),
            date(2026, 9, 30),
            "互查发现复现",
            OFFICE,
            later(150),
        )
        report = indicators(stream(again, closed(), opened()), *YEAR)
        reopen = report.by_bureau[BUREAU].reopen
        assert (reopen.numerator, reopen.denominator) == (1, 2)
        assert reopen.rate == 0.5


class TestMaterials:
    def test_rejected_materials_count_for_person_unit_and_bureau(self):
        analysis = rejected()
        analysis.file_self_criticism("书面检查", CLERK, later(5))
        resubmit(analysis)
        analysis.accept(OFFICE, later(7))
        report = indicators(stream(analysis), *APRIL)
        for figures in (
            report.by_person[(BUREAU, CLERK)],
            report.by_unit[(BUREAU, UNIT)],
            report.by_bureau[BUREAU],
        ):
            assert figures.materials_rejected.numerator == 1
            assert figures.materials_rejected.denominator == 2

    def test_nothing_happened_means_no_figures(self):
        report = indicators([], *APRIL)
        assert report.by_bureau == {}
        assert INFO_OFFICER not in str(report)
