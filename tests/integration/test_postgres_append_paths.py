"""Both append paths of the PostgreSQL store write the same chain and refuse the same
races: the store chains hashes itself when it knows the stream's head, and asks the
database to when it does not (a store that never read the stream)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import pytest

from eventing.errors import WrongExpectedVersion
from eventing.events import NO_STREAM, Metadata, NewEvent, load_json
from eventing.store import postgres
from eventing.store.postgres import PostgresEventStore

META = Metadata(service="complaints", bureau_id="b01", actor="tester")


@pytest.fixture
def stores(store_db: str) -> Iterator[tuple[PostgresEventStore, PostgresEventStore]]:
    first, second = PostgresEventStore(store_db), PostgresEventStore(store_db)
    yield first, second
    first.close()
    second.close()


def batch(*types: str) -> list[NewEvent]:
    return [NewEvent(t, {"t": t}) for t in types]


class TestTwoStoresOnOneStream:
    def test_appends_through_either_path_form_one_intact_chain(self, stores):
        a, b = stores
        stream = f"complaint-{uuid.uuid4()}"
        a.append(stream, batch("E1"), NO_STREAM, META)  # new stream: chained here
        b.append(
            stream, batch("E2"), 1, META
        )  # b never saw it: chained by the database
        b.append(stream, batch("E3", "E4"), 2, META)  # b knows the head now
        a.append(stream, batch("E5", "E6"), 4, META)  # a's head is stale: database
        stored = a.read_stream(stream)
        assert [e.type for e in stored] == ["E1", "E2", "E3", "E4", "E5", "E6"]
        assert [e.version for e in stored] == [1, 2, 3, 4, 5, 6]
        assert [e.prev_hash for e in stored[1:]] == [e.hash for e in stored[:-1]]
        assert a.verify().ok

    def test_a_store_with_a_stale_head_loses_the_race_cleanly(self, stores):
        a, b = stores
        stream = f"complaint-{uuid.uuid4()}"
        a.append(stream, batch("E1"), NO_STREAM, META)
        b.append(stream, batch("Other"), 1, META)
        with pytest.raises(WrongExpectedVersion) as raised:
            a.append(stream, batch("Mine"), 1, META)  # a still believes version 1
        assert raised.value.actual == 2
        assert [e.type for e in a.read_stream(stream)] == ["E1", "Other"]

    @pytest.mark.parametrize("size", [1, 3])
    def test_an_append_ahead_of_the_stream_is_refused_on_either_path(
        self, stores, size
    ):
        a, b = stores
        stream = f"complaint-{uuid.uuid4()}"
        a.append(stream, batch("E1"), NO_STREAM, META)
        with pytest.raises(WrongExpectedVersion) as raised:
            b.append(stream, batch(*[f"X{i}" for i in range(size)]), 5, META)
        assert raised.value.actual == 1
        assert b.stream_version(stream) == 1


def test_many_writers_at_any_version_on_one_stream_all_get_in(store_db: str) -> None:
    """A busy stream written at "any version" (a ballot box) never refuses a writer
    because another one came first: every append lands, in one intact chain."""
    store = PostgresEventStore(store_db, pool_size=16)
    try:
        stream = f"box-{uuid.uuid4().hex}"
        meta = Metadata(service="t", bureau_id="b01", actor="anonymous")
        failures: list[BaseException] = []

        def write() -> None:
            for _ in range(15):
                try:
                    store.append(stream, [NewEvent("BallotSealed", {})], None, meta)
                except BaseException as error:
                    failures.append(error)

        threads = [threading.Thread(target=write) for _ in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        envelopes = store.read_stream(stream)
        assert [e.version for e in envelopes] == list(range(1, 16 * 15 + 1))
        assert store.verify().ok
    finally:
        store.close()


def test_payloads_read_back_decode_through_load_json(
    store_db: str, monkeypatch: pytest.MonkeyPatch
):
    """Every connection of the store decodes JSON with load_json (json.loads' value
    without its Python steps): reads and the audit's walk over every stream."""
    decoded: list[bytes] = []

    def counting(raw: bytes | str) -> object:
        decoded.append(raw if isinstance(raw, bytes) else raw.encode())
        return load_json(raw)

    monkeypatch.setattr(postgres, "load_json", counting)
    store = PostgresEventStore(store_db)
    try:
        data = {"title": '窗口 "慢"', "n": [1, 2.5, None, 10**30], "nested": {"b": 1}}
        store.append("ledger-json1", [NewEvent("ProblemLogged", data)], NO_STREAM, META)
        assert store.read_stream("ledger-json1")[0].data == data
        assert decoded, "read without load_json"
        decoded.clear()
        assert store.verify().ok
        assert decoded, "the audit's walk read without load_json"
    finally:
        store.close()
