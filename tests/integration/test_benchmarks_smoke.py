"""`python -m benchmarks --quick` runs every row: a broken benchmark fails CI.

The figures of a quick run mean nothing (tiny sizes); `make bench` measures.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest

from tests.support.processes import REPO, child_env

pytestmark = pytest.mark.integration


# shorter samples than --quick's own 0.3 s (each row takes four or more): a row's
# code runs all the same, and the whole run went from 51 s to 35 s
BRIEF = {"BENCH_DURATION": "0.05", "BENCH_WARMUP": "0.02"}


def quick(*only: str, env: dict[str, str] | None = None) -> tuple[str, list[str]]:
    """`python -m benchmarks --quick [--only X ...]`, with BRIEF samples: its
    output and table rows."""
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick"]
        + [arg for name in only for arg in ("--only", name)],
        env=child_env({**BRIEF, **(env or {})}),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ")][1:]
    return result.stdout, rows


def test_every_benchmark_row_runs_and_reports():
    """Every row, the EventStoreDB ones included: they need no server of ours, they
    start the test double."""
    stdout, rows = quick()
    assert len(rows) >= 9, stdout  # writes, reads, relay, eventsourcing, org
    assert not [row for row in rows if "ERROR" in row], stdout
    assert len([row for row in rows if row.startswith("| esdb: ")]) == 4, stdout


def test_the_raw_catch_up_pages_read_what_the_adapter_reads():
    """The catch-up row's baseline makes the adapter's read_all calls by hand: it
    must read the same events, each once, in pages of the same size."""
    from benchmarks.esdb import EsdbBench
    from benchmarks.settings import QUICK

    bench = EsdbBench(dataclasses.replace(QUICK, read_batch=300))
    try:
        bench.populate(1_000)
        assert bench.store is not None
        pages = list(bench.raw_pages(1_000))
        raw = [position for page in pages for position, _, _ in page]
        ours = [envelope.position for envelope in bench.store.read_all(0, 1_000)]
        assert [len(page) for page in pages] == [300, 300, 300, 100]
        assert raw == ours and len(set(raw)) == 1_000
        assert all(isinstance(data, dict) for page in pages for _, data, _ in page)
    finally:
        bench.close()


def test_the_dashboard_row_runs_with_python_clients_when_wrk_is_absent():
    """`make bench` uses wrk when installed; this runs the fallback path."""
    stdout, rows = quick("views", env={"BENCH_LOAD": "threads"})
    assert "Python client threads (no wrk, or BENCH_LOAD=threads" in stdout
    assert len(rows) == 2 and not [r for r in rows if "ERROR" in r], stdout


def test_the_esdb_cost_diagnostic_runs_every_side():
    """`python -m benchmarks.esdb_costs` is not a row; it must still run."""
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.esdb_costs"],
        env=child_env(
            {
                "BENCH_REPS": "1",
                "BENCH_DURATION": "0.1",
                "BENCH_WARMUP": "0.05",
                "BENCH_BATCH": "10",
            }
        ),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    for size in ("append 1 event(s)/call:", "append 10 event(s)/call:"):
        assert size in result.stdout
    sides = ("adapter ", "adapter, hash chain stubbed", "raw esdbclient")
    for side in sides:
        assert result.stdout.count(side) == 2, result.stdout
    assert result.stdout.count("us CPU/event") == 6
