"""`python -m gateway.workers`: the gateway as several processes on one port.

One gateway process is one eventlet hub on one core; on a machine with more cores the
API answers faster with several, as web servers run (gunicorn's workers).
GATEWAY_WORKERS sets how many (1 runs `nameko run gateway.service` in this process's
place). The default is half the CPUs, at least one: `make run` puts the services,
RabbitMQ and PostgreSQL on the same machine, and every command crosses all of them.
With one worker per CPU they competed with the gateway for the cores: on 2 CPUs the
HTTP command bench's p99 was 51 ms with two workers and 41 ms with one (throughput
528 and 567 req/s); the dashboard read's p99 was 14 and 22 ms. Each worker binds
GATEWAY_PORT with SO_REUSEPORT (eventlet's default on Linux) and the kernel spreads
connections over them.

Metrics: a scrape of /metrics reaches one worker at random, so the workers share
their metrics through prometheus_client's multiprocess mode: each writes its own
files under PROMETHEUS_MULTIPROC_DIR (a fresh directory per start, removed at exit)
and every worker's /metrics sums them all.

A worker that exits on its own is started again (after 1 s, doubling to 30 s while it
keeps failing quickly); the others keep serving. SIGTERM/SIGINT stop every worker and
then this process. In Kubernetes the Deployment runs one worker per pod (replicas
scale it), so the manifest keeps `nameko run` itself.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import FrameType

from prometheus_client import multiprocess

from eventing.logs import configure_logging

REPO = Path(__file__).resolve().parents[1]
COMMAND = [
    sys.executable,
    "-m",
    "nameko",
    "run",
    "--config",
    str(REPO / "deploy" / "nameko.yaml"),
    "gateway.service",
]
MIN_DELAY, MAX_DELAY, STEADY_SECONDS = 1.0, 30.0, 60.0
STOP_SECONDS = 10.0

log = logging.getLogger("gateway.workers")


def worker_count(environ: dict[str, str] | os._Environ[str]) -> int:
    """GATEWAY_WORKERS, or half the CPUs (at least one); a clear error for anything
    else."""
    given = environ.get("GATEWAY_WORKERS", "").strip()
    if not given:
        return max(1, (os.cpu_count() or 1) // 2)
    if not given.isdigit() or not 1 <= int(given) <= 64:
        raise SystemExit(f"GATEWAY_WORKERS must be a whole number 1-64, not {given!r}")
    return int(given)


class Workers:
    """The worker processes, kept running until stop()."""

    def __init__(self, count: int, metrics_dir: Path) -> None:
        self.count = count
        self.metrics_dir = metrics_dir
        self.env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
        self.processes: dict[int, subprocess.Popen[bytes]] = {}
        self.started: dict[int, float] = {}
        self.delay: dict[int, float] = {}
        self.due: dict[int, float] = {}
        self.stopping = False

    def start(self) -> None:
        for index in range(self.count):
            self._spawn(index)

    def _spawn(self, index: int) -> None:
        env = {**self.env, "GATEWAY_WORKER": str(index)}
        self.processes[index] = subprocess.Popen(COMMAND, cwd=REPO, env=env)
        self.started[index] = time.monotonic()
        self.due.pop(index, None)

    def watch(self) -> None:
        """One pass: notice exited workers, start those whose backoff is over."""
        now = time.monotonic()
        for index, process in list(self.processes.items()):
            code = process.poll()
            if code is None or index in self.due:
                continue
            multiprocess.mark_process_dead(process.pid, str(self.metrics_dir))  # type: ignore[no-untyped-call]
            lived = now - self.started[index]
            delay = self.delay.get(index, MIN_DELAY)
            if lived >= STEADY_SECONDS:
                delay = MIN_DELAY
            log.error(
                "gateway worker %d (pid %d) exited with code %s; restarting in %.0f s",
                index,
                process.pid,
                code,
                delay,
            )
            self.due[index] = now + delay
            self.delay[index] = min(delay * 2, MAX_DELAY)
        for index, when in list(self.due.items()):
            if when <= now and not self.stopping:
                self._spawn(index)

    def stop(self) -> None:
        self.stopping = True
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + STOP_SECONDS
        for process in self.processes.values():
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def main() -> int:
    configure_logging("gateway.workers", os.environ.get("LOG_LEVEL", "INFO"))
    count = worker_count(os.environ)
    if count == 1:
        os.execv(COMMAND[0], COMMAND)
    metrics_dir = Path(tempfile.mkdtemp(prefix="gateway-metrics-"))
    workers = Workers(count, metrics_dir)

    def stop(signum: int, _frame: FrameType | None) -> None:
        workers.stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("starting %d gateway workers", count)
    try:
        workers.start()
        while not workers.stopping:
            workers.watch()
            time.sleep(0.2)
    finally:
        workers.stop()
        shutil.rmtree(metrics_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
