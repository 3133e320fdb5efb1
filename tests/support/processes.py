"""Real subprocesses for tests: started with logs in a file, always stopped."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A TCP port nothing listens on right now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def child_env(extra: Mapping[str, str]) -> dict[str, str]:
    """This environment plus `extra`, with the repository importable."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO), *filter(None, [env.get("PYTHONPATH")])]
    )
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


class Process:
    """One child process; stdout and stderr go to `log_path`."""

    def __init__(self, argv: Sequence[str], env: Mapping[str, str], log_path: Path):
        self.argv = list(argv)
        self.log_path = log_path
        self._log = open(log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.popen = subprocess.Popen(
            self.argv,
            env=child_env(env),
            cwd=REPO,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log().splitlines()[-lines:])

    def kill(self) -> None:
        """SIGKILL: no chance to finish anything."""
        if self.alive():
            self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(timeout=10)
        self._log.close()

    def terminate(self, timeout: float = 10.0) -> int:
        """SIGTERM and wait; SIGKILL if it does not exit in time. The exit code."""
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)
        try:
            code = self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(
                f"{self.argv} ignored SIGTERM for {timeout:.0f}s:\n{self.tail()}"
            ) from None
        self._log.close()
        return code


class Processes:
    """Starts child processes and stops every one still running at the end."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.started: list[Process] = []

    def start(self, name: str, argv: Sequence[str], env: Mapping[str, str]) -> Process:
        log_path = self.directory / f"{name}-{len(self.started)}.log"
        process = Process(argv, env, log_path)
        self.started.append(process)
        return process

    def python(self, name: str, args: Sequence[str], env: Mapping[str, str]) -> Process:
        return self.start(name, [sys.executable, *args], env)

    def stop_all(self, last_started_first: bool = False) -> None:
        """SIGTERM every live process at once, then wait (SIGKILL after 10s). With
        `last_started_first`, one after the other from the last started: a service
        stops before those it calls, so no call of its is left waiting for an
        answer from one already stopped."""
        if last_started_first:
            for process in reversed(self.started):
                with contextlib.suppress(AssertionError):
                    process.terminate(timeout=10)
            return
        for process in self.started:
            if process.alive():
                process.popen.send_signal(signal.SIGTERM)
        for process in reversed(self.started):
            # terminate() kills a process that ignores SIGTERM; the tests
            # themselves assert on clean exits where that matters.
            with contextlib.suppress(AssertionError):
                process.terminate(timeout=10)
