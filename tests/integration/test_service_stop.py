"""A Nameko service stops cleanly when `make run` stops: honcho sends SIGTERM to the
whole process group, and supervise.sh passes it on to the service as well, so the
service gets it twice (eventing.containers.StopOnceContainer); and it stops promptly,
not a second or more per consumer later."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from eventing.migrate import apply
from tests.support.broker import consumers_of
from tests.support.processes import REPO, child_env, free_port
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration

SUPERVISE = REPO / "deploy" / "scripts" / "supervise.sh"
CONFIG = REPO / "deploy" / "nameko.yaml"


@pytest.mark.parametrize(
    ("service", "signals"),
    [
        ("ledger", "group"),  # honcho's SIGTERM to the group, then supervise.sh's
        ("ledger", "twice"),  # an operator's second SIGTERM to the service itself
        ("complaints", "group"),  # a timer and an RPC proxy to organization
        ("evaluation", "group"),
    ],
)
def test_a_service_with_a_timer_stops_cleanly_on_a_repeated_sigterm(
    tmp_path: Path, store_db: str, amqp_uri: str, service: str, signals: str
) -> None:
    migrations = REPO / "services" / service / "migrations"
    if migrations.is_dir():
        apply(store_db, migrations, table=f"{service}_service")
    env = child_env(
        {
            "PSYCOPG_WAIT_FUNC": "wait_select",
            "EVENTSTORE_URI": store_db,
            "AMQP_URI": amqp_uri,
            "METRICS_PORT": str(free_port()),
            "SUPERVISE_LOG_DIR": str(tmp_path),
        }
    )
    command = [sys.executable, "-m", "nameko", "run", "--config", str(CONFIG)]
    runner = subprocess.Popen(
        ["bash", str(SUPERVISE), service, *command, f"services.{service}.service"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # like honcho: a process group of its own
    )
    log = tmp_path / f"{service}.log"
    try:
        wait_until(
            lambda: consumers_of(amqp_uri, f"rpc-{service}") > 0,
            timeout=30,
            interval=0.2,
            describe=lambda: f"{service} to consume; log:\n{log.read_text()}",
        )
        stopping = time.monotonic()
        if signals == "group":
            os.killpg(runner.pid, signal.SIGTERM)
        else:
            child = int(
                subprocess.run(
                    ["pgrep", "-P", str(runner.pid), "-f", "nameko run"],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout.split()[0]
            )
            os.kill(child, signal.SIGTERM)
            os.kill(child, signal.SIGTERM)
            os.kill(runner.pid, signal.SIGTERM)
        code = runner.wait(timeout=20)
        took = time.monotonic() - stopping
    finally:
        if runner.poll() is None:
            os.killpg(runner.pid, signal.SIGKILL)
            runner.wait()
    text = log.read_text()
    assert code == 0
    assert "stopped (exit code 0)" in text, text
    assert "re-send" not in text and "KeyError" not in text, text
    # kombu's consume loop looked for a stop once a second, twice over for a service
    # with an RPC proxy (its replies' consumer stops after the workers): 2.9-3.0 s
    # from SIGTERM to exit for each of these, 0.4-0.6 s polling every 0.1 s
    assert took < 2.0, f"{service} took {took:.1f} s to stop"
