"""The tally at close: counts per subject and option, the 30% rule, staff grades.

Pure functions over opened ballots; exact arithmetic (Fraction), never floats. A
subject's counts are kept only when it has at least `min_ballots` valid votes, so a
tiny electorate cannot be read back from the tally either.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from services.evaluation.domain.model import Option, Subject, SubjectKind

RULED = frozenset({SubjectKind.TEAM, SubjectKind.LEADER})
DEFAULT_BANDS: tuple[tuple[str, int], ...] = (
    ("excellent", 90),
    ("good", 80),
    ("fair", 60),
    ("poor", 0),
)


@dataclass(frozen=True)
class Choice:
    option: Option
    score: int | None = None
    comment: str = ""


@dataclass(frozen=True)
class OpenedBallot:
    """A ballot after the box is opened: the constituency weighs it; no voter."""

    constituency: str
    choices: Mapping[str, Choice]


@dataclass(frozen=True)
class RuleOutcome:
    """Whether fair + poor strictly exceed threshold × valid, and why (not)."""

    triggered: bool
    reason: str  # exceeds | not_exceeded | no_valid_votes | below_min_ballots | n/a
    share: Fraction | None


def admonishment_rule(
    fair_poor: Fraction, valid: Fraction, threshold: Fraction
) -> RuleOutcome:
    """The 30% rule: strictly greater than; exactly the threshold does not fire."""
    if valid <= 0:
        return RuleOutcome(False, "no_valid_votes", None)
    share = fair_poor / valid
    if fair_poor > threshold * valid:
        return RuleOutcome(True, "exceeds", share)
    return RuleOutcome(False, "not_exceeded", share)


def grade_of(mean: Fraction, bands: Sequence[tuple[str, int]] = DEFAULT_BANDS) -> str:
    for name, low in bands:
        if mean >= low:
            return name
    return bands[-1][0]


def show(value: Fraction | None) -> str | None:
    """An exact fraction as text ("3/10"), None as None."""
    return None if value is None else str(value)


@dataclass
class SubjectResult:
    subject: Subject
    valid: int = 0
    published: bool = False
    withheld_reason: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    weighted: dict[str, Fraction] = field(default_factory=dict)
    weighted_valid: Fraction = Fraction(0)
    rule: RuleOutcome = RuleOutcome(False, "not_applicable", None)
    mean_score: Fraction | None = None
    grade: str | None = None
    rank: int | None = None
    comments: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        published = self.published
        return {
            "subject_id": self.subject.subject_id,
            "kind": self.subject.kind.value,
            "unit_id": self.subject.unit_id,
            "person_id": self.subject.person_id,
            "valid": self.valid,
            "published": published,
            "withheld_reason": self.withheld_reason,
            "counts": dict(self.counts) if published else {},
            "weighted": {k: str(v) for k, v in self.weighted.items()}
            if published
            else {},
            "weighted_valid": str(self.weighted_valid) if published else None,
            "rule": {
                "triggered": self.rule.triggered,
                "reason": self.rule.reason,
                "share": show(self.rule.share) if published else None,
            },
            "mean_score": show(self.mean_score) if published else None,
            "grade": self.grade if published else None,
            "rank": self.rank if published else None,
        }


def tally(
    subjects: Sequence[Subject],
    ballots: Sequence[OpenedBallot],
    weights: Mapping[str, Fraction],
    threshold: Fraction,
    min_ballots: int,
) -> list[SubjectResult]:
    """Every subject's result; staff ranked by mean score into grade bands."""
    results = {s.subject_id: SubjectResult(s) for s in subjects}
    scores: dict[str, list[int]] = {s.subject_id: [] for s in subjects}
    for ballot in ballots:
        weight = weights.get(ballot.constituency, Fraction(1))
        for subject_id, choice in ballot.choices.items():
            result = results.get(subject_id)
            if result is None:
                continue
            option = choice.option.value
            result.valid += 1
            result.counts[option] = result.counts.get(option, 0) + 1
            result.weighted[option] = result.weighted.get(option, Fraction(0)) + weight
            result.weighted_valid += weight
            if choice.score is not None:
                scores[subject_id].append(choice.score)
            if choice.comment:
                result.comments.append(choice.comment)
    for result in results.values():
        _conclude(result, scores[result.subject.subject_id], threshold, min_ballots)
    _rank([r for r in results.values() if r.mean_score is not None and r.published])
    return list(results.values())


def _conclude(
    result: SubjectResult, scores: list[int], threshold: Fraction, min_ballots: int
) -> None:
    if result.valid == 0:
        result.withheld_reason = "no_valid_votes"
    elif result.valid < min_ballots:
        result.withheld_reason = "below_min_ballots"
    result.published = not result.withheld_reason
    if scores and result.published:
        result.mean_score = Fraction(sum(scores), len(scores))
        result.grade = grade_of(result.mean_score)
    if result.subject.kind not in RULED:
        return
    if not result.published:
        # Below the minimum the rule is not applied: its outcome would disclose votes.
        result.rule = RuleOutcome(False, result.withheld_reason, None)
        return
    fair_poor = result.weighted.get(
        Option.FAIR.value, Fraction(0)
    ) + result.weighted.get(Option.POOR.value, Fraction(0))
    result.rule = admonishment_rule(fair_poor, result.weighted_valid, threshold)


def _rank(scored: list[SubjectResult]) -> None:
    scored.sort(key=lambda r: (-(r.mean_score or 0), r.subject.subject_id))
    for n, result in enumerate(scored, start=1):
        result.rank = n


def lowest_rated(results: Sequence[SubjectResult]) -> list[SubjectResult]:
    """The published staff with the lowest mean score (ties: all of them)."""
    staff = [
        r
        for r in results
        if r.subject.kind is SubjectKind.STAFF
        and r.published
        and r.mean_score is not None
    ]
    if len(staff) < 2:
        return []
    low = min(r.mean_score or Fraction(0) for r in staff)
    return [r for r in staff if r.mean_score == low]
