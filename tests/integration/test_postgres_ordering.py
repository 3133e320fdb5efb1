"""A follower of the PostgreSQL store never skips an event that commits late."""

from __future__ import annotations

import random
import threading
import uuid
from collections.abc import Iterator

import psycopg
import pytest

from eventing.events import NO_STREAM, Metadata, NewEvent
from eventing.store.postgres import PostgresEventStore

META = Metadata(service="complaints", bureau_id="bureau-a", actor="tester")

RAW_INSERT = """
INSERT INTO eventing.events (position, stream, category, version, event_id, type,
    schema_version, service, recorded_at, data, prev_hash, hash)
VALUES (pg_current_xact_id()::text::bigint * 1048576 + 1, %s, 'slow', 1, %s,
    'SlowWritten', 1, 'complaints', now(), '{}', '\\x00'::bytea, '\\x00'::bytea)
RETURNING position
"""


@pytest.fixture
def store(store_db: str) -> Iterator[PostgresEventStore]:
    store = PostgresEventStore(store_db, pool_size=4)
    yield store
    store.close()


def all_positions(conninfo: str) -> list[int]:
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute("SELECT position FROM eventing.events ORDER BY position")
        return [row[0] for row in rows]


class TestAnOpenTransactionHoldsFollowersBack:
    def test_an_event_committed_after_a_later_one_is_still_read_in_order(
        self, store: PostgresEventStore, store_db: str
    ):
        slow = psycopg.connect(store_db)  # a transaction that takes its id first
        try:
            slow_position = slow.execute(
                RAW_INSERT, (f"slow-{uuid.uuid4()}", str(uuid.uuid4()))
            ).fetchone()[0]  # type: ignore[index]
            fast = store.append(
                f"complaint-{uuid.uuid4()}", [NewEvent("Fast", {})], NO_STREAM, META
            )
            assert fast.last_position > slow_position
            # A reader going by position alone would now pass the slow event for good.
            assert store.read_all(0) == []
            slow.commit()
        finally:
            slow.close()
        assert [e.type for e in store.read_all(0)] == ["SlowWritten", "Fast"]

    def test_head_stays_below_an_open_transaction(
        self, store: PostgresEventStore, store_db: str
    ):
        first = store.append(
            f"complaint-{uuid.uuid4()}", [NewEvent("Before", {})], NO_STREAM, META
        )
        with psycopg.connect(store_db) as slow:
            slow.execute(RAW_INSERT, (f"slow-{uuid.uuid4()}", str(uuid.uuid4())))
            after = store.append(
                f"complaint-{uuid.uuid4()}", [NewEvent("After", {})], NO_STREAM, META
            )
            assert store.head() == first.last_position
            # what a writer hands back to read its own write covers its event
            assert store.latest() >= after.last_position
            slow.rollback()
        assert [e.type for e in store.read_all(0)] == ["Before", "After"]


class TestConcurrentWritersAndAFollower:
    def test_the_follower_sees_exactly_the_final_table_order(self, store_db: str):
        writers, appends_each = 4, 150
        stop = threading.Event()  # writers are done
        drained = threading.Event()  # every writer, slow ones too, has finished
        errors: list[BaseException] = []
        seen: list[int] = []

        def write(n: int) -> None:
            store = PostgresEventStore(store_db, pool_size=1)
            rng = random.Random(n)
            try:
                for i in range(appends_each):
                    size = rng.choice([1, 1, 2, 3])
                    batch = [
                        NewEvent("Written", {"w": n, "i": i, "k": k})
                        for k in range(size)
                    ]
                    store.append(f"complaint-{n}-{i}", batch, NO_STREAM, META)
            except BaseException as error:
                errors.append(error)
            finally:
                store.close()

        def slow_write() -> None:
            # transactions that hold an id while others commit: the dangerous case
            with psycopg.connect(store_db) as conn:
                while not stop.is_set():
                    conn.execute(
                        RAW_INSERT, (f"slow-{uuid.uuid4()}", str(uuid.uuid4()))
                    )
                    conn.execute("SELECT pg_sleep(0.02)")
                    conn.commit()

        def follow() -> None:
            store = PostgresEventStore(store_db, pool_size=1)
            last = 0
            try:
                while not drained.is_set() or last < store.head():
                    batch = store.read_all(last, 200)
                    if batch:
                        seen.extend(e.position for e in batch)
                        last = batch[-1].position
            finally:
                store.close()

        threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
        slow = threading.Thread(target=slow_write)
        follower = threading.Thread(target=follow)
        for thread in [slow, follower, *threads]:
            thread.start()
        for thread in threads:
            thread.join(120)
        stop.set()
        slow.join(30)
        drained.set()
        follower.join(60)
        assert not errors
        final = all_positions(store_db)
        assert len(final) > writers * appends_each
        assert seen == final
