"""deploy/scripts/check-deploy.sh passes on deploy/ and refuses broken copies of it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.processes import REPO

CHECK = REPO / "deploy" / "scripts" / "check-deploy.sh"
ENSURE = REPO / "deploy" / "scripts" / "ensure-tools.sh"


@pytest.fixture(scope="module", autouse=True)
def tools() -> None:
    done = subprocess.run(
        ["bash", str(ENSURE)], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout + done.stderr


def check(deploy: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = None if deploy is None else {**os.environ, "DEPLOY_DIR": str(deploy)}
    return subprocess.run(
        ["bash", str(CHECK)], capture_output=True, text=True, timeout=300, env=env
    )


@pytest.fixture
def deploy_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "deploy"
    shutil.copytree(REPO / "deploy", copy)
    return copy


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


class TestDeployChecks:
    def test_the_repositorys_deploy_directory_passes_every_check(self):
        done = check()
        assert done.returncode == 0, done.stdout + done.stderr
        for step in ("test rules", "compose-spec", "kubernetes-validate", "grafana"):
            assert step in done.stdout
        assert "deploy checks passed" in done.stdout

    def test_a_rule_file_with_a_broken_expression_is_refused(self, deploy_copy):
        edit(
            deploy_copy / "prometheus" / "rules" / "alerts.yml",
            "expr: up == 0",
            "expr: up == == 0",
        )
        done = check(deploy_copy)
        assert done.returncode != 0
        assert "alerts.yml" in done.stdout + done.stderr

    def test_a_rule_change_that_breaks_its_unit_test_is_refused(self, deploy_copy):
        edit(
            deploy_copy / "prometheus" / "rules" / "alerts.yml",
            "expr: follower:follower_lag_seconds:max > 60",
            "expr: follower:follower_lag_seconds:max > 600",
        )
        done = check(deploy_copy)
        assert done.returncode != 0
        output = done.stdout + done.stderr
        assert "FAILED" in output
        assert "a relay more than a minute behind" in output

    def test_a_compose_file_off_the_compose_specification_is_refused(self, deploy_copy):
        edit(
            deploy_copy / "docker-compose.yml",
            "stop_grace_period: 30s",
            "stop_grace_period: [30]",
        )
        done = check(deploy_copy)
        assert done.returncode != 0
        assert "stop_grace_period" in done.stderr

    def test_a_compose_service_depending_on_a_missing_one_is_refused(self, deploy_copy):
        edit(
            deploy_copy / "docker-compose.yml",
            "      postgres:\n        condition: service_healthy",
            "      postgress:\n        condition: service_healthy",
        )
        done = check(deploy_copy)
        assert done.returncode != 0
        assert "no service 'postgress'" in done.stderr

    def test_a_manifest_with_a_field_kubernetes_does_not_know_is_refused(
        self, deploy_copy
    ):
        edit(
            deploy_copy / "k8s" / "relay.yaml",
            "  replicas: 1\n",
            "  replicas: 1\n  replica: 2\n",
        )
        done = check(deploy_copy)
        assert done.returncode != 0
        assert "relay.yaml" in done.stdout + done.stderr
