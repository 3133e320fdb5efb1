"""A rate as numerator over denominator, so rates of parts add up correctly."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Ratio:
    """numerator / denominator; `rate` is None when there is nothing to divide by."""

    numerator: int = 0
    denominator: int = 0

    @property
    def rate(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    def __add__(self, other: Ratio) -> Ratio:
        return Ratio(
            self.numerator + other.numerator, self.denominator + other.denominator
        )
