"""EventStoreDB adapter under faults, against the test double: typed errors, bounded
retries, no hang; a dropped subscription resumes with nothing lost or doubled."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import pytest

from eventing.errors import StoreUnavailable
from eventing.events import NO_STREAM, Envelope, Metadata, NewEvent
from eventing.store import open_store
from eventing.store.esdb import EsdbEventStore
from tests.esdb_server import EsdbTestServer
from tests.support.processes import free_port
from tests.support.waiting import wait_until

META = Metadata(service="complaints", bureau_id="b1", actor="tester")


@pytest.fixture
def esdb_server() -> Iterator[EsdbTestServer]:
    server = EsdbTestServer().start()
    yield server
    server.stop()


def stream() -> str:
    return f"complaint-{uuid.uuid4()}"


@pytest.mark.parametrize("scheme", ["esdb", "esdb+discover"])
def test_an_unreachable_server_at_start_is_a_quick_typed_error(scheme: str) -> None:
    started = time.monotonic()
    with pytest.raises(StoreUnavailable):
        open_store(f"{scheme}://127.0.0.1:{free_port()}?Tls=false")
    assert time.monotonic() - started < 10


def test_the_cluster_uri_discovers_the_node_through_gossip(
    esdb_server: EsdbTestServer,
) -> None:
    store = open_store(esdb_server.discover_uri)
    try:
        name = stream()
        store.append(name, [NewEvent("Received", {})], NO_STREAM, META)
        assert [e.type for e in store.read_stream(name)] == ["Received"]
        assert esdb_server.calls.get("Gossip", 0) >= 1
    finally:
        store.close()


def test_a_deadline_exceeded_append_is_a_bounded_typed_error_and_never_doubled(
    esdb_server: EsdbTestServer,
) -> None:
    store = EsdbEventStore(esdb_server.uri, timeout=0.3, retries=1)
    try:
        name = stream()
        event = NewEvent("Received", {})
        esdb_server.append_delay = 1.0
        started = time.monotonic()
        with pytest.raises(StoreUnavailable):
            store.append(name, [event], NO_STREAM, META)
        assert time.monotonic() - started < 5
        esdb_server.append_delay = 0.0
        # every attempt carried the same event id at the same revision: at most one
        # of them is stored, however many reached the server late
        wait_until(lambda: store.stream_version(name) == 1, timeout=10)
        time.sleep(1.5)
        stored = store.read_stream(name)
        assert [e.event_id for e in stored] == [event.event_id]
    finally:
        store.close()


def test_a_dropped_subscription_resumes_from_its_position_without_loss_or_double(
    esdb_server: EsdbTestServer,
) -> None:
    store = EsdbEventStore(esdb_server.uri)
    seen: list[Envelope] = []
    stop = threading.Event()

    def follow() -> None:
        for batch in store.subscribe_batches(0, stop=stop.is_set, idle_wait=0.1):
            seen.extend(batch)

    thread = threading.Thread(target=follow)
    thread.start()
    try:
        for n in range(5):
            store.append(stream(), [NewEvent("Before", {"n": n})], NO_STREAM, META)
        wait_until(lambda: len(seen) >= 5, timeout=10)
        subscriptions = esdb_server.calls.get("SubscribeAll", 0)
        esdb_server.drop_subscriptions()
        for n in range(5):
            store.append(stream(), [NewEvent("After", {"n": n})], NO_STREAM, META)
        wait_until(lambda: len(seen) >= 10, timeout=10)
        time.sleep(0.5)  # anything doubled would show by now
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()
    assert esdb_server.calls.get("SubscribeAll", 0) > subscriptions  # it reconnected
    assert [e.type for e in seen] == ["Before"] * 5 + ["After"] * 5
    positions = [e.position for e in seen]
    assert positions == sorted(set(positions))
    store.close()


def test_a_subscription_filters_by_category_and_bureau_server_and_client_side(
    esdb_server: EsdbTestServer,
) -> None:
    store = EsdbEventStore(esdb_server.uri)
    other = Metadata(service="complaints", bureau_id="b2")
    store.append(stream(), [NewEvent("C1", {})], NO_STREAM, META)
    store.append(f"ledgeritem-{uuid.uuid4()}", [NewEvent("L1", {})], NO_STREAM, META)
    store.append(stream(), [NewEvent("C2", {})], NO_STREAM, other)
    store.append(stream(), [NewEvent("C3", {})], NO_STREAM, META)
    stop = threading.Event()
    seen: list[str] = []
    for batch in store.subscribe_batches(
        0, categories=["complaint"], bureau_id="b1", stop=stop.is_set, idle_wait=0.1
    ):
        seen.extend(e.type for e in batch)
        if len(seen) >= 2:
            stop.set()
    assert seen == ["C1", "C3"]
    store.close()
