"""Rows of the result table, their targets, and the printed table."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field

from benchmarks.measure import Comparison


@dataclass(frozen=True)
class Target:
    """share: ours >= share x baseline. floor: or ours >= floor, whichever is lower.
    times: ours >= times x baseline (ratio printed as a multiple)."""

    share: float = 0.0
    floor: float | None = None
    times: float | None = None
    within: float | None = None  # seconds: the measured run must finish this fast
    at_most: float | None = None  # ours (e.g. a p99 in ms) must not exceed this

    def required(self, baseline: float) -> float:
        if self.times is not None:
            return self.times * baseline
        needed = self.share * baseline
        return min(needed, self.floor) if self.floor is not None else needed

    def describe(self) -> str:
        if self.at_most is not None:
            return f"<= {self.at_most:g}"
        if self.within is not None:
            return f"<= {self.within:g} s"
        if self.times is not None:
            return f">= {self.times:g}x"
        text = f">= {self.share:.0%}"
        if self.floor is not None:
            text = f">= min({self.floor:,.0f}/s, {self.share:.0%})"
        return text


@dataclass
class Row:
    what: str
    unit: str
    target: Target
    baseline: str
    result: Comparison | None = None
    error: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        assert self.result is not None
        return self.result.ratio

    @property
    def passed(self) -> bool:
        assert self.result is not None
        if self.target.within is not None:
            return (self.result.elapsed or float("inf")) <= self.target.within
        if self.target.at_most is not None:
            return self.result.ours_median <= self.target.at_most
        if self.result.by_pairs:  # the pairs' median, against the share alone
            assert self.target.floor is None and self.target.times is None
            return self.ratio >= self.target.share
        return self.result.ours_median >= self.target.required(
            self.result.baseline_median
        )

    def cells(self) -> list[str]:
        if self.result is None:
            return [self.what, "-", "-", "-", self.target.describe(), "ERROR"]
        # Truncated, not rounded, so a ratio just under its target never prints as
        # the target itself.
        ratio = (
            f"{math.floor(self.ratio * 100) / 100:.2f}x"
            if self.target.times is not None
            else f"{math.floor(self.ratio * 100)}%"
        )
        return [
            self.what,
            f"{self.result.ours_median:,.0f} {self.unit}",
            f"{self.result.baseline_median:,.0f} {self.unit}",
            ratio,
            self.target.describe(),
            "pass" if self.passed else "FAIL",
        ]


HEADER = ["what", "ours", "baseline", "ratio", "target", "pass/fail"]


def table(rows: list[Row]) -> str:
    cells = [HEADER] + [row.cells() for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(HEADER))]
    right = {1, 2, 3}

    def fmt(line: list[str]) -> str:
        parts = [
            cell.rjust(width) if i in right else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(line, widths, strict=True))
        ]
        return "| " + " | ".join(parts) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([fmt(cells[0]), rule, *(fmt(line) for line in cells[1:])])


def details(rows: list[Row]) -> str:
    """Each row's baseline and every sample behind each median; errors and notes."""
    lines = []
    for row in rows:
        lines.append(f"- {row.what}: baseline = {row.baseline}")
        if row.result is not None:
            ours = ", ".join(f"{v:,.0f}" for v in row.result.ours)
            base = ", ".join(f"{v:,.0f}" for v in row.result.baseline)
            lines.append(f"    samples: ours [{ours}]  baseline [{base}]")
            pairs = row.result.pair_ratios()
            if pairs and row.result.by_pairs:
                medians = row.result.ours_median / row.result.baseline_median
                lines.append(
                    f"    each sample both sides in turns (same stretch of time), "
                    f"ours/baseline: median {statistics.median(pairs):.0%} (the "
                    f"verdict), from {min(pairs):.0%} to {max(pairs):.0%}; the "
                    f"medians' ratio {medians:.0%}"
                )
            elif pairs and row.target.at_most is None and row.target.within is None:
                lines.append(
                    f"    back-to-back pairs, ours/baseline: median "
                    f"{statistics.median(pairs):.0%}, "
                    f"from {min(pairs):.0%} to {max(pairs):.0%}"
                )
            lines.extend(f"    {note}" for note in row.result.notes)
        if row.error:
            lines.append("    ERROR " + " ".join(row.error.split()))
        lines.extend(f"    {note}" for note in row.notes)
    return "\n".join(lines)
