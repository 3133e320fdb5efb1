"""Every read model rebuilt from position zero equals the one kept live."""

from __future__ import annotations

from datetime import date, timedelta

import psycopg
import pytest

from eventing.store.memory import MemoryEventStore
from gateway.projections.base import Projection
from gateway.projections.runner import rebuild
from gateway.projector import projections
from tests.unit.gateway import builders as b
from tests.unit.gateway.projecting import catch_up

pytestmark = pytest.mark.integration

NEW = [p for p in projections() if p.name != "org_chart"]


def everything(store: MemoryEventStore, bureau: str) -> None:
    """Events for every read model of one bureau."""
    b.campaign(store, bureau)
    for n in range(3):
        b.unit(store, bureau, f"u{n}")
    for state in ("open", "submitted", "closed"):
        b.ledger_item(store, bureau, f"{bureau}.u1", state=state)
    b.ledger_item(store, bureau, f"{bureau}.u2", deadline=None)
    for stage in ("received", "assigned", "concluded", "decided", "closed"):
        b.complaint(store, bureau, f"{bureau}.u1", stage=stage)
    b.evaluation_round(store, bureau, [f"{bureau}.u1", f"{bureau}.u2"])
    b.evaluation_round(store, bureau, [f"{bureau}.u1"], state="closed")
    for week in range(3):
        monday = date(2026, 3, 2) + timedelta(weeks=week)
        b.quota_period(store, bureau, f"{bureau}.u1", monday, met=week != 1)
    b.published_board(store, bureau, f"{bureau}.u1")
    b.assessment_published(store, bureau, [b.assessed_unit(f"{bureau}.u1", 1, "80")])
    b.assessment_published(  # published again: the table replaced
        store, bureau,
        [b.assessed_unit(f"{bureau}.u2", 1, "2471/30"),
         b.assessed_unit(f"{bureau}.u1", None, None, missing=("ledger",))],
        note="复核后重新公布",
    )  # fmt: skip


def snapshot(conninfo: str, projection: Projection) -> dict[str, list[tuple]]:
    with psycopg.connect(conninfo) as conn:
        return {
            table: sorted(
                conn.execute(f"SELECT * FROM readmodel.{table}").fetchall(),
                key=repr,
            )
            for table in projection.tables
        }


@pytest.mark.parametrize("projection", NEW, ids=lambda p: p.name)
def test_a_rebuilt_read_model_equals_the_live_one(projection, readmodel_db):
    store = MemoryEventStore()
    everything(store, "zjj")
    everything(store, "jtj")
    catch_up(store, readmodel_db, projection)
    live = snapshot(readmodel_db, projection)
    assert all(live.values()), f"{projection.name} has an empty table"
    for _ in range(2):  # twice: the second must not trip over the first's names
        rebuild(store, readmodel_db, projection)
    assert snapshot(readmodel_db, projection) == live
    with psycopg.connect(readmodel_db) as conn:  # swapped in with statistics
        analyzed = {
            name
            for (name,) in conn.execute(
                "SELECT relname FROM pg_stat_user_tables WHERE schemaname = "
                "'readmodel' AND last_analyze IS NOT NULL"
            )
        }
    assert set(projection.tables) <= analyzed
    everything(store, "xyz")  # the live projector carries on after the swap
    catch_up(store, readmodel_db, projection)
    grown = snapshot(readmodel_db, projection)
    assert all(set(map(repr, live[t])) < set(map(repr, grown[t])) for t in live)
    with psycopg.connect(readmodel_db) as conn:
        names = {
            name
            for (name,) in conn.execute(
                "SELECT indexname FROM pg_indexes WHERE schemaname = 'readmodel'"
            )
        }
    assert not [name for name in names if "__rebuild" in name]
    for table, indexes in projection.indexes.items():
        assert {f"{table}_i{n}" for n in range(len(indexes))} <= names
