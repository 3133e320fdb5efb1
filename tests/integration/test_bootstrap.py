"""An operator's first start: the bootstrap command imports a chart and opens the
administrator, through the running organization service; running it again is safe."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from tests.support.fixtures import processes  # noqa: F401 - fixture by name
from tests.support.nameko_run import NamekoServices
from tests.support.processes import Processes

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

REPO = Path(__file__).resolve().parents[2]


def bootstrap(amqp_uri: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "services.organization.bootstrap", *args],
        cwd=REPO,
        env={
            "AMQP_URI": amqp_uri,
            "BOOTSTRAP_PASSWORD": "First-start-2026!",
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


def test_without_the_service_it_says_so(amqp_uri: str) -> None:
    answer = bootstrap(
        amqp_uri, "--bureau", "b07", "--sample", "--admin", "x", "--person", "b07.1"
    )
    assert answer.returncode == 2
    assert "not running" in answer.stderr
