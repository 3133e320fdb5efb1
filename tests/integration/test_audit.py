"""The audit trail over the PostgreSQL event store, tampering included."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import psycopg
import pytest

from eventing.store.postgres import PostgresEventStore
from gateway import audit
from tests.unit.gateway import builders as b

pytestmark = pytest.mark.integration


@pytest.fixture
def store(store_db: str) -> Iterator[PostgresEventStore]:
    opened = PostgresEventStore(store_db, pool_size=2)
    yield opened
    opened.close()


class TestAuditOverPostgres:
    def test_history_and_state_as_of_read_the_stored_chain(self, store):
        item = b.ledger_item(store, "zjj", "zjj.u1", state="closed")
        events = audit.history(store, item.stream, bureau_id="zjj")["events"]
        assert [e["type"] for e in events][-1] == "ItemVerified"
        now = audit.state_as_of(store, item.stream, datetime.now(UTC))
        assert now["state"]["state"] == "closed"
        assert now["version"] == len(events)

    def test_an_event_edited_in_the_table_is_named_as_the_first_broken_link(
        self, store, store_db
    ):
        b.complaint(store, "zjj", "zjj.u1", stage="closed")
        item = b.ledger_item(store, "zjj", "zjj.u1", state="closed")
        assert audit.verify(store)["intact"]
        with psycopg.connect(store_db, autocommit=True) as conn:
            conn.execute(
                "UPDATE eventing.events "
                'SET data = (data::jsonb || \'{"summary": "x"}\')::json '
                "WHERE stream = %s AND version = 5",
                (item.stream,),
            )
        answer = audit.verify(store)
        assert not answer["intact"]
        assert answer["first_broken"] == {
            "stream": item.stream,
            "version": 5,
            "reason": "content does not match its hash (edited)",
        }
        assert audit.verify(store, item.stream)["first_broken"]["version"] == 5
