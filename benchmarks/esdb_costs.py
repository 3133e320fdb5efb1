"""Where the EventStoreDB adapter's time goes: `python -m benchmarks.esdb_costs`.

A diagnostic, not a row of the table. On the same test server, in one process, it
runs three sides of the append rows: the adapter as it is; the adapter with its hash
chain replaced by constant bytes (`encoded_digests` and `chain_links` only, every
other step as it is); and raw esdbclient. The stubbed chain exists only inside this
process, for this measurement; nothing else ever appends without it.

It runs in rounds: in each, every side takes one turn of TURN (50 ms), in an order
shuffled per round. For each side it prints the median over rounds of its rate and
of the calling thread's CPU per event (where the adapter's own work runs), then the
median of the per-round differences from raw esdbclient's CPU per event, with a
95% interval of that median. Differences within a round cancel the machine's
changes of speed, which move whole samples of a second by several percent: two
identical sides differ by +-5 us of CPU a call in one such run of 90 s, where
back-to-back 1 s samples could not resolve 10.

Sizes: BENCH_REPS x BENCH_DURATION x 3 is the time each size runs (defaults 12 and
1.0 s here: 36 s), BENCH_BATCH.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from typing import Any

from benchmarks.esdb import TURN, EsdbBench
from benchmarks.measure import Op, run_timed
from benchmarks.settings import Sizes, _sizes_from_env
from eventing.store import esdb

_ZERO = bytes(32)


def _constant_digests(*arguments: Any) -> list[bytes]:
    """encoded_digests' place: one constant digest per event (its third argument)."""
    return [_ZERO] * len(arguments[2])


def _constant_links(
    prev_hash: str, digests: Sequence[bytes]
) -> list[tuple[bytes, bytes]]:
    return [(_ZERO, _ZERO)] * len(digests)


@contextmanager
def chain_stubbed() -> Iterator[None]:
    """The adapter's hash chain as constant bytes, for the `with` block only."""
    stubs = {"encoded_digests": _constant_digests, "chain_links": _constant_links}
    kept = {name: getattr(esdb, name) for name in stubs}
    for name, stub in stubs.items():
        setattr(esdb, name, stub)  # what _append_once calls, looked up per call
    try:
        yield
    finally:
        for name, original in kept.items():
            setattr(esdb, name, original)


Sample = tuple[float, float]  # events per second, main-thread CPU us per event


def _turn(op: Op, stub: bool, duration: float = TURN) -> Sample:
    """One turn of `op` (TURN seconds): its rate and the calling thread's CPU."""
    with chain_stubbed() if stub else nullcontext():
        cpu = time.thread_time()
        events, seconds = run_timed(op, duration)
        return events / seconds, (time.thread_time() - cpu) * 1e6 / max(events, 1)


def compare(bench: EsdbBench, size: int) -> dict[str, list[Sample]]:
    """Rounds of one turn a side, the order shuffled per round (seeded), until
    reps x duration x 3 seconds have passed; each side's samples in round order."""
    ours, raw = bench._ours(size), bench._raw(size)
    sides: dict[str, tuple[Op, bool]] = {
        "adapter": (ours, False),
        "adapter, hash chain stubbed": (ours, True),
        "raw esdbclient": (raw, False),
    }
    for op, stub in sides.values():
        _turn(op, stub, bench.sizes.warmup)
    samples: dict[str, list[Sample]] = {name: [] for name in sides}
    order = list(sides)
    shuffle = random.Random(size).shuffle
    end = time.perf_counter() + bench.sizes.reps * bench.sizes.duration * len(sides)
    while time.perf_counter() < end:
        shuffle(order)
        for name in order:
            samples[name].append(_turn(*sides[name]))
    return samples


def median_interval(values: Sequence[float]) -> tuple[float, float, float]:
    """The median and a 95% interval of it (order statistics: n/2 -+ 0.98 sqrt(n)),
    which holds whatever the values' distribution."""
    ordered = sorted(values)
    n = len(ordered)
    half = int(0.98 * n**0.5)
    low = ordered[max(0, (n - 1) // 2 - half)]
    high = ordered[min(n - 1, n // 2 + half)]
    return statistics.median(ordered), low, high


def report(size: int, samples: dict[str, list[Sample]]) -> str:
    raw = samples["raw esdbclient"]
    lines = [f"append {size} event(s)/call: {len(raw)} rounds of one turn a side"]
    for name, taken in samples.items():
        rate = statistics.median(r for r, _ in taken)
        cpu = statistics.median(c for _, c in taken)
        ratio = statistics.median(
            r / base for (r, _), (base, _) in zip(taken, raw, strict=True)
        )
        more, low, high = median_interval(
            [c - base for (_, c), (_, base) in zip(taken, raw, strict=True)]
        )
        lines.append(
            f"  {name:28} {rate:9,.0f} ev/s ({ratio:.1%} of raw in the same "
            f"rounds), main thread {cpu:6.1f} us CPU/event, "
            f"{more:+6.1f} over raw [{low:+.1f}, {high:+.1f}]"
        )
    return "\n".join(lines)


def main() -> None:
    defaults = Sizes(reps=12, duration=1.0)
    sizes = _sizes_from_env(defaults)
    if "BENCH_WARMUP" not in os.environ:
        sizes = replace(sizes, warmup=0.5)
    bench = EsdbBench(sizes)
    try:
        print(
            f"{os.cpu_count()} CPUs; sizes: reps={sizes.reps}, "
            f"duration={sizes.duration}, batch={sizes.batch}",
            flush=True,
        )
        for size in (1, sizes.batch):
            print(report(size, compare(bench, size)), flush=True)
    finally:
        bench.close()


if __name__ == "__main__":
    main()
