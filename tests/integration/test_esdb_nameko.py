"""A Nameko service appending through the EventStoreDB adapter keeps serving RPCs.

grpc blocks the eventlet hub when called from a green thread; the adapter runs its
gRPC calls in real OS threads in a green process. Proof: a real `nameko run` service
(on RabbitMQ) appends to the EventStoreDB test double while the double holds every
append for a few seconds; meanwhile another RPC to the same process is answered at
once, and concurrent slow appends overlap instead of queueing behind each other.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from nameko.rpc import rpc
from nameko.standalone.rpc import ClusterRpcProxy

from eventing.events import Metadata, NewEvent
from eventing.nameko import EventStoreProvider
from eventing.store import EventStore
from tests.support.fixtures import processes  # noqa: F401 - fixture by name
from tests.support.nameko_run import NamekoServices
from tests.support.processes import Processes
from tests.support.waiting import wait_until

if TYPE_CHECKING:
    # not at run time: `nameko run` imports this module, and in its green process
    # grpc must first be imported by eventing.store.esdb (see there)
    from tests.esdb_server import EsdbTestServer

pytestmark = pytest.mark.integration

SERVICE = "tests.integration.test_esdb_nameko:EsdbProbeService"
DELAY = 3.0


class EsdbProbeService:
    """Run by `nameko run` with EVENTSTORE_URI=esdb://... (the test double)."""

    name = "esdbprobe"
    store: EventStore = EventStoreProvider()

    @rpc
    def append(self, key: str) -> int:
        result = self.store.append(
            f"probe-{key}",
            [NewEvent("Probed", {"key": key})],
            None,
            Metadata(service="esdbprobe", bureau_id="b1", actor="tester"),
        )
        return result.last_position

    @rpc
    def ping(self) -> str:
        return "pong"


@pytest.fixture
def esdb_server() -> Iterator[EsdbTestServer]:
    from tests.esdb_server import EsdbTestServer

    server = EsdbTestServer().start()
    yield server
    server.stop()


@pytest.fixture
def probe(
    processes: Processes,  # noqa: F811
    tmp_path: Path,
    amqp_uri: str,
    esdb_server: EsdbTestServer,
) -> Iterator[Any]:
    NamekoServices(processes, tmp_path, esdb_server.uri, amqp_uri).start(
        SERVICE, "rpc-esdbprobe"
    )
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=60) as proxy:
        yield proxy.esdbprobe


def test_a_slow_append_does_not_stop_the_service_answering(
    probe: Any, esdb_server: EsdbTestServer
) -> None:
    assert probe.append("warm") > 0
    appends_before = esdb_server.calls.get("BatchAppend", 0)
    esdb_server.append_delay = DELAY
    started = time.monotonic()
    slow = [probe.append.call_async(f"slow{n}") for n in range(3)]
    wait_until(
        lambda: esdb_server.calls.get("BatchAppend", 0) >= appends_before + 3,
        timeout=10,
        describe="three appends to reach the server",
    )
    asked = time.monotonic()
    assert probe.ping() == "pong"
    answered = time.monotonic() - asked
    positions = [reply.result() for reply in slow]
    total = time.monotonic() - started
    assert answered < 1.0, f"ping waited {answered:.2f}s behind a slow append"
    assert len(set(positions)) == 3
    assert total >= DELAY
    # three appends of DELAY each overlapped: sequential would be 3 * DELAY
    assert total < 2 * DELAY, f"appends took {total:.2f}s: they ran one at a time"


def test_the_services_run_on_eventstoredb_with_their_keys_in_postgresql(
    processes: Processes,  # noqa: F811
    tmp_path: Path,
    amqp_uri: str,
    readmodel_db: str,
    esdb_server: EsdbTestServer,
) -> None:
    """`migrate` and the complaints service with EVENTSTORE_URI=esdb://: events go
    to EventStoreDB, the reporter's key to the read-model database (the default of
    KEYS_DATABASE_URL there), and the report is filed and followed."""
    import os
    import subprocess
    import sys

    import psycopg

    from tests.integration.test_complaints_rpc import (
        REPORT,
        STAFF,
        organization_and_complaints,
    )

    env = {
        **os.environ,
        "EVENTSTORE_URI": esdb_server.uri,
        "READMODEL_DATABASE_URL": readmodel_db,
    }
    env.pop("KEYS_DATABASE_URL", None)
    migrated = subprocess.run(
        [sys.executable, "-m", "eventing", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert migrated.returncode == 0, migrated.stderr
    services = NamekoServices(processes, tmp_path, esdb_server.uri, amqp_uri)
    config = {"READMODEL_DATABASE_URL": readmodel_db, "BLOB_DIR": str(tmp_path)}
    with organization_and_complaints(services, config) as proxy:
        filed = proxy.complaints.receive_complaint(REPORT, STAFF)
        followed = proxy.complaints.follow_complaint(
            {"receipt_code": filed["receipt_code"]},
            {"bureau_id": "b01", "actor": "public"},
        )
    assert followed["state"] == "received"
    complaint_id = filed["complaint"]["complaint_id"]
    assert esdb_server.stream_records(f"complaint-{complaint_id}")
    with psycopg.connect(readmodel_db) as conn:
        keys = conn.execute("SELECT count(*) FROM reporter_keys").fetchone()
    assert keys == (1,)
