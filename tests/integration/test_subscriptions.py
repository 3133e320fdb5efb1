"""Checkpointed subscriptions: resume after a crash, never lose or double an event."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from eventing.events import NO_STREAM, Envelope, Metadata, NewEvent
from eventing.store.postgres import PostgresEventStore
from eventing.subscription import (
    PostgresCheckpoints,
    Subscription,
    TransactionalSubscription,
    exclusive,
)

META = Metadata(service="complaints", bureau_id="bureau-a", actor="tester")


@pytest.fixture
def store(store_db: str) -> Iterator[PostgresEventStore]:
    store = PostgresEventStore(store_db, pool_size=2)
    yield store
    store.close()


def append_many(store: PostgresEventStore, count: int) -> list[str]:
    ids = []
    for i in range(count):
        result = store.append(
            f"complaint-{uuid.uuid4()}",
            [NewEvent("Received", {"i": i})],
            NO_STREAM,
            META,
        )
        ids.append(result.envelopes[0].event_id)
    return ids


def run_until(subscription: Any, done: threading.Event, seconds: float = 30) -> None:
    stop = threading.Event()
    thread = threading.Thread(target=subscription.run, args=(stop,))
    thread.start()
    try:
        assert done.wait(seconds), "the subscription did not get there in time"
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()


class Crash(Exception):
    pass


class TestTransactionalSubscription:
    def test_rows_and_checkpoint_commit_together_so_a_crash_neither_loses_nor_doubles(
        self, store: PostgresEventStore, store_db: str
    ):
        with psycopg.connect(store_db, autocommit=True) as conn:
            conn.execute("CREATE TABLE seen (event_id uuid PRIMARY KEY)")
        ids = append_many(store, 30)
        crash_after = {"count": 12}
        done = threading.Event()

        def project(conn: psycopg.Connection[Any], batch: list[Envelope]) -> None:
            for envelope in batch:
                if crash_after["count"] == 0:
                    crash_after["count"] = -1
                    raise Crash("projector died mid-batch")
                crash_after["count"] -= 1
                conn.execute("INSERT INTO seen VALUES (%s)", (envelope.event_id,))
            if batch[-1].event_id == ids[-1]:
                done.set()

        first = TransactionalSubscription(
            "seen-view", store, store_db, project, batch_size=5
        )
        with pytest.raises(Crash):
            first.run(threading.Event())
        checkpoint = PostgresCheckpoints(store_db)
        assert checkpoint.load("seen-view") == first.position  # last committed batch
        second = TransactionalSubscription(
            "seen-view", store, store_db, project, batch_size=5
        )
        run_until(second, done)
        with psycopg.connect(store_db) as conn:
            rows = conn.execute("SELECT event_id::text FROM seen").fetchall()
        assert sorted(r[0] for r in rows) == sorted(ids)
        checkpoint.close()


class TestSubscription:
    def test_a_restarted_subscription_resumes_after_its_checkpoint(
        self, store: PostgresEventStore, store_db: str
    ):
        checkpoints = PostgresCheckpoints(store_db)
        handled: list[str] = []
        target = {"count": 5}
        done = threading.Event()

        def handle(batch: list[Envelope]) -> None:
            handled.extend(e.event_id for e in batch)
            if len(handled) >= target["count"]:
                done.set()

        first_ids = append_many(store, 5)
        run_until(Subscription("mailer", store, checkpoints, handle), done)
        assert handled == first_ids
        more_ids = append_many(store, 3)
        target["count"], done = 8, threading.Event()
        run_until(Subscription("mailer", store, checkpoints, handle), done)
        assert handled == first_ids + more_ids
        checkpoints.close()


class TestExclusiveRunner:
    def test_a_second_copy_waits_until_the_first_lets_go(self, store_db: str):
        stop = threading.Event()
        order: list[str] = []
        first_has_it = threading.Event()
        release_first = threading.Event()

        def first() -> None:
            with exclusive(store_db, "relay", stop, poll=0.05) as leader:
                order.append(f"first:{leader is not None}")
                first_has_it.set()
                release_first.wait(10)

        def second() -> None:
            first_has_it.wait(10)
            with exclusive(store_db, "relay", stop, poll=0.05) as leader:
                held, released = leader is not None, release_first.is_set()
                order.append(f"second:{held}:after-release={released}")

        threads = [threading.Thread(target=first), threading.Thread(target=second)]
        for thread in threads:
            thread.start()
        first_has_it.wait(10)
        assert order == ["first:True"]
        release_first.set()
        for thread in threads:
            thread.join(10)
        assert order == ["first:True", "second:True:after-release=True"]

    def test_a_standby_stopped_while_waiting_does_not_run(self, store_db: str):
        holder_stop, standby_stop = threading.Event(), threading.Event()
        with exclusive(store_db, "projector", holder_stop) as leader:
            assert leader is not None
            standby_stop.set()
            with exclusive(store_db, "projector", standby_stop) as standby:
                assert standby is None

    def test_a_leader_whose_lock_session_dies_learns_it_lost_the_lead(
        self, store_db: str
    ):
        with exclusive(store_db, "relay", threading.Event()) as lease:
            assert lease is not None
            assert lease.held()
            with psycopg.connect(store_db, autocommit=True) as admin:
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks "
                    "WHERE locktype = 'advisory' AND pid <> pg_backend_pid() AND "
                    "database = (SELECT oid FROM pg_database "
                    "WHERE datname = current_database())"
                )
            lease._checked -= 10  # do not wait for the next periodic check
            assert not lease.held()
            # and the lock is free for a standby
            with exclusive(store_db, "relay", threading.Event()) as standby:
                assert standby is not None
