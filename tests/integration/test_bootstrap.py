"""An operator's first start: the bootstrap command imports a chart and opens the
administrator, through the running organization service; running it again is safe."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import kombu
import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from tests.support.fixtures import processes  # noqa: F401 - fixture by name
from tests.support.nameko_run import NamekoServices
from tests.support.processes import Processes

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

REPO = Path(__file__).resolve().parents[2]


def bootstrap(
    amqp_uri: str, *args: str, probe_seconds: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "services.organization.bootstrap", *args],
        cwd=REPO,
        env={
            "AMQP_URI": amqp_uri,
            "BOOTSTRAP_PASSWORD": "First-start-2026!",
            "BOOTSTRAP_PROBE_SECONDS": probe_seconds,
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_first_administrator_signs_in_and_a_rerun_changes_nothing(
    processes: Processes,  # noqa: F811
    tmp_path: Path,
    store_db: str,
    amqp_uri: str,
) -> None:
    NamekoServices(processes, tmp_path, store_db, amqp_uri).start(
        "services.organization.service", "rpc-organization"
    )
    args = ("--bureau", "b07", "--sample", "--admin", "chief", "--person", "b07.001001")
    first = bootstrap(amqp_uri, *args)
    assert first.returncode == 0, first.stderr
    assert "opened with bureau_admin" in first.stdout
    again = bootstrap(amqp_uri, *args)
    assert again.returncode == 0, again.stderr
    assert "exists" in again.stdout
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=30) as rpc:
        principal = rpc.organization.verify_credentials(
            {"username": "chief", "password": "First-start-2026!"}, None
        )
    assert principal["bureau_id"] == "b07"
    assert "bureau_admin" in principal["roles"]


ARGS = ("--bureau", "b07", "--sample", "--admin", "x", "--person", "b07.1")


def test_a_service_never_started_is_said_to_be_not_running(
    module_amqp_uri: str,
) -> None:
    # a vhost of its own: no service ever declared its queue there
    answer = bootstrap(module_amqp_uri, *ARGS)
    assert answer.returncode == 2
    assert "not running" in answer.stderr


def test_a_stopped_service_is_said_to_be_not_answering_after_the_probe_time(
    module_amqp_uri: str,
) -> None:
    # its queue is there, as a service that ran and stopped leaves it; nobody reads it
    with kombu.Connection(module_amqp_uri) as connection:
        kombu.Queue(
            "rpc-organization",
            kombu.Exchange("nameko-rpc", type="topic", durable=True),
            routing_key="organization.*",
            durable=True,
        )(connection.default_channel).declare()
    started = time.monotonic()
    answer = bootstrap(module_amqp_uri, *ARGS, probe_seconds="1.5")
    assert answer.returncode == 2
    assert "not running or not answering" in answer.stderr
    assert time.monotonic() - started < 12  # the default probe would wait 15 s


def test_a_probe_time_that_is_not_seconds_is_refused(module_amqp_uri: str) -> None:
    answer = bootstrap(module_amqp_uri, *ARGS, probe_seconds="soon")
    assert answer.returncode == 1
    assert "BOOTSTRAP_PROBE_SECONDS" in answer.stderr
