"""The event store contract against the PostgreSQL adapter (real server, fresh db)."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from eventing.store.postgres import PostgresEventStore
from tests.contract.event_store_contract import EventStoreContract, SettableClock


class TestPostgresEventStore(EventStoreContract):
    @pytest.fixture
    def store(
        self, clock: SettableClock, store_db: str
    ) -> Iterator[PostgresEventStore]:
        store = PostgresEventStore(store_db, clock=clock, max_event_bytes=64 * 1024)
        self.conninfo = store_db
        yield store
        store.close()

    def _sql(self, query: str, stream: str, version: int) -> None:
        with psycopg.connect(self.conninfo, autocommit=True) as conn:
            conn.execute(query, (stream, version))  # type: ignore[arg-type]

    def tamper_edit(self, store, stream, version):  # type: ignore[no-untyped-def]
        self._sql(
            """UPDATE eventing.events SET data = '{"n": 99}'
               WHERE stream = %s AND version = %s""",
            stream,
            version,
        )

    def tamper_delete(self, store, stream, version):  # type: ignore[no-untyped-def]
        self._sql(
            "DELETE FROM eventing.events WHERE stream = %s AND version = %s",
            stream,
            version,
        )
