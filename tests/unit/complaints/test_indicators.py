"""Hotline indicators, folded from events for any period, per unit and bureau."""

from __future__ import annotations

from datetime import date

from eventing.aggregate import DomainEvent
from services.complaints.domain import Complaint, Ratio, indicators
from services.complaints.domain.model import Outcome, Satisfaction
from tests.unit.complaints.factory import (
    INVESTIGATOR,
    concluded,
    investigating,
    later,
    policy,
    received,
    replied,
)

START, END = date(2026, 2, 1), date(2026, 3, 31)


def events(*complaints: Complaint) -> list[tuple[str, DomainEvent]]:
    return [(c.id, e) for c in complaints for e in c.pending()]


def bureau(*complaints: Complaint, start: date = START, end: date = END):
    return indicators(events(*complaints), start, end).by_bureau["zjj"]


def closed(resolved: bool) -> Complaint:
    complaint = replied()
    complaint.close(resolved, "办结", "office", later(16))
    return complaint


class TestResolution:
    def test_a_case_closed_without_resolution_never_counts_as_resolved(self):
        assert bureau(closed(True), closed(False)).resolution == Ratio(1, 2)

    def test_a_satisfied_reporter_does_not_make_an_unresolved_case_resolved(self):
        complaint = replied()
        complaint.record_satisfaction(Satisfaction.SATISFIED, policy(), "o", later(15))
        complaint.close(False, "无法解决", "office", later(16))
        figures = bureau(complaint)
        assert figures.resolution == Ratio(0, 1)
        assert figures.satisfaction == Ratio(1, 1)

    def test_an_appeal_takes_a_closed_case_out_of_the_resolved_count(self):
        complaint = closed(True)
        complaint.appeal("整改不到位", policy(), "reporter", later(20))
        assert bureau(complaint).resolution == Ratio(0, 0)


class TestResponse:
    def test_acceptance_in_time_counts_and_late_acceptance_does_not(self):
        on_time = received()
        on_time.accept("office", later(0.1))
        late = received()
        late.accept("office", later(12))
        rejected = received()
        rejected.reject("不属于受理范围", "office", later(0.5))
        assert bureau(on_time, late, rejected).response == Ratio(2, 3)

    def test_a_case_not_yet_due_for_acceptance_is_not_counted_either_way(self):
        assert bureau(received(), end=date(2026, 2, 13)).response == Ratio(0, 0)

    def test_a_case_never_accepted_past_its_deadline_counts_as_a_miss(self):
        assert bureau(received()).response == Ratio(0, 1)


class TestConclusion:
    def test_an_overdue_unconcluded_case_counts_against_the_on_time_rate(self):
        on_time = concluded()
        overdue = investigating()
        assert bureau(on_time, overdue).on_time_conclusion == Ratio(1, 2)

    def test_a_late_conclusion_is_not_on_time(self):
        late = investigating()
        late.conclude(
            Outcome.UNSUBSTANTIATED, "查无此事", policy(), INVESTIGATOR, later(40)
        )
        assert bureau(late).on_time_conclusion == Ratio(0, 1)

    def test_substantiation_counts_fully_and_partly_substantiated(self):
        figures = bureau(
            concluded(Outcome.SUBSTANTIATED),
            concluded(Outcome.PARTLY_SUBSTANTIATED),
            concluded(Outcome.UNSUBSTANTIATED),
        )
        assert figures.substantiation == Ratio(2, 3)


class TestSatisfactionAndReopen:
    def test_a_dissatisfied_reporter_lowers_satisfaction_and_raises_reopens(self):
        content = replied()
        content.record_satisfaction(
            Satisfaction.BASICALLY_SATISFIED, policy(), "o", later(15)
        )
        unhappy = replied()
        unhappy.record_satisfaction(Satisfaction.DISSATISFIED, policy(), "o", later(15))
        figures = bureau(content, unhappy)
        assert figures.satisfaction == Ratio(1, 2)
        assert figures.reopen == Ratio(1, 2)
        assert figures.satisfaction.rate == 0.5


class TestPeriodsAndGroups:
    def test_a_case_received_outside_the_period_is_left_out(self):
        report = indicators(events(closed(True)), date(2026, 3, 1), END)
        assert report.by_bureau == {}

    def test_the_period_sees_a_case_as_it_stood_at_its_end(self):
        complaint = closed(True)  # closed on 1 March 2026
        figures = bureau(complaint, end=date(2026, 2, 28))
        assert figures.resolution == Ratio(0, 0)
        assert figures.substantiation == Ratio(1, 1)

    def test_figures_are_kept_per_unit_and_added_up_per_bureau(self):
        here = closed(True)
        elsewhere = received(unit_id="zjj.zfk")
        elsewhere.accept("office", later(0.1))
        bureau_itself = received(unit_id=None)
        bureau_itself.accept("office", later(0.1))
        report = indicators(events(here, elsewhere, bureau_itself), START, END)
        assert set(report.by_unit) == {
            ("zjj", "zjj.bgs"),
            ("zjj", "zjj.zfk"),
            ("zjj", None),
        }
        assert report.by_unit[("zjj", "zjj.bgs")].resolution == Ratio(1, 1)
        assert report.by_bureau["zjj"].response == Ratio(3, 3)

    def test_a_transferred_case_counts_for_the_unit_it_ended_with(self):
        complaint = received()
        complaint.transfer("zjj.zfk", "属执法科职责", "director", "office", later(0.1))
        report = indicators(events(complaint), START, END)
        assert set(report.by_unit) == {("zjj", "zjj.zfk")}

    def test_an_empty_ratio_has_no_rate(self):
        assert Ratio().rate is None
