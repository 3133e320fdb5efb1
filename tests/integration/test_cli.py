"""Operator commands as an operator runs them: python -m eventing verify | tail."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid

import psycopg
import pytest

from eventing.events import NO_STREAM, Metadata, NewEvent
from eventing.store.postgres import PostgresEventStore
from tests.support.processes import REPO, child_env

pytestmark = pytest.mark.integration


def eventing(store_db: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "eventing", *args],
        env=child_env({"EVENTSTORE_URI": store_db, "LOG_LEVEL": "WARNING"}),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def stream(store_db: str) -> str:
    store = PostgresEventStore(store_db)
    name = f"complaint-{uuid.uuid4()}"
    try:
        store.append(
            name,
            [
                NewEvent("ComplaintReceived", {"text": "窗口无人"}),
                NewEvent("Accepted", {}),
            ],
            NO_STREAM,
            Metadata(service="complaints", bureau_id="b01", actor="clerk"),
        )
    finally:
        store.close()
    return name


class TestVerify:
    def test_an_intact_store_verifies_with_exit_code_zero(self, store_db, stream):
        result = eventing(store_db, "verify")
        assert result.returncode == 0, result.stderr
        assert "verified 1 streams, 2 events: intact" in result.stdout

    def test_an_edited_event_is_named_and_fails_the_command(self, store_db, stream):
        with psycopg.connect(store_db, autocommit=True) as conn:
            conn.execute(
                """UPDATE eventing.events SET data = '{"text": "已处理"}'
                   WHERE stream = %s AND version = 1""",
                (stream,),
            )
        result = eventing(store_db, "verify")
        assert result.returncode == 1
        assert f"BROKEN {stream} at version 1" in result.stdout


class TestTail:
    def test_tail_prints_stored_events_as_json_lines(self, store_db, stream):
        process = subprocess.Popen(
            [sys.executable, "-m", "eventing", "tail", "--from-start", "--json"],
            env=child_env({"EVENTSTORE_URI": store_db, "LOG_LEVEL": "WARNING"}),
            cwd=REPO,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert process.stdout is not None
            lines = [json.loads(process.stdout.readline()) for _ in range(2)]
        finally:
            process.terminate()
            process.wait(10)
        assert [line["type"] for line in lines] == ["ComplaintReceived", "Accepted"]
        assert lines[0]["data"] == {"text": "窗口无人"}
        assert process.returncode == 0
