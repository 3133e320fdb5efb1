"""The event store contract against the EventStoreDB adapter.

TestEsdbEventStore runs it through esdbclient's real gRPC code against the in-process
test double of EventStoreDB (tests/esdb_server), a fresh server per test.
TestEsdbEventStoreRealServer runs the same contract against a real EventStoreDB when
EVENTSTORE_URI is an esdb:// or esdb+discover:// URI (skipped otherwise); each test
works in a fresh namespace of stream names, so the shared server's other streams do
not show.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from esdbclient import EventStoreDBClient, StreamState
from esdbclient import NewEvent as EsdbNewEvent
from esdbclient.exceptions import GrpcError, WrongCurrentVersion

from eventing.errors import AppendTooLarge, EventTooLarge
from eventing.events import NO_STREAM, Metadata, NewEvent
from eventing.store.esdb import EsdbEventStore
from tests.contract.event_store_contract import EventStoreContract, SettableClock
from tests.esdb_server import EsdbTestServer

REAL_URI = os.environ.get("EVENTSTORE_URI", "")


@pytest.fixture
def esdb_server() -> Iterator[EsdbTestServer]:
    server = EsdbTestServer().start()
    yield server
    server.stop()


class TestEsdbEventStore(EventStoreContract):
    @pytest.fixture
    def store(
        self, clock: SettableClock, esdb_server: EsdbTestServer
    ) -> Iterator[EsdbEventStore]:
        store = EsdbEventStore(esdb_server.uri, clock=clock, max_event_bytes=64 * 1024)
        self.server = esdb_server
        yield store
        store.close()

    def tamper_edit(self, store, stream, version):  # type: ignore[no-untyped-def]
        self.server.edit_event(stream, version - 1, b'{"n":99}')

    def tamper_delete(self, store, stream, version):  # type: ignore[no-untyped-def]
        self.server.delete_event(stream, version - 1)


@pytest.mark.skipif(
    not REAL_URI.startswith("esdb"),
    reason="EVENTSTORE_URI is not an esdb:// URI (a real EventStoreDB)",
)
class TestEsdbEventStoreRealServer(EventStoreContract):
    @pytest.fixture
    def store(self, clock: SettableClock) -> Iterator[EsdbEventStore]:
        namespace = f"t{uuid.uuid4().hex[:12]}_"
        store = EsdbEventStore(
            REAL_URI, clock=clock, max_event_bytes=64 * 1024, namespace=namespace
        )
        yield store
        store.close()

    def tamper_edit(self, store, stream, version):  # type: ignore[no-untyped-def]
        pytest.skip("a real EventStoreDB cannot edit a stored event")

    def tamper_delete(self, store, stream, version):  # type: ignore[no-untyped-def]
        pytest.skip("a real EventStoreDB cannot delete one event of a stream")


class TestEsdbBatchedAppend:
    """EventStoreDB answers an append with the last event's position only; the
    others cost a read of the stream, made only when someone asks for them."""

    def test_a_batch_is_one_call_and_its_positions_are_read_when_asked(
        self, esdb_server: EsdbTestServer, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        store = EsdbEventStore(esdb_server.uri)
        reads: list[str] = []
        get_stream = store._client.get_stream

        def counted(name: str, **kwargs: object) -> object:
            reads.append(name)
            return get_stream(name, **kwargs)

        monkeypatch.setattr(store._client, "get_stream", counted)
        try:
            batch = [NewEvent(t, {"n": i}) for i, t in enumerate(["Opened", "Noted"])]
            result = store.append(
                "ledger_item-b01.1", batch, NO_STREAM, Metadata("ledger")
            )
            assert reads == []
            assert result.version == 2 and result.types == ["Opened", "Noted"]
            last = result.last_position
            assert reads == []
            assert result.positions[-1] == last and result.positions[0] < last
            assert reads == ["ledger_item-b01.1"]
            assert result.positions == [
                e.position for e in store.read_stream("ledger_item-b01.1")
            ]
        finally:
            store.close()


class TestTheDoublesSingleEventAppend:
    """esdbclient sends a lone NewEvent (not a list) through the Append RPC, not
    BatchAppend. The adapter never does, but the double must still answer it as the
    real server does: it used to fail every such call."""

    def test_revisions_positions_and_wrong_versions(
        self, esdb_server: EsdbTestServer
    ) -> None:
        client = EventStoreDBClient(esdb_server.uri)
        try:

            def one(stream: str, current: int | StreamState) -> int:
                event = EsdbNewEvent(type="NoteAdded", data=b"{}")
                return client.append_to_stream(
                    stream, current_version=current, events=event
                )

            first = one("note-1", StreamState.NO_STREAM)
            second = one("note-1", 0)
            assert 0 < first < second
            assert client.get_current_version("note-1") == 1
            assert one("note-1", StreamState.ANY) > second
            assert one("note-1", StreamState.EXISTS) > second
            with pytest.raises(WrongCurrentVersion, match="last event is 3 not 0"):
                one("note-1", 0)
            with pytest.raises(WrongCurrentVersion, match="last event is 3"):
                one("note-1", StreamState.NO_STREAM)
            with pytest.raises(WrongCurrentVersion, match="does not exist"):
                one("note-2", 5)
            assert esdb_server.calls.get("Append") == 7
            assert not esdb_server.calls.get("BatchAppend")
        finally:
            client.close()


class TestTheServersAppendSizeLimit:
    """EventStoreDB refuses an append over its MaxAppendSize (1 MiB by default),
    counting each event's data, metadata and twice its type's length. The adapter
    answers that with AppendTooLarge, an EventTooLarge (which the services turn into
    a 4xx), not with esdbclient's own exception; nothing is written."""

    def test_a_batch_over_the_limit_is_refused_typed_and_writes_nothing(self) -> None:
        with EsdbTestServer(max_append_size=4096) as server:
            store = EsdbEventStore(server.uri)
            try:
                batch = [
                    NewEvent("NoteAdded", {"text": "x" * 200, "n": n})
                    for n in range(20)
                ]
                with pytest.raises(AppendTooLarge) as refused:
                    store.append("note-1", batch, NO_STREAM, Metadata("ledger"))
                error = refused.value
                assert isinstance(error, EventTooLarge)
                assert error.code == "append_too_large"
                assert (error.count, error.limit) == (20, 4096)
                assert 4096 < error.size < 20 * 1000
                assert "20 event(s)" in str(error) and "4096" in str(error)
                assert store.stream_version("note-1") == 0
                assert server.snapshot() == []
                # its events were not written, so their ids are still free
                result = store.append(
                    "note-1", batch[:3], NO_STREAM, Metadata("ledger")
                )
                assert result.version == 3
            finally:
                store.close()

    def test_at_the_default_limit_an_event_of_the_largest_payload_is_refused(
        self, esdb_server: EsdbTestServer
    ) -> None:
        """The port lets a payload be 1 MiB (max_event_bytes); its metadata takes
        the append over the server's default 1 MiB."""
        store = EsdbEventStore(esdb_server.uri)
        try:
            blob = "x" * (store.max_event_bytes - 20)
            event = NewEvent("Attached", {"blob": blob})
            with pytest.raises(AppendTooLarge) as refused:
                store.append("note-2", [event], NO_STREAM, Metadata("ledger"))
            assert refused.value.limit == 1024 * 1024
            assert store.read_stream("note-2") == []
        finally:
            store.close()

    def test_the_double_answers_the_append_call_as_the_server_does(
        self, esdb_server: EsdbTestServer
    ) -> None:
        """esdbclient sends a lone event through Append: refused with the status
        and trailers the real server sends; nothing is written."""
        client = EventStoreDBClient(esdb_server.uri)
        try:
            event = EsdbNewEvent(type="Attached", data=b"x" * (1024 * 1024))
            with pytest.raises(GrpcError) as refused:  # esdbclient's, for this call
                client.append_to_stream(
                    "note-3", current_version=StreamState.NO_STREAM, events=event
                )
            assert "INVALID_ARGUMENT" in repr(refused.value)
            assert "Maximum Append Size of 1048576 Exceeded" in repr(refused.value)
            assert esdb_server.snapshot() == []
        finally:
            client.close()
