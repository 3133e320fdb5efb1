"""Where the EventStoreDB adapter's time goes: `python -m benchmarks.esdb_costs`.

A diagnostic, not a row of the table. On the same test server, in one process, it
alternates three sides of the append rows: the adapter as it is; the adapter with its
hash chain replaced by constant bytes (`encoded_digests` and `chain_links` only, every
other step as it is); and raw esdbclient. For each it prints the median rate and the
median of back-to-back pair ratios against raw, and the CPU time of the calling
thread per event (where the adapter's own work runs; steadier than the rates when
the machine's speed moves), so what the hash chain costs under load is read off one
run. The stubbed chain exists only inside this process, for
this measurement; nothing else ever appends without it.

Sizes: BENCH_REPS (default 12 here), BENCH_DURATION (default 1.0 s), BENCH_BATCH.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from typing import Any

from benchmarks.esdb import EsdbBench
from benchmarks.measure import Op, run_for
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


def _sampled(op: Op, stub: bool) -> Callable[[float], Sample]:
    def sample(duration: float) -> Sample:
        with chain_stubbed() if stub else nullcontext():
            cpu, start = time.thread_time(), time.perf_counter()
            rate = run_for(op, duration)
            events = rate * (time.perf_counter() - start)
            return rate, (time.thread_time() - cpu) * 1e6 / max(events, 1.0)

    return sample


def compare(bench: EsdbBench, size: int) -> dict[str, list[Sample]]:
    """Samples of the three sides, in turn (the order reversed every rep)."""
    ours, raw = bench._ours(size), bench._raw(size)
    sides = {
        "adapter": _sampled(ours, stub=False),
        "adapter, hash chain stubbed": _sampled(ours, stub=True),
        "raw esdbclient": _sampled(raw, stub=False),
    }
    for sample in sides.values():
        sample(bench.sizes.warmup)
    samples: dict[str, list[Sample]] = {name: [] for name in sides}
    for rep in range(bench.sizes.reps):
        order = list(sides.items())
        if rep % 2:
            order.reverse()
        for name, sample in order:
            samples[name].append(sample(bench.sizes.duration))
    return samples


def report(size: int, samples: dict[str, list[Sample]]) -> str:
    raw = [rate for rate, _ in samples["raw esdbclient"]]
    lines = [f"append {size} event(s)/call:"]
    for name, taken in samples.items():
        rates = [rate for rate, _ in taken]
        pairs = [ours / base for ours, base in zip(rates, raw, strict=True)]
        cpu = statistics.median(c for _, c in taken)
        low, high = min(pairs), max(pairs)
        lines.append(
            f"  {name:28} {statistics.median(rates):9,.0f} ev/s, main thread "
            f"{cpu:6.1f} us CPU/event; pairs vs raw: median "
            f"{statistics.median(pairs):.0%} (from {low:.0%} to {high:.0%})"
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
