"""Timing: time-boxed loops, threaded loops, and alternated ours/baseline samples."""

from __future__ import annotations

import statistics
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from time import perf_counter

Op = Callable[[], int]
"""One unit of work; returns how many events/messages it handled."""

Sample = Callable[[float], float]
"""Runs for about `duration` seconds; returns a rate (units per second)."""


def run_timed(
    op: Op, duration: float, clock: Callable[[], float] = perf_counter
) -> tuple[int, float]:
    """Call `op` until `duration` has passed: the units it reported, the seconds."""
    done = 0
    start = clock()
    deadline = start + duration
    while True:
        done += op()
        now = clock()
        if now >= deadline:
            return done, now - start


def run_for(op: Op, duration: float) -> float:
    """Call `op` until `duration` has passed; the rate of units it reported."""
    done, seconds = run_timed(op, duration)
    return done / seconds


def run_threads(ops: Sequence[Op], duration: float) -> float:
    """Run each op in its own thread, all starting together; the combined rate."""
    counts = [0] * len(ops)
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(ops) + 1)
    times: dict[str, float] = {}

    def work(index: int, op: Op) -> None:
        done = 0
        try:
            barrier.wait()
            deadline = times["start"] + duration
            while True:
                done += op()
                if perf_counter() >= deadline:
                    break
        except BaseException as error:  # reported by the caller
            errors.append(error)
        finally:
            counts[index] = done

    threads = [
        threading.Thread(target=work, args=(i, op), daemon=True)
        for i, op in enumerate(ops)
    ]
    for thread in threads:
        thread.start()
    times["start"] = perf_counter()
    barrier.wait()
    for thread in threads:
        thread.join()
    elapsed = perf_counter() - times["start"]
    if errors:
        raise errors[0]
    return sum(counts) / elapsed


@dataclass
class Comparison:
    """Rates of repeated samples of our side and the baseline."""

    ours: list[float] = field(default_factory=list)
    baseline: list[float] = field(default_factory=list)
    elapsed: float | None = None  # seconds, for rows with an absolute time target
    notes: list[str] = field(default_factory=list)
    # True when each sample's two rates were measured over the same stretch of time
    # (`interleave`): the row is then judged by the median of the samples' ratios
    by_pairs: bool = False

    @property
    def ours_median(self) -> float:
        return statistics.median(self.ours)

    @property
    def baseline_median(self) -> float:
        return statistics.median(self.baseline)

    @property
    def ratio(self) -> float:
        """ours / baseline as the row is judged: the median of the pairs' ratios
        when each pair shared its time (`by_pairs`), else the medians' ratio."""
        if self.by_pairs:
            return statistics.median(self.pair_ratios())
        return self.ours_median / self.baseline_median

    def pair_ratios(self) -> list[float]:
        """ours[i] / baseline[i]: samples `alternate` took back to back, so a drift
        of the machine's speed over the run cancels out of each (printed beside
        the medians; the verdict stays on the medians)."""
        return [
            ours / base
            for ours, base in zip(self.ours, self.baseline, strict=False)
            if base > 0
        ]


def alternate(
    ours: Sample,
    baseline: Sample,
    *,
    duration: float,
    reps: int,
    warmup: float,
) -> Comparison:
    """Warm both sides up, then sample them alternately (ABBA...) `reps` times."""
    if warmup > 0:
        ours(warmup)
        baseline(warmup)
    result = Comparison()
    for rep in range(reps):
        sides = [(ours, result.ours), (baseline, result.baseline)]
        if rep % 2:
            sides.reverse()
        for sample, rates in sides:
            rates.append(sample(duration))
    return result


def interleave(
    ours: Op,
    baseline: Op,
    *,
    duration: float,
    reps: int,
    warmup: float,
    block: float,
    clock: Callable[[], float] = perf_counter,
) -> Comparison:
    """`reps` samples of about `duration` seconds, each spent on both sides in turns
    of `block` seconds (ours first in one round, the baseline first in the next);
    a sample's rate for a side is the units it did over the time it ran.

    Both rates of a sample come from the same stretch of time, so a change of the
    machine's speed within it reaches both sides alike, where `alternate`'s
    back-to-back samples of a second or more each can catch one side in a slow
    moment and the other in a fast one. The row is judged by the median of the
    samples' ratios (`by_pairs`).
    """
    if warmup > 0:
        run_for(ours, warmup)
        run_for(baseline, warmup)
    result = Comparison(by_pairs=True)
    for _ in range(reps):
        units = [0, 0]
        spent = [0.0, 0.0]
        end = clock() + duration
        turn = 0
        while clock() < end:
            for side in (0, 1) if turn % 2 == 0 else (1, 0):
                done, seconds = run_timed(ours if side == 0 else baseline, block, clock)
                units[side] += done
                spent[side] += seconds
            turn += 1
        result.ours.append(units[0] / spent[0])
        result.baseline.append(units[1] / spent[1])
    return result
