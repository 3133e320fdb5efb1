"""The 30% rule and the tally, as pure functions: exact arithmetic at the edges."""

from __future__ import annotations

from fractions import Fraction

import pytest

from services.evaluation.domain.model import Option, Subject, SubjectKind
from services.evaluation.domain.tally import (
    Choice,
    OpenedBallot,
    admonishment_rule,
    grade_of,
    lowest_rated,
    tally,
)

THIRTY = Fraction(3, 10)
TEAM = Subject("team", SubjectKind.TEAM, "u1", None, "head", "head")


def ballots(subject: Subject, **counts: int) -> list[OpenedBallot]:
    return [
        OpenedBallot("staff", {subject.subject_id: Choice(Option(option))})
        for option, n in counts.items()
        for _ in range(n)
    ]


class TestTheRuleItself:
    def test_exactly_thirty_percent_does_not_trigger(self):
        outcome = admonishment_rule(Fraction(3), Fraction(10), THIRTY)
        assert not outcome.triggered
        assert outcome.reason == "not_exceeded"
        assert outcome.share == THIRTY

    def test_thirty_point_zero_one_percent_triggers(self):
        outcome = admonishment_rule(Fraction(3001), Fraction(10000), THIRTY)
        assert outcome.triggered
        assert outcome.share == Fraction(3001, 10000)

    def test_one_vote_below_the_edge_of_a_large_round_does_not_trigger(self):
        assert not admonishment_rule(Fraction(3000), Fraction(10000), THIRTY).triggered

    def test_zero_valid_votes_do_not_trigger_and_say_why(self):
        outcome = admonishment_rule(Fraction(0), Fraction(0), THIRTY)
        assert not outcome.triggered
        assert outcome.reason == "no_valid_votes"
        assert outcome.share is None

    def test_the_float_threshold_is_read_exactly(self):
        # 0.30 as a float is 0.299999...; read as text it is exactly 3/10.
        assert Fraction(str(0.30)) == THIRTY


class TestTheTally:
    def test_three_of_ten_fair_or_poor_leaves_the_team_alone(self):
        [result] = tally(
            [TEAM], ballots(TEAM, excellent=4, good=3, fair=2, poor=1), {}, THIRTY, 5
        )
        assert result.published
        assert result.counts == {"excellent": 4, "good": 3, "fair": 2, "poor": 1}
        assert not result.rule.triggered

    def test_four_of_ten_fair_or_poor_fires_the_rule(self):
        [result] = tally([TEAM], ballots(TEAM, good=6, fair=3, poor=1), {}, THIRTY, 5)
        assert result.rule.triggered
        assert result.rule.share == Fraction(2, 5)

    def test_fewer_valid_votes_than_the_minimum_are_withheld_and_not_ruled(self):
        [result] = tally([TEAM], ballots(TEAM, poor=4), {}, THIRTY, 5)
        assert not result.published
        assert result.withheld_reason == "below_min_ballots"
        assert not result.rule.triggered
        shown = result.to_dict()
        assert shown["counts"] == {} and shown["rule"]["share"] is None

    def test_a_subject_nobody_voted_on_says_there_were_no_valid_votes(self):
        [result] = tally([TEAM], [], {}, THIRTY, 5)
        assert result.withheld_reason == "no_valid_votes"
        assert result.rule.reason == "no_valid_votes"

    def test_weights_by_constituency_change_the_outcome(self):
        staff = ballots(TEAM, good=7)
        recipients = [
            OpenedBallot("service_recipient", {"team": Choice(Option.POOR)})
            for _ in range(3)
        ]
        [plain] = tally([TEAM], staff + recipients, {}, THIRTY, 5)
        weights = {"service_recipient": Fraction(2)}
        [weighted] = tally([TEAM], staff + recipients, weights, THIRTY, 5)
        assert not plain.rule.triggered  # 3 of 10
        assert weighted.rule.triggered  # 6 of 13
        assert weighted.weighted_valid == 13

    def test_units_are_not_subject_to_the_rule(self):
        unit = Subject("unit", SubjectKind.UNIT, "u1", None, "head", "head")
        [result] = tally([unit], ballots(unit, poor=10), {}, THIRTY, 5)
        assert result.published and not result.rule.triggered
        assert result.rule.reason == "not_applicable"


class TestStaffGrades:
    def test_staff_are_ranked_into_grade_bands_and_the_lowest_flagged(self):
        people = [
            Subject(f"p{i}", SubjectKind.STAFF, "u1", f"p{i}", f"p{i}", "head")
            for i in range(3)
        ]
        scores = {"p0": 95, "p1": 82, "p2": 55}
        votes = [
            OpenedBallot(
                "staff",
                {p: Choice(Option.GOOD, score) for p, score in scores.items()},
            )
            for _ in range(5)
        ]
        results = {r.subject.subject_id: r for r in tally(people, votes, {}, THIRTY, 5)}
        assert [results[p].grade for p in ("p0", "p1", "p2")] == [
            "excellent",
            "good",
            "poor",
        ]
        assert [results[p].rank for p in ("p0", "p1", "p2")] == [1, 2, 3]
        assert [r.subject.subject_id for r in lowest_rated(list(results.values()))] == [
            "p2"
        ]

    @pytest.mark.parametrize(
        ("mean", "grade"),
        [(90, "excellent"), (Fraction(1799, 20), "good"), (60, "fair")],
    )
    def test_band_edges_belong_to_the_higher_grade(self, mean, grade):
        assert grade_of(Fraction(mean)) == grade
