"""StudyTest: a unit's closed-book test (闭卷测试), its scores and spot checks.

The unit summary is the mean and the pass rate; a unit whose mean falls below the
campaign's bar (`tests.criticism_below_mean`) is flagged for a notice of criticism.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from typing import Any

from eventing.aggregate import Aggregate, DomainEvent
from services.common.errors import NotFound
from services.evaluation.domain.errors import AlreadyExists, ScoresInvalid
from services.evaluation.domain.events import (
    StudyTestHeld,
    TestScoresRecorded,
    TestSpotChecked,
    UnitFlaggedForCriticism,
)


@dataclass(frozen=True)
class Summary:
    takers: int
    mean: Fraction | None
    passed: int

    @property
    def pass_rate(self) -> Fraction | None:
        return Fraction(self.passed, self.takers) if self.takers else None

    def to_dict(self) -> dict[str, Any]:
        rate = self.pass_rate
        return {
            "takers": self.takers,
            "mean": None if self.mean is None else str(self.mean),
            "mean_decimal": None if self.mean is None else f"{float(self.mean):.2f}",
            "passed": self.passed,
            "pass_rate": None if rate is None else str(rate),
        }


class StudyTest(Aggregate):
    """One closed-book test of one unit."""

    category = "study_test"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.held: StudyTestHeld | None = None
        self.scores: dict[str, Fraction] = {}
        self.spot_checks: list[TestSpotChecked] = []
        self.flagged: UnitFlaggedForCriticism | None = None

    @property
    def bureau_id(self) -> str | None:
        return self.held.bureau_id if self.held else None

    def hold(self, held: StudyTestHeld) -> None:
        if self.held is not None:
            raise AlreadyExists(kind_zh="测试", kind_en="test", id=self.id)
        self._raise(held)

    def record_scores(
        self,
        scores: Sequence[tuple[str, Fraction]],
        source: str,
        actor: str,
        at: datetime,
    ) -> None:
        held = self._held()
        people = [p for p, _ in scores]
        if len(set(people)) != len(people):
            raise ScoresInvalid(reason_zh="同一人出现多次", reason_en="a person twice")
        if any(not 0 <= s <= 100 for _, s in scores):
            raise ScoresInvalid(reason_zh="成绩须在 0–100", reason_en="not in 0-100")
        self._raise(
            TestScoresRecorded(
                self.id,
                held.bureau_id,
                [[p, str(s)] for p, s in scores],
                source,
                actor,
                at,
            )
        )

    def spot_check(self, on: date, finding: str, actor: str, at: datetime) -> None:
        held = self._held()
        self._raise(TestSpotChecked(self.id, held.bureau_id, on, finding, actor, at))

    def summary(self) -> Summary:
        held = self._held()
        values = list(self.scores.values())
        mark = Fraction(held.pass_mark)
        return Summary(
            len(values),
            Fraction(sum(values)) / len(values) if values else None,
            sum(1 for v in values if v >= mark),
        )

    def judge(self, bar: Fraction, actor: str, at: datetime) -> bool:
        """Flag the unit for a notice of criticism when its mean is below the bar."""
        held = self._held()
        mean = self.summary().mean
        if self.flagged is not None or mean is None or mean >= bar:
            return False
        self._raise(
            UnitFlaggedForCriticism(
                self.id, held.bureau_id, held.unit_id, str(mean), str(bar), actor, at
            )
        )
        return True

    def _held(self) -> StudyTestHeld:
        if self.held is None:
            raise NotFound(kind="study_test", id=self.id)
        return self.held

    def apply(self, event: DomainEvent) -> None:
        match event:
            case StudyTestHeld():
                self.held = event
            case TestScoresRecorded():
                for person, score in event.scores:
                    self.scores[person] = Fraction(score)
            case TestSpotChecked():
                self.spot_checks.append(event)
            case UnitFlaggedForCriticism():
                self.flagged = event
