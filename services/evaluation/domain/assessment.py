"""The year-end assessment (年度考核) per unit: a pure function over its inputs.

Each input is a part score in [0, 1] (exact), or missing:

- evaluation  = (1·excellent + 0.8·good + 0.6·fair + 0·poor) / valid, weighted, over
                the unit's subjects in the year's `units` rounds with published results
- ledger      = closed on time / (closed + overdue now); 1 with nothing to close
- complaints  = 1 − substantiated / concluded; 1 with no concluded case
- publicity   = the quota compliance rate publicity reports
- tests       = the unit's mean study-test score / 100
- innovation  = (N − rank + 1) / N for its best-ranked of N selected innovations; 0
                when none of its innovations was selected

score = 100 × Σ wᵢ·sᵢ / Σ wᵢ over the inputs present, the weights from the campaign's
`assessment_weights`. A missing input (its source did not answer, or has no figure for
the unit) has its weight redistributed over the present ones, and the unit is marked
`incomplete` with the inputs it lacks. Units are ranked by score (ties share a rank).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

INPUTS = ("evaluation", "ledger", "complaints", "publicity", "tests", "innovation")
FORMULA = "score = 100 × Σ(weight × part) / Σ(weight of the parts present)"
OPTION_VALUES = {
    "excellent": Fraction(1),
    "good": Fraction(4, 5),
    "fair": Fraction(3, 5),
    "poor": Fraction(0),
}


@dataclass(frozen=True)
class UnitScore:
    unit_id: str
    score: Fraction | None
    parts: Mapping[str, Fraction | None]
    details: Mapping[str, Any]
    missing: tuple[str, ...]

    def to_dict(
        self, weights: Mapping[str, Fraction], rank: int | None
    ) -> dict[str, Any]:
        present = [k for k in INPUTS if self.parts.get(k) is not None]
        used = sum((weights.get(k, Fraction(0)) for k in present), Fraction(0))
        return {
            "unit_id": self.unit_id,
            "rank": rank,
            "score": None if self.score is None else str(self.score),
            "score_decimal": None if self.score is None else f"{float(self.score):.2f}",
            "incomplete": bool(self.missing),
            "missing": list(self.missing),
            "inputs": {
                k: {
                    "part": None if self.parts.get(k) is None else str(self.parts[k]),
                    "weight": str(weights.get(k, Fraction(0))),
                    "effective_weight": (
                        str(weights.get(k, Fraction(0)) / used)
                        if used and k in present
                        else "0"
                    ),
                    "source": self.details.get(k),
                }
                for k in INPUTS
            },
        }


def evaluation_part(weighted: Mapping[str, Fraction]) -> Fraction | None:
    valid = sum(weighted.values(), Fraction(0))
    if not valid:
        return None
    return sum((OPTION_VALUES[k] * v for k, v in weighted.items()), Fraction(0)) / valid


def score_unit(
    unit_id: str,
    parts: Mapping[str, Fraction | None],
    weights: Mapping[str, Fraction],
    details: Mapping[str, Any],
) -> UnitScore:
    present = {k: v for k, v in parts.items() if v is not None and weights.get(k)}
    missing = tuple(k for k in INPUTS if weights.get(k) and parts.get(k) is None)
    total = sum((weights[k] for k in present), Fraction(0))
    score = (
        100 * sum((weights[k] * v for k, v in present.items()), Fraction(0)) / total
        if total
        else None
    )
    return UnitScore(unit_id, score, dict(parts), dict(details), missing)


def rank(scores: list[UnitScore]) -> list[tuple[UnitScore, int | None]]:
    """Best first; equal scores share a rank; units without a score come last."""
    ordered = sorted(
        scores,
        key=lambda s: (s.score is None, -(s.score or 0), s.unit_id),
    )
    ranked: list[tuple[UnitScore, int | None]] = []
    previous: Fraction | None = None
    position = 0
    for n, s in enumerate(ordered, start=1):
        if s.score is None:
            ranked.append((s, None))
            continue
        if s.score != previous:
            position = n
            previous = s.score
        ranked.append((s, position))
    return ranked
