"""The result table's details: every sample, and the ratio of back-to-back pairs."""

from __future__ import annotations

from benchmarks.measure import Comparison, alternate
from benchmarks.report import Row, Target, details


def test_pairs_are_the_samples_taken_back_to_back():
    speeds = iter([1.0, 1.0, 0.5, 0.5, 2.0, 2.0])  # the machine slows, then speeds up

    def side(share: float):
        return lambda duration: 100 * share * next(speeds)

    result = alternate(side(0.8), side(1.0), duration=0, reps=3, warmup=0)
    assert max(result.ours) / min(result.ours) == 4  # the samples moved with it
    assert [round(r, 6) for r in result.pair_ratios()] == [0.8, 0.8, 0.8]


def test_details_print_the_pairs_median_and_range_for_ratio_rows():
    row = Row("x", "ev/s", Target(0.9), "raw", Comparison([90, 45, 100], [100, 50, 80]))
    assert "back-to-back pairs, ours/baseline: median 90%, from 90% to 125%" in (
        details([row])
    )


def test_a_latency_row_prints_no_pairs():
    row = Row("p99", "ms", Target(at_most=50), "echo", Comparison([40, 42], [30, 31]))
    assert "pairs" not in details([row])
