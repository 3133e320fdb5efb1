"""HTTP load from wrk (a C load generator), when it is installed.

Latency percentiles measured by Python client threads include the clients' own
waits for the GIL: 32 threads each parsing a 17 KB dashboard page made GET /health's
own p99 15-20 ms. wrk keeps 32 connections busy from native threads and times each
response, so the tail it reports is the server's. `make bench` installs it where it can
(`apt-get install wrk`); without it, or with BENCH_LOAD=threads, the rows use
Python threads and say so.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}
_P99 = re.compile(r"^\s*99%\s+([\d.]+)(us|ms|s)\s*$", re.M)
_RATE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.M)
_BAD = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_ERRORS = re.compile(r"Socket errors:.*")


@dataclass(frozen=True)
class Load:
    rate: float  # requests per second
    p99_ms: float


def available() -> bool:
    if os.environ.get("BENCH_LOAD", "").strip() == "threads":
        return False
    return shutil.which("wrk") is not None


def run(
    url: str,
    connections: int,
    seconds: float,
    token: str | None = None,
    threads: int = 2,
) -> Load:
    """`connections` keep-alive connections asking `url` for `seconds` (rounded to
    whole seconds, at least one); every
    answer must be 2xx/3xx and no socket may fail, or this raises."""
    whole = max(1, round(seconds))  # wrk takes whole seconds
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{whole}s"]
    command += ["--latency", "--timeout", "10s"]
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    done = subprocess.run(
        [*command, url], capture_output=True, text=True, timeout=whole + 60
    )
    out = done.stdout
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or out}")
    bad = _BAD.search(out)
    errors = _ERRORS.search(out)
    if bad or errors:
        raise RuntimeError(f"wrk saw failed requests:\n{out}")
    p99, rate = _P99.search(out), _RATE.search(out)
    if p99 is None or rate is None:
        raise RuntimeError(f"unexpected wrk output:\n{out}")
    return Load(float(rate.group(1)), float(p99.group(1)) * UNITS[p99.group(2)])
