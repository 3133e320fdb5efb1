"""The PostgreSQL store under faults: a typed error or a clean retry, never a loss."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from eventing.errors import StoreUnavailable
from eventing.events import NO_STREAM, Metadata, NewEvent
from eventing.store.postgres import PostgresEventStore
from tests.conftest import PG_BASE

META = Metadata(service="complaints", bureau_id="bureau-a", actor="tester")


@pytest.fixture
def store(store_db: str) -> Iterator[PostgresEventStore]:
    store = PostgresEventStore(store_db, pool_size=2, connect_timeout=3)
    yield store
    store.close()


def terminate_backends(conninfo: str) -> int:
    """Kill every session of the test database except this one (a database restart
    as the store sees it)."""
    name = psycopg.conninfo.conninfo_to_dict(conninfo)["dbname"]
    with psycopg.connect(PG_BASE, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        ).fetchall()
    return len(rows)


class TestStartingWithoutADatabase:
    def test_an_unreachable_server_is_a_typed_error_not_a_hang(self):
        started = time.monotonic()
        with pytest.raises(StoreUnavailable, match="cannot reach"):
            PostgresEventStore(
                "postgresql://postgres@127.0.0.1:1/nothing", connect_timeout=2
            )
        assert time.monotonic() - started < 30

    def test_a_database_without_the_schema_says_to_migrate(self):
        name = f"evtest_empty_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_BASE, autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            with pytest.raises(StoreUnavailable, match="migrate"):
                PostgresEventStore(make_conninfo(PG_BASE, dbname=name))
        finally:
            with psycopg.connect(PG_BASE, autocommit=True) as admin:
                admin.execute(
                    sql.SQL("DROP DATABASE {} WITH (FORCE)").format(
                        sql.Identifier(name)
                    )
                )


class TestLosingTheDatabaseMidRun:
    def test_appends_after_the_sessions_were_killed_go_through_once(
        self, store: PostgresEventStore, store_db: str
    ):
        stream = f"complaint-{uuid.uuid4()}"
        store.append(stream, [NewEvent("Received", {})], NO_STREAM, META)
        store.read_all(0)  # make sure pooled connections exist to be killed
        assert terminate_backends(store_db) >= 1
        store.append(stream, [NewEvent("Accepted", {})], 1, META)
        assert [e.type for e in store.read_stream(stream)] == ["Received", "Accepted"]
        assert store.verify().ok

    def test_a_commit_whose_reply_was_lost_is_not_written_twice(self, store_db: str):
        class ReplyLost(PostgresEventStore):
            """Commits, then loses the connection before the answer arrives, once."""

            lost = False

            def _append_once(self, *args: Any, **kwargs: Any):  # type: ignore[no-untyped-def]
                result = super()._append_once(*args, **kwargs)
                if not self.lost:
                    self.lost = True
                    raise psycopg.OperationalError("server closed the connection")
                return result

        store = ReplyLost(store_db)
        try:
            stream = f"complaint-{uuid.uuid4()}"
            event = NewEvent("Received", {"n": 1})
            result = store.append(stream, [event], NO_STREAM, META)
            assert result.envelopes[0].event_id == event.event_id
            assert [e.event_id for e in store.read_stream(stream)] == [event.event_id]
        finally:
            store.close()

    def test_a_database_that_stays_down_gives_a_typed_error(self, store_db: str):
        class Down(PostgresEventStore):
            def _append_once(self, *args: Any, **kwargs: Any):  # type: ignore[no-untyped-def]
                raise psycopg.OperationalError("connection refused")

            def _already_written(self, events):  # type: ignore[no-untyped-def]
                return None

        store = Down(store_db, retries=2)
        try:
            with pytest.raises(StoreUnavailable):
                store.append(
                    f"complaint-{uuid.uuid4()}", [NewEvent("X1", {})], NO_STREAM, META
                )
        finally:
            store.close()


class TestWakingFollowers:
    def test_an_append_wakes_a_waiting_follower_before_its_timeout(
        self, store: PostgresEventStore, store_db: str
    ):
        store.wait_for_new(0, 0.01)  # start listening
        woke = threading.Event()

        def wait() -> None:
            store.wait_for_new(store.head(), 60)
            woke.set()

        waiter = threading.Thread(target=wait)
        waiter.start()
        time.sleep(0.2)
        writer = PostgresEventStore(store_db, pool_size=1)
        try:
            writer.append(f"complaint-{uuid.uuid4()}", [NewEvent("X1", {})], 0, META)
        finally:
            writer.close()
        assert woke.wait(30), "the NOTIFY did not wake the follower"
        waiter.join(5)
