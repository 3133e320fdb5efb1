"""The result table's details: every sample, and the ratio of back-to-back pairs."""

from __future__ import annotations

from benchmarks.measure import Comparison, alternate, interleave
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


class _Machine:
    """A fake clock whose speed changes over time: each call of an op advances it
    by the op's cost divided by the machine's speed at that moment."""

    def __init__(self, speed_at) -> None:
        self.now = 0.0
        self.speed_at = speed_at
        self.calls: list[str] = []

    def clock(self) -> float:
        return self.now

    def op(self, name: str, cost: float):
        def run() -> int:
            self.calls.append(name)
            self.now += cost / self.speed_at(self.now)
            return 1

        return run


def test_interleaved_samples_give_both_sides_the_same_stretch_of_time():
    # the machine slows down all along: by half after 1 s, to a seventh after 6 s
    machine = _Machine(lambda t: 1 / (1 + t))
    result = interleave(
        machine.op("ours", 0.00125),  # 800 units/s at full speed
        machine.op("raw", 0.001),  # 1,000 units/s at full speed
        duration=2.0,
        reps=3,
        warmup=0,
        block=0.05,
        clock=machine.clock,
    )
    assert result.by_pairs
    assert len(result.ours) == len(result.baseline) == 3
    assert result.ours[0] > 3 * result.ours[-1]  # the samples moved with it
    assert all(abs(r - 0.8) < 0.005 for r in result.pair_ratios())
    assert abs(result.ratio - 0.8) < 0.005
    # turns: neither side runs a whole sample alone, and ours is not always first
    runs = [
        name
        for i, name in enumerate(machine.calls)
        if i == 0 or name != machine.calls[i - 1]
    ]
    assert len(runs) > 40
    assert runs[:3] == ["ours", "raw", "ours"] or runs[:2] == ["ours", "raw"]


def test_alternated_samples_catch_one_side_slow_and_the_other_fast():
    # the contrast, on the same machine: each whole sample of a side runs at its
    # own moment's speed, and the pairs' ratios move far from 80%
    machine = _Machine(lambda t: 1 / (1 + t))
    ours, raw = machine.op("ours", 0.00125), machine.op("raw", 0.001)

    def sample(op):
        def run(duration: float) -> float:
            done, start = 0, machine.now
            while machine.now < start + duration:
                done += op()
            return done / (machine.now - start)

        return run

    result = alternate(sample(ours), sample(raw), duration=1.0, reps=4, warmup=0)
    assert not result.by_pairs
    pairs = result.pair_ratios()
    assert max(pairs) / min(pairs) > 2  # against 0.5% for samples taken in turns


def test_a_row_of_interleaved_samples_is_judged_by_the_pairs_median():
    # the medians' ratio (95 / 100) would pass; the pairs (each of one stretch of time)
    # say 89%
    result = Comparison([89, 95, 178], [100, 80, 200], by_pairs=True)
    row = Row("x", "ev/s", Target(0.9), "raw", result)
    assert round(row.ratio, 2) == 0.89
    assert not row.passed
    assert row.cells()[3:] == ["89%", ">= 90%", "FAIL"]
    text = details([row])
    assert "median 89% (the verdict), from 89% to 119%; the medians' ratio 95%" in text

    passing = Row(
        "x", "ev/s", Target(0.9), "raw", Comparison([90, 92], [100, 100], by_pairs=True)
    )
    assert passing.passed and passing.cells()[3] == "91%"
