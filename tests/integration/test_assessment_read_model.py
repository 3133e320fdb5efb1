"""The year-end assessment table: the last publication of each bureau-year, projected
from AssessmentPublished, and its query (scoped by bureau, filtered, sorted, paged)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import psycopg
import pytest

from eventing.store.memory import MemoryEventStore
from gateway.projections.assessment import AssessmentProjection
from gateway.projections.base import Tables
from gateway.projections.runner import rebuild
from gateway.queries.assessment import assessment
from gateway.queries.common import Page, Scope
from services.common.errors import InvalidInput
from tests.unit.gateway import builders as b
from tests.unit.gateway.projecting import catch_up, table_rows

pytestmark = pytest.mark.integration

ORDER = "bureau_id, year, unit_id"


@pytest.fixture
def store() -> MemoryEventStore:
    return MemoryEventStore()


@pytest.fixture
def conn(readmodel_db: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(readmodel_db, autocommit=True) as connection:
        yield connection


def bureau() -> str:
    return f"b{uuid.uuid4().hex[:6]}"


def project(store: MemoryEventStore, readmodel_db: str) -> None:
    catch_up(store, readmodel_db, AssessmentProjection())


def rows_of(conn: psycopg.Connection, bureau_id: str) -> dict[str, tuple]:
    found = conn.execute(
        "SELECT unit_id, rank, score, score_decimal::text, incomplete, missing, note, "
        "version FROM readmodel.assessment WHERE bureau_id = %s",
        (bureau_id,),
    ).fetchall()
    return {row[0]: row[1:] for row in found}


def all_pages(conn: psycopg.Connection, scope: Scope, **kwargs) -> list[dict]:
    items, cursor = [], None
    while True:
        page: Page = assessment(conn, scope, cursor=cursor, **kwargs)
        items.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            return items


class TestTheProjection:
    def test_a_second_publication_replaces_the_bureau_years_table(
        self, store, readmodel_db, conn
    ):
        mine, other = bureau(), bureau()
        b.assessment_published(store, mine, [
            b.assessed_unit(f"{mine}.u1", 1, "90"),
            b.assessed_unit(f"{mine}.u2", 2, "80"),
            b.assessed_unit(f"{mine}.u3", 3, "70"),
        ])  # fmt: skip
        b.assessment_published(store, other, [b.assessed_unit(f"{other}.u1", 1, "75")])
        project(store, readmodel_db)
        assert set(rows_of(conn, mine)) == {f"{mine}.u1", f"{mine}.u2", f"{mine}.u3"}
        untouched = rows_of(conn, other)
        second = b.assessment_published(store, mine, [
            b.assessed_unit(f"{mine}.u2", 1, "2471/30"),
            b.assessed_unit(f"{mine}.u1", None, None, missing=("ledger", "tests")),
        ], note="复核后重新公布")  # fmt: skip
        project(store, readmodel_db)
        assert rows_of(conn, mine) == {
            f"{mine}.u2": (1, "2471/30", "82.37", False, [], "复核后重新公布", second),
            f"{mine}.u1": (None, None, None, True, ["ledger", "tests"],
                           "复核后重新公布", second),
        }  # fmt: skip
        assert second == 2
        assert rows_of(conn, other) == untouched

    def test_another_year_of_the_same_bureau_is_a_table_of_its_own(
        self, store, readmodel_db, conn
    ):
        mine = bureau()
        b.assessment_published(store, mine, [b.assessed_unit(f"{mine}.u1", 1, "60")],
                               year=2025)  # fmt: skip
        b.assessment_published(store, mine, [b.assessed_unit(f"{mine}.u1", 1, "70")])
        b.assessment_published(store, mine, [b.assessed_unit(f"{mine}.u2", 1, "80")])
        project(store, readmodel_db)
        years = conn.execute(
            "SELECT year, unit_id, score FROM readmodel.assessment "
            "WHERE bureau_id = %s ORDER BY year",
            (mine,),
        ).fetchall()
        assert years == [(2025, f"{mine}.u1", "60"), (2026, f"{mine}.u2", "80")]

    def test_an_earlier_publication_applied_again_changes_nothing(
        self, store, readmodel_db, conn
    ):
        mine = bureau()
        b.assessment_published(store, mine, [
            b.assessed_unit(f"{mine}.u1", 1, "90"),
            b.assessed_unit(f"{mine}.u9", 2, "10"),
        ])  # fmt: skip
        b.assessment_published(store, mine, [b.assessed_unit(f"{mine}.u2", 1, "80")])
        project(store, readmodel_db)
        newest = rows_of(conn, mine)
        assert set(newest) == {f"{mine}.u2"}
        projection = AssessmentProjection()
        for envelope in store.read_stream(f"assessment-{mine}.2026"):
            with psycopg.connect(readmodel_db) as raw, raw.transaction():
                projection.apply(raw, Tables(list(projection.tables)), envelope)
            assert rows_of(conn, mine) == newest

    def test_replayed_from_zero_or_rebuilt_the_rows_are_the_same(
        self, store, readmodel_db, conn
    ):
        for bureau_id in (bureau(), bureau()):
            b.assessment_published(store, bureau_id, [
                b.assessed_unit(f"{bureau_id}.u1", 1, "90"),
                b.assessed_unit(f"{bureau_id}.u2", 2, "80"),
            ])  # fmt: skip
            b.assessment_published(store, bureau_id, [
                b.assessed_unit(f"{bureau_id}.u2", 1, "95"),
                b.assessed_unit(f"{bureau_id}.u3", None, None, missing=("tests",)),
            ], note="重新公布")  # fmt: skip
        project(store, readmodel_db)
        live = table_rows(readmodel_db, "assessment", ORDER)
        assert len(live) == 4
        conn.execute(
            "UPDATE eventing.checkpoints SET position = 0 WHERE name = %s",
            (AssessmentProjection().checkpoint,),
        )
        project(store, readmodel_db)  # every event applied a second time
        assert table_rows(readmodel_db, "assessment", ORDER) == live
        rebuild(store, readmodel_db, AssessmentProjection())
        assert table_rows(readmodel_db, "assessment", ORDER) == live


class TestTheQuery:
    @pytest.fixture
    def two_bureaus(self, store, readmodel_db) -> tuple[str, str]:
        mine, other = bureau(), bureau()
        b.assessment_published(store, mine, [
            # both 82.37 to two decimals; exactly, u1's is the higher: ranked first
            b.assessed_unit(f"{mine}.u1", 1, "8237/100"),
            b.assessed_unit(f"{mine}.u2", 2, "2471/30"),
            b.assessed_unit(f"{mine}.u3", 3, "60", missing=("ledger",)),
            b.assessed_unit(f"{mine}.u4", None, None,
                            missing=tuple(b.assessed_unit("x", 1, "1")["inputs"])),
        ])  # fmt: skip
        b.assessment_published(store, mine, [b.assessed_unit(f"{mine}.u1", 1, "50")],
                               year=2025)  # fmt: skip
        b.assessment_published(store, other, [b.assessed_unit(f"{other}.u1", 1, "99")])
        project(store, readmodel_db)
        return mine, other

    def test_a_bureau_sees_its_own_tables_and_the_district_every_bureaus(
        self, conn, two_bureaus
    ):
        mine, other = two_bureaus
        own = assessment(conn, Scope(mine))
        assert {row["bureau_id"] for row in own.items} == {mine}
        assert len(own.items) == 5
        everyone = all_pages(conn, Scope.district(), limit=2)
        assert {mine, other} <= {row["bureau_id"] for row in everyone}
        narrowed = assessment(conn, Scope.district(), {"bureau_id": other})
        assert [row["unit_id"] for row in narrowed.items] == [f"{other}.u1"]
        with pytest.raises(InvalidInput):
            assessment(conn, Scope(mine), {"bureau_id": other})

    def test_filters_by_year_unit_and_incomplete(self, conn, two_bureaus):
        mine, _ = two_bureaus
        year = assessment(conn, Scope(mine), {"year": "2026"}).items
        assert len(year) == 4 and {row["year"] for row in year} == {2026}
        unit = assessment(conn, Scope(mine), {"unit_id": f"{mine}.u1"}).items
        assert sorted(row["year"] for row in unit) == [2025, 2026]
        incomplete = assessment(conn, Scope(mine), {"incomplete": "true"}).items
        assert sorted(row["unit_id"] for row in incomplete) == [
            f"{mine}.u3", f"{mine}.u4"
        ]  # fmt: skip
        for bad in ({"year": "last"}, {"incomplete": "maybe"}, {"rank": "1"}):
            with pytest.raises(InvalidInput):
                assessment(conn, Scope(mine), bad)

    def test_sorted_by_rank_or_score_units_without_a_score_come_last(
        self, conn, two_bureaus
    ):
        mine, _ = two_bureaus
        units = [f"{mine}.u{n}" for n in (1, 2, 3, 4)]
        for sort in ("rank", "-score"):
            rows = all_pages(conn, Scope(mine), filters={"year": 2026}, sort=sort,
                             limit=1)  # fmt: skip
            assert [row["unit_id"] for row in rows] == units, sort
        lowest_first = all_pages(conn, Scope(mine), filters={"year": 2026},
                                 sort="score", limit=3)  # fmt: skip
        assert [row["unit_id"] for row in lowest_first] == units[::-1]
        by_unit = all_pages(conn, Scope(mine), filters={"year": 2026},
                            sort="-unit_id", limit=3)  # fmt: skip
        assert [row["unit_id"] for row in by_unit] == units[::-1]

    def test_each_row_shows_the_publication_and_how_fresh_it_is(
        self, store, conn, two_bureaus
    ):
        mine, _ = two_bureaus
        page = assessment(conn, Scope(mine), {"unit_id": f"{mine}.u2", "year": 2026})
        [row] = page.items
        assert page.position == store.head()
        shown = (row["rank"], row["score"], row["score_decimal"])
        assert shown == (2, "2471/30", "82.37")
        assert row["inputs"]["evaluation"]["weight"] == "1/6"
        assert row["published_by"] == f"{mine}.001002"
        moments = {k: datetime.fromisoformat(row[k]) for k in ("as_of", "published_at")}
        assert moments == {
            "as_of": datetime(2026, 12, 31, 16, tzinfo=UTC),
            "published_at": datetime(2027, 1, 5, 2, tzinfo=UTC),
        }
        assert row["version"] == 1 and row["missing"] == []
