"""Read-model projections: exactly once, safe to run twice, rebuilt without downtime."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from eventing.aggregate import CommandContext
from eventing.store.postgres import PostgresEventStore
from gateway.projections.org_chart import OrgChartProjection
from gateway.projections.runner import Projector, rebuild
from services.organization.handlers import OrganizationHandlers
from services.organization.samples import sample_rows
from tests.support.fixtures import processes  # noqa: F401 - fixture by name
from tests.support.hashers import PlainHasher
from tests.support.processes import Processes
from tests.support.waiting import wait_until
from tests.unit.gateway import builders as b

pytestmark = pytest.mark.integration


@pytest.fixture
def store(store_db: str) -> Iterator[PostgresEventStore]:
    opened = PostgresEventStore(store_db, pool_size=4)
    opened.conninfo_for_tests = store_db  # type: ignore[attr-defined]
    yield opened
    opened.close()


def import_chart(store: PostgresEventStore, **size: int) -> OrganizationHandlers:
    org = OrganizationHandlers(store, lambda: datetime.now(UTC), PlainHasher())
    org.import_chart(sample_rows(**size), CommandContext(None, "test"))
    settle(store)
    return org


def settle(store: PostgresEventStore) -> None:
    """Wait until followers can read every event written so far. The store's head
    stops below any transaction still open anywhere in the cluster (its visibility
    rule uses the cluster-wide snapshot xmin), and other test runs share the
    server: without this a test could see head 0 and its checkpoint 0 as "equal"."""
    with psycopg.connect(store.conninfo_for_tests) as conn:
        written = conn.execute(
            "SELECT coalesce(max(position), 0) FROM eventing.events"
        ).fetchone()
    wait_until(lambda: store.head() == (written or (0,))[0], timeout=60)


def rows(readmodel_db: str, table: str) -> set[tuple[object, ...]]:
    with psycopg.connect(readmodel_db) as conn:
        return set(conn.execute(f"SELECT * FROM readmodel.{table}").fetchall())


def checkpoint(readmodel_db: str, name: str = "projection:org_chart") -> int:
    with psycopg.connect(readmodel_db) as conn:
        row = conn.execute(
            "SELECT position FROM eventing.checkpoints WHERE name = %s", (name,)
        ).fetchone()
    return int(row[0]) if row else 0


def expected_units(
    org: OrganizationHandlers, bureaus: list[str]
) -> set[tuple[object, ...]]:
    chart = org.chart(bureaus)
    return {
        (u.id, u.bureau_id, u.code, u.name, u.kind.value, u.service_window,
         u.hotline[0] if u.hotline else None, u.hotline[1] if u.hotline else None,
         u.head_id, u.info_officer_id, u.version)
        for b in bureaus for u in chart.units_of(b)
    }  # fmt: skip


class ProjectorThread:
    def __init__(self, store: PostgresEventStore, readmodel_db: str) -> None:
        self.stop = threading.Event()
        self.projector = Projector(store, readmodel_db, [OrgChartProjection()], 50)
        self.errors: list[BaseException] = []
        self.thread = threading.Thread(target=self._run)
        self.thread.start()

    def _run(self) -> None:
        try:
            self.projector.run(self.stop)
        except BaseException as error:
            self.errors.append(error)

    def join(self) -> None:
        self.stop.set()
        self.thread.join(30)
        assert not self.thread.is_alive()
        assert not self.errors, self.errors


class TestLiveProjection:
    def test_the_tables_equal_the_domains_own_fold(self, store, readmodel_db):
        org = import_chart(store, bureaus=2, units=4, people_per_unit=5)
        projector = ProjectorThread(store, readmodel_db)
        wait_until(lambda: checkpoint(readmodel_db) == store.head(), timeout=30)
        projector.join()
        assert rows(readmodel_db, "org_units") == expected_units(org, ["b01", "b02"])
        assert len(rows(readmodel_db, "org_people")) == 40

    def test_two_projectors_at_once_apply_every_event_once(self, store, readmodel_db):
        org = import_chart(store, bureaus=2, units=6, people_per_unit=8)
        first = ProjectorThread(store, readmodel_db)
        second = ProjectorThread(store, readmodel_db)
        wait_until(lambda: checkpoint(readmodel_db) == store.head(), timeout=60)
        first.join()
        second.join()  # an event applied twice would have broken a primary key
        assert rows(readmodel_db, "org_units") == expected_units(org, ["b01", "b02"])

    def test_a_projector_killed_mid_stream_resumes_without_loss_or_double(
        self,
        store,
        store_db,
        readmodel_db,
        processes: Processes,  # noqa: F811
        tmp_path: Path,
    ):
        org = import_chart(store, bureaus=3, units=10, people_per_unit=40)
        env = {"EVENTSTORE_URI": store_db, "READMODEL_DATABASE_URL": readmodel_db}
        argv = ["-m", "gateway.projector", "run", "--batch-size", "5"]
        first = processes.python("projector", argv, env)
        wait_until(lambda: checkpoint(readmodel_db) > 0, timeout=30,
                   describe=lambda: first.tail())  # fmt: skip
        first.kill()
        assert checkpoint(readmodel_db) < store.head(), "killed too late to prove much"
        second = processes.python("projector", argv, env)
        wait_until(lambda: checkpoint(readmodel_db) == store.head(), timeout=60,
                   describe=lambda: second.tail())  # fmt: skip
        assert second.alive(), second.tail()
        assert rows(readmodel_db, "org_units") == expected_units(
            org, ["b01", "b02", "b03"]
        )
        assert len(rows(readmodel_db, "org_people")) == 1200

    def test_a_killed_projector_applies_every_ledger_event_exactly_once(
        self,
        store,
        store_db,
        readmodel_db,
        processes: Processes,  # noqa: F811
    ):
        states = ("open", "submitted", "closed")
        items = [
            b.ledger_item(store, "zjj", f"zjj.u{n % 7}", state=states[n % 3])
            for n in range(300)
        ]
        settle(store)
        env = {"EVENTSTORE_URI": store_db, "READMODEL_DATABASE_URL": readmodel_db}
        argv = ["-m", "gateway.projector", "run", "--batch-size", "5"]
        ledger = "projection:ledger_board"
        first = processes.python("projector", argv, env)
        wait_until(lambda: checkpoint(readmodel_db, ledger) > 0, timeout=30,
                   describe=lambda: first.tail())  # fmt: skip
        first.kill()
        assert checkpoint(readmodel_db, ledger) < store.head(), "killed too late"
        second = processes.python("projector", argv, env)
        wait_until(lambda: checkpoint(readmodel_db, ledger) == store.head(),
                   timeout=60, describe=lambda: second.tail())  # fmt: skip
        assert second.alive(), second.tail()
        with psycopg.connect(readmodel_db) as conn:
            found = set(
                conn.execute(
                    "SELECT item_id, status, measures, version "
                    "FROM readmodel.ledger_board"
                ).fetchall()
            )
        # measures = measures + 1 per MeasureAdded: an event applied twice shows
        assert found == {
            (i.id, i.state.value, len(i.measures), i.version) for i in items
        }


class TestRebuild:
    def test_a_rebuild_beside_a_live_projector_swaps_in_an_equal_view(
        self, store, readmodel_db
    ):
        org = import_chart(store, bureaus=2, units=5, people_per_unit=6)
        live = ProjectorThread(store, readmodel_db)
        wait_until(lambda: checkpoint(readmodel_db) == store.head(), timeout=30)
        before = rows(readmodel_db, "org_people")
        for _ in range(2):  # twice: the second must not trip over the first's names
            position = rebuild(store, readmodel_db, OrgChartProjection())
            assert position == store.head()
        org.import_chart(
            sample_rows(bureaus=3, units=5, people_per_unit=6),
            CommandContext(None, "t"),
        )  # a third bureau arrives after the swap: the live projector carries on
        settle(store)
        wait_until(lambda: checkpoint(readmodel_db) == store.head(), timeout=30)
        live.join()
        after = rows(readmodel_db, "org_people")
        assert before < after and len(after) == 90
        assert rows(readmodel_db, "org_units") == expected_units(
            org, ["b01", "b02", "b03"]
        )
        with psycopg.connect(readmodel_db) as conn:
            indexes = {
                name
                for (name,) in conn.execute(
                    "SELECT indexname FROM pg_indexes WHERE schemaname = 'readmodel'"
                )
            }
            leftovers = conn.execute(
                "SELECT count(*) FROM eventing.checkpoints WHERE name LIKE '%rebuild'"
            ).fetchone()
        assert {"org_units_pkey", "org_units_i0", "org_people_i0"} <= indexes
        assert not [name for name in indexes if "__rebuild" in name]
        assert leftovers == (0,)


class TestProjectorMetrics:
    def test_position_and_lag_are_exposed_per_projection(self, store, readmodel_db):
        from prometheus_client import REGISTRY

        from gateway.projections.runner import observe

        import_chart(store, bureaus=1, units=2, people_per_unit=3)
        projection = OrgChartProjection()
        labels = {"follower": "projection:org_chart"}
        observe(store, projection, 0)
        assert REGISTRY.get_sample_value("follower_lag_events", labels) > 0
        assert REGISTRY.get_sample_value("follower_lag_seconds", labels) >= 0
        observe(store, projection, store.head())
        assert REGISTRY.get_sample_value("follower_lag_events", labels) == 0
        assert REGISTRY.get_sample_value("follower_lag_seconds", labels) == 0
        assert REGISTRY.get_sample_value("follower_position", labels) == store.head()
