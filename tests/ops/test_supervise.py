"""deploy/scripts/supervise.sh: a crashed process is restarted; SIGTERM stops it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

from tests.support.processes import REPO
from tests.support.waiting import wait_until

SUPERVISE = REPO / "deploy" / "scripts" / "supervise.sh"

# crashes on its first two runs, then runs until SIGTERM
FLAKY = """
n=$(cat count 2>/dev/null || echo 0); n=$((n+1)); echo $n > count
echo "run $n"
[ $n -lt 3 ] && exit 3
trap 'echo "run $n stopping"; exit 0' TERM
while :; do sleep 0.05; done
"""


def supervise(tmp_path: Path, *command: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "SUPERVISE_MIN_DELAY": "0.1",
        "SUPERVISE_LOG_DIR": str(tmp_path / "log"),
    }
    return subprocess.Popen(
        ["bash", str(SUPERVISE), "flaky", *command],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # like honcho: a process group of its own
    )


class TestSupervise:
    def test_a_crashed_process_is_restarted_and_logs_to_its_own_file(self, tmp_path):
        (tmp_path / "flaky.sh").write_text(FLAKY)
        runner = supervise(tmp_path, "bash", "flaky.sh")
        log = tmp_path / "log" / "flaky.log"
        try:
            wait_until(
                lambda: log.exists() and "run 3" in log.read_text(),
                timeout=20,
                describe="the third run",
            )
            assert runner.poll() is None
        finally:
            os.killpg(runner.pid, signal.SIGTERM)  # what honcho does
            output = runner.communicate(timeout=20)[0].decode()
        assert runner.returncode == 0
        text = log.read_text()
        restarts = [
            json.loads(line)
            for line in text.splitlines()
            if line.startswith("{") and "restarting" in line
        ]
        assert len(restarts) == 2
        assert restarts[0]["process"] == "flaky"
        assert "run 3 stopping" in text
        assert "run 1" in output  # honcho sees the output as well

    def test_sigterm_stops_it_without_a_restart(self, tmp_path):
        (tmp_path / "count").write_text("5")
        (tmp_path / "flaky.sh").write_text(FLAKY)
        runner = supervise(tmp_path, "bash", "flaky.sh")
        log = tmp_path / "log" / "flaky.log"
        wait_until(lambda: log.exists() and "run 6" in log.read_text(), timeout=20)
        started = time.monotonic()
        os.killpg(runner.pid, signal.SIGTERM)
        runner.communicate(timeout=20)
        assert time.monotonic() - started < 5
        assert "run 7" not in log.read_text()
        assert (tmp_path / "count").read_text().strip() == "6"
