"""`make start` in an isolated environment, scraped by a real Prometheus server.

The system gets databases, a RabbitMQ vhost, ports and a run directory of its own, so
it never meets a developer's `make start`. Prometheus (the Debian package's binary) runs
on loopback with a generated config: every process of deploy/Procfile is a target.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
import yaml
from nameko.standalone.rpc import ClusterRpcProxy
from psycopg import sql

from tests.support.processes import REPO, Process, Processes, free_port
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration

PG_BASE = os.environ.get("TEST_PG_URI", "postgresql://postgres@127.0.0.1:5432/postgres")
ENSURE = REPO / "deploy" / "scripts" / "ensure-tools.sh"
# Procfile name -> the environment variable of its /metrics port
METRICS_PORTS = {
    "relay": "RELAY_METRICS_PORT",
    "projector": "PROJECTOR_METRICS_PORT",
    "organization": "ORGANIZATION_METRICS_PORT",
    "complaints": "COMPLAINTS_METRICS_PORT",
    "ledger": "LEDGER_METRICS_PORT",
    "evaluation": "EVALUATION_METRICS_PORT",
    "publicity": "PUBLICITY_METRICS_PORT",
}


def procfile_processes() -> list[str]:
    lines = (REPO / "deploy" / "Procfile").read_text().splitlines()
    return [
        line.split(":", 1)[0].strip()
        for line in lines
        if line.strip() and not line.lstrip().startswith("#")
    ]


def database(name: str) -> str:
    return urlunsplit(urlsplit(PG_BASE)._replace(path=f"/{name}"))


def drop_database(name: str) -> None:
    with psycopg.connect(PG_BASE, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)
            )
        )


@dataclass
class System:
    env: dict[str, str]
    targets: dict[str, int]  # process -> port of its /metrics
    run_dir: Path

    def make(self, target: str, timeout: float) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["make", "--no-print-directory", target],
            cwd=REPO,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def logs(self) -> str:
        parts = []
        for log in sorted((self.run_dir / "log").glob("*.log")):
            lines = log.read_text(errors="replace").splitlines()[-15:]
            parts.append(f"--- {log.name}\n" + "\n".join(lines))
        return "\n".join(parts)


@pytest.fixture(scope="class")
def system(tmp_path_factory: pytest.TempPathFactory, amqp_uri: str) -> Iterator[System]:
    """The whole system started with `make start`; `make stop` at the end. One for
    the class: its tests only read it, but for the crash test, which runs last and
    leaves it restarted (about 10 s of start and 5 s of stop saved per test)."""
    tmp_path = tmp_path_factory.mktemp("system")
    run = uuid.uuid4().hex[:8]
    store_db, read_db = f"evtest_ops_{run}", f"evtest_ops_{run}_read"
    targets = {name: free_port() for name in procfile_processes()}
    env = {
        **os.environ,
        "RUN_DIR": str(tmp_path / "var"),
        "EVENTSTORE_URI": database(store_db),
        "READMODEL_DATABASE_URL": database(read_db),
        "AMQP_URI": amqp_uri,
        "GATEWAY_HOST": "127.0.0.1",
        "GATEWAY_PORT": str(targets["gateway"]),
        "BLOB_DIR": str(tmp_path / "blobs"),
        "LOG_LEVEL": "INFO",
    }
    for name, variable in METRICS_PORTS.items():
        if name in targets:
            env[variable] = str(targets[name])
    started = System(env, targets, tmp_path / "var")
    try:
        done = started.make("start", timeout=240)
        assert done.returncode == 0, done.stdout + done.stderr
        yield started
    finally:
        stopped = started.make("stop", timeout=60)
        for name in (store_db, read_db):
            drop_database(name)
        assert stopped.returncode == 0, stopped.stdout + stopped.stderr


@pytest.fixture
def prometheus(system: System, processes: Processes, tmp_path: Path) -> Iterator[str]:
    """A real Prometheus scraping every process once a second; its base URL."""
    done = subprocess.run(["bash", str(ENSURE)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "scrape_configs": [
            {
                "job_name": "local",
                "static_configs": [
                    {"targets": [f"127.0.0.1:{port}"], "labels": {"process": name}}
                    for name, port in system.targets.items()
                ],
            }
        ],
    }
    config_file = tmp_path / "prometheus.yml"
    config_file.write_text(json.dumps(config))  # JSON is YAML
    port = free_port()
    server: Process = processes.start(
        "prometheus",
        [
            "prometheus",
            f"--config.file={config_file}",
            f"--storage.tsdb.path={tmp_path / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        {},
    )
    url = f"http://127.0.0.1:{port}"
    wait_until(
        lambda: answers(f"{url}/-/ready"),
        timeout=30,
        interval=0.2,
        describe=lambda: f"prometheus to be ready:\n{server.tail()}",
    )
    yield url


def rule_metrics() -> set[str]:
    """Names of the exported metrics the recording and alerting rules read."""
    names = set()
    for rules in (REPO / "deploy" / "prometheus" / "rules").glob("*.yml"):
        for group in yaml.safe_load(rules.read_text())["groups"]:
            for rule in group["rules"]:
                expr = re.sub(r"\{[^}]*\}", "", rule["expr"])  # label matchers
                expr = re.sub(r"\b(by|without|on|ignoring)\s*\([^)]*\)", "", expr)
                for token in re.findall(r"[a-zA-Z_][a-zA-Z0-9_:]*", expr):
                    if ":" not in token and "_" in token and token not in FUNCTIONS:
                        names.add(re.sub(r"_(bucket|count|sum)$", "", token))
    return names


FUNCTIONS = {"histogram_quantile", "label_replace", "count_over_time"}


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def api(base: str, path: str, **params: str) -> Any:
    query = urllib.parse.urlencode(params)
    with urllib.request.urlopen(f"{base}{path}?{query}", timeout=5) as response:
        body = json.load(response)
    assert body["status"] == "success", body
    return body["data"]


class TestPrometheusScrapesTheWholeSystem:
    def test_every_process_is_up_and_a_command_shows_in_the_counter(
        self, system: System, prometheus: str
    ) -> None:
        def health() -> dict[str, str]:
            targets = api(prometheus, "/api/v1/targets")["activeTargets"]
            return {t["labels"]["process"]: t["health"] for t in targets}

        try:
            wait_until(
                lambda: (
                    set(health().values()) == {"up"}
                    and set(health()) == set(system.targets)
                ),
                timeout=120,
                interval=1,
                describe=lambda: f"every target up: {health()}",
            )
        except AssertionError as error:
            raise AssertionError(f"{error}\n{system.logs()}") from None

        bureau = f"b{uuid.uuid4().hex[:6]}"
        with ClusterRpcProxy({"AMQP_URI": system.env["AMQP_URI"]}, timeout=30) as rpc:
            rpc.organization.register_bureau(
                {"bureau_id": bureau, "district_id": "d1", "name": "测试局"},
                {"bureau_id": bureau, "actor": "district.ops", "roles": ["district"]},
            )

        query = (
            'sum(commands_total{process="organization",service="organization",'
            'command="register_bureau"})'
        )

        def counted() -> float:
            result = api(prometheus, "/api/v1/query", query=query)["result"]
            return float(result[0]["value"][1]) if result else 0.0

        assert wait_until(counted, timeout=30, interval=0.5, describe=query) >= 1

        def total(expr: str) -> float:
            result = api(prometheus, "/api/v1/query", query=expr)["result"]
            return float(result[0]["value"][1]) if result else 0.0

        assert total('sum(events_appended_total{service="organization"})') >= 1
        # the relay publishes the bureau's events (the account category stays off)
        wait_until(
            lambda: total("sum(relay_published_total)") >= 1,
            timeout=30,
            interval=0.5,
            describe="relay_published_total",
        )
        assert set(health().values()) == {"up"}
        # every metric the rules read is exported by some process (no silent drift)
        # (a counter's family is named without `_total` when Prometheus scraped
        # the OpenMetrics format, with it from the text format)
        families = set(api(prometheus, "/api/v1/metadata"))
        exported = families | {f"{name}_total" for name in families}
        assert rule_metrics() - exported == set()
        # one log per process beside honcho's
        logs = {log.stem for log in (system.run_dir / "log").glob("*.log")}
        assert set(system.targets) | {"honcho"} <= logs

    def test_the_services_and_followers_answer_ready_on_their_metrics_ports(
        self, system: System
    ) -> None:
        expected = {
            "organization": {"rabbitmq", "eventstore"},
            "relay": {"rabbitmq", "eventstore"},
            "projector": {"eventstore", "readmodel"},
        }
        for name, dependencies in expected.items():
            url = f"http://127.0.0.1:{system.targets[name]}/ready"
            with urllib.request.urlopen(url, timeout=10) as response:
                body = json.load(response)
            assert response.status == 200, (name, body)
            assert body["status"] == "ready"
            assert body["dependencies"] == {
                dependency: {"status": "ok"} for dependency in dependencies
            }

    def test_a_crashed_service_is_restarted_and_the_rest_keep_running(
        self, system: System
    ) -> None:
        def organization_pids() -> list[int]:
            marker = f"RUN_DIR={system.env['RUN_DIR']}".encode()
            found = []
            for proc in Path("/proc").iterdir():
                try:
                    cmdline = (proc / "cmdline").read_bytes()
                    environ = (proc / "environ").read_bytes()
                except (OSError, ValueError):
                    continue
                if (
                    b"services.organization.service" in cmdline
                    and b"supervise" not in cmdline
                    and marker in environ.split(b"\0")
                ):
                    found.append(int(proc.name))
            return found

        port = system.targets["organization"]
        [victim] = organization_pids()
        os.kill(victim, signal.SIGKILL)
        wait_until(
            lambda: (
                organization_pids() not in ([], [victim])
                and answers(f"http://127.0.0.1:{port}/health")
            ),
            timeout=60,
            interval=0.5,
            describe=lambda: f"organization back on :{port}\n{system.logs()}",
        )
        gateway = system.targets["gateway"]
        assert answers(f"http://127.0.0.1:{gateway}/health")
        log = (system.run_dir / "log" / "organization.log").read_text()
        assert "restarting in" in log
