"""The gateway process answers /health, and /ready reports each dependency's state."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.processes import free_port

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
START_SECONDS = 30
CONFIG = str(REPO / "deploy" / "nameko.yaml")
COMMAND = [sys.executable, "-m", "nameko", "run", "--config", CONFIG, "gateway.service"]


@dataclass(frozen=True)
class Gateway:
    """A running gateway process and the base URL it serves."""

    base: str
    process: subprocess.Popen[bytes]


StartGateway = Callable[..., Gateway]


def _get(url: str) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture
def start_gateway(tmp_path: Path) -> Iterator[StartGateway]:
    """Starts `nameko run gateway.service` on a free port; its base URL once live."""
    processes: list[subprocess.Popen[bytes]] = []

    def start(settings: dict[str, str], command: list[str] = COMMAND) -> Gateway:
        port = free_port()
        env = {
            **os.environ,
            "PSYCOPG_WAIT_FUNC": "wait_select",
            "GATEWAY_HOST": "127.0.0.1",
            "GATEWAY_PORT": str(port),
            **settings,
        }
        log = tmp_path / f"gateway-{port}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                command,
                cwd=REPO,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        processes.append(process)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"gateway exited {process.returncode}:\n{log.read_text()}")
            try:
                if _get(f"{base}/health")[0] == 200:
                    return Gateway(base, process)
            except (OSError, ValueError):
                pass
            time.sleep(0.2)
        pytest.fail(f"gateway not live in {START_SECONDS} s:\n{log.read_text()}")

    yield start
    for process in processes:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class TestGatewayHealth:
    def test_a_live_gateway_is_ready_when_every_dependency_answers(
        self, start_gateway: StartGateway, store_db: str, amqp_uri: str
    ) -> None:
        database = store_db
        base = start_gateway(
            {
                "AMQP_URI": amqp_uri,
                "EVENTSTORE_URI": database,
                "READMODEL_DATABASE_URL": database,
            }
        ).base

        assert _get(f"{base}/health") == (200, {"status": "ok"})
        status, body = _get(f"{base}/ready")
        assert status == 200, body
        assert body == {
            "status": "ready",
            "dependencies": {
                "rabbitmq": {"status": "ok"},
                "eventstore": {"status": "ok"},
                "readmodel": {"status": "ok"},
            },
        }

    def test_readiness_is_503_naming_an_unreachable_event_store(
        self, start_gateway: StartGateway, store_db: str, amqp_uri: str
    ) -> None:
        base = start_gateway(
            {
                "AMQP_URI": amqp_uri,
                "EVENTSTORE_URI": "postgresql://postgres@127.0.0.1:1/closed",
                "READMODEL_DATABASE_URL": store_db,
            }
        ).base

        assert _get(f"{base}/health")[0] == 200
        status, body = _get(f"{base}/ready")
        assert status == 503, body
        assert body["code"] == "not_ready"
        assert body["message"] == "unreachable: eventstore"
        dependencies = body["dependencies"]
        assert isinstance(dependencies, dict)
        assert dependencies["eventstore"]["status"] == "failed"
        assert "127.0.0.1" in dependencies["eventstore"]["error"]
        assert dependencies["rabbitmq"] == {"status": "ok"}
        assert dependencies["readmodel"] == {"status": "ok"}

    def test_an_idle_gateway_stops_within_seconds_of_sigterm(
        self, start_gateway: StartGateway, store_db: str, amqp_uri: str
    ) -> None:
        database = store_db
        gateway = start_gateway(
            {
                "AMQP_URI": amqp_uri,
                "EVENTSTORE_URI": database,
                "READMODEL_DATABASE_URL": database,
            }
        )
        time.sleep(3)  # let the hub go idle: unwoken, it slept up to 60 s

        started = time.monotonic()
        gateway.process.terminate()
        returncode = gateway.process.wait(timeout=30)

        assert returncode == 0
        assert time.monotonic() - started < 5


WORKERS = [sys.executable, "-m", "gateway.workers"]


def _children(pid: int) -> set[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return {int(child) for child in text.split()}


def _listening(pid: int, port: int) -> bool:
    """Whether process `pid` holds a socket listening on `port` (Linux /proc)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[1].endswith(f":{port:04X}") and fields[3] == "0A":
                inodes.add(fields[9])
    try:
        links = [os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()]
    except OSError:
        return False
    return any(link[8:-1] in inodes for link in links if link.startswith("socket:["))


def _requests_counted(base: str) -> float:
    with urllib.request.urlopen(f"{base}/metrics", timeout=10) as response:
        text = response.read().decode()
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("gateway_http_requests_total{")
    )


class TestGatewayWorkers:
    """`python -m gateway.workers` (the Procfile's gateway): several processes on
    one port, their metrics summed, a crashed one started again."""

    @staticmethod
    def two_workers(
        start_gateway: StartGateway, store_db: str, amqp_uri: str
    ) -> tuple[Gateway, set[int]]:
        """`gateway.workers` with two workers, once both listen (the kernel then
        spreads new connections over both); the gateway and the workers' pids."""
        gateway = start_gateway(
            {
                "AMQP_URI": amqp_uri,
                "EVENTSTORE_URI": store_db,
                "READMODEL_DATABASE_URL": store_db,
                "GATEWAY_WORKERS": "2",
            },
            WORKERS,
        )
        port = int(gateway.base.rsplit(":", 1)[1])
        deadline = time.monotonic() + START_SECONDS
        while not (
            len(workers := _children(gateway.process.pid)) == 2
            and all(_listening(pid, port) for pid in workers)
        ):
            assert time.monotonic() < deadline, "the two workers did not listen"
            time.sleep(0.2)
        return gateway, workers

    def test_two_workers_share_the_port_their_metrics_and_survive_a_crash(
        self, start_gateway: StartGateway, store_db: str, amqp_uri: str
    ) -> None:
        gateway, workers = self.two_workers(start_gateway, store_db, amqp_uri)
        base, launcher = gateway.base, gateway.process

        for _ in range(40):  # a new connection each: the kernel spreads them
            try:
                urllib.request.urlopen(f"{base}/api/v1/no-such-thing", timeout=10)
            except urllib.error.HTTPError as error:
                assert error.code == 404
        # every scrape, whichever worker answers it, counts all 40 requests
        assert {_requests_counted(base) for _ in range(10)} == {40.0}

        crashed = min(workers)
        os.kill(crashed, 9)
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            now = _children(launcher.pid)
            if len(now) == 2 and crashed not in now:
                break
            time.sleep(0.2)
        replaced = _children(launcher.pid)
        assert len(replaced) == 2 and crashed not in replaced
        assert _get(f"{base}/health")[0] == 200
        # the crashed worker's counts stay in the sum: counters never go back
        assert _requests_counted(base) >= 40.0

        launcher.terminate()
        assert launcher.wait(timeout=15) == 0
        assert not any(Path(f"/proc/{pid}").exists() for pid in replaced)

    def test_the_public_rate_limit_holds_across_workers(
        self, start_gateway: StartGateway, store_db: str, amqp_uri: str
    ) -> None:
        gateway, _ = self.two_workers(start_gateway, store_db, amqp_uri)
        statuses = []
        started = time.monotonic()
        for _ in range(40):  # a new connection each: both workers answer some
            try:
                with urllib.request.urlopen(
                    f"{gateway.base}/api/v1/public/bureaus/b01/hotlines", timeout=10
                ) as answer:
                    statuses.append(answer.status)
            except urllib.error.HTTPError as error:
                statuses.append(error.code)
        refilled = int((time.monotonic() - started) * 2.0) + 1  # 2 a second
        limited = statuses.count(429)
        # a burst of 20 for this client in all, not 20 in each worker
        assert 40 - 20 - refilled <= limited <= 20, statuses
