"""Read models and their queries: built from real service events, scoped by bureau."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta

import psycopg
import pytest

from eventing.store.memory import MemoryEventStore
from gateway.gauges import DomainGauges
from gateway.projector import projections
from gateway.queries.campaign_overview import campaign_overview
from gateway.queries.common import RECENT, Page, Scope, wait_for_position
from gateway.queries.complaint_queue import complaint_queue
from gateway.queries.evaluation import evaluation_results, evaluation_rounds
from gateway.queries.ledger_board import ledger_board
from gateway.queries.public_board import public_board, public_hotlines
from gateway.queries.publicity_compliance import publicity_compliance
from gateway.queries.unit_dashboard import unit_dashboard
from services.common.errors import InvalidInput
from services.organization.domain import Person
from services.organization.domain.model import Position
from tests.unit.gateway import builders as b
from tests.unit.gateway.projecting import catch_up

pytestmark = pytest.mark.integration

TODAY = date(2026, 7, 15)  # after the builders' default deadline of 30 June
ZJJ, JTJ = Scope("zjj"), Scope("jtj")


def every_projection() -> list:
    return projections()


@pytest.fixture
def store() -> MemoryEventStore:
    return MemoryEventStore()


@pytest.fixture
def conn(readmodel_db: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(readmodel_db, autocommit=True) as connection:
        yield connection


def project(store: MemoryEventStore, readmodel_db: str) -> None:
    catch_up(store, readmodel_db, *every_projection())


def all_pages(query, *args, **kwargs) -> list[dict]:
    items, cursor = [], None
    while True:
        page: Page = query(*args, cursor=cursor, **kwargs)
        items.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            return items


class TestLedgerBoard:
    def test_rows_follow_each_items_life(self, store, readmodel_db, conn):
        opened = b.ledger_item(store, "zjj", "zjj.u1")
        closed = b.ledger_item(store, "zjj", "zjj.u1", state="closed")
        submitted = b.ledger_item(store, "zjj", "zjj.u2", state="submitted")
        project(store, readmodel_db)
        page = ledger_board(conn, ZJJ, today=TODAY)
        by_id = {row["item_id"]: row for row in page.items}
        assert by_id[opened.id]["status"] == "open"
        assert by_id[closed.id]["status"] == "closed"
        assert by_id[closed.id]["on_time"] is True
        assert by_id[submitted.id]["status"] == "submitted"
        assert by_id[opened.id]["leader_id"] == b.leader("zjj")
        assert by_id[opened.id]["deadline"] == "2026-06-30"
        assert by_id[opened.id]["version"] == opened.version
        assert page.position == store.head()

    def test_an_open_item_past_its_deadline_is_overdue_and_a_closed_one_is_not(
        self, store, readmodel_db, conn
    ):
        late = b.ledger_item(store, "zjj", "zjj.u1", deadline=date(2026, 6, 30))
        b.ledger_item(store, "zjj", "zjj.u1", deadline=date(2026, 8, 30))
        b.ledger_item(store, "zjj", "zjj.u1", state="closed")
        b.ledger_item(store, "zjj", "zjj.u1", deadline=None)
        project(store, readmodel_db)
        page = ledger_board(conn, ZJJ, {"overdue": "true"}, today=TODAY)
        assert [row["item_id"] for row in page.items] == [late.id]
        assert page.items[0]["overdue_days"] == 15
        others = ledger_board(conn, ZJJ, {"overdue": False}, today=TODAY)
        assert len(others.items) == 3

    def test_a_bureau_never_sees_another_bureaus_items_and_the_district_sees_all(
        self, store, readmodel_db, conn
    ):
        for _ in range(3):
            b.ledger_item(store, "zjj", "zjj.u1")
        b.ledger_item(store, "jtj", "jtj.u1")
        project(store, readmodel_db)
        assert {r["bureau_id"] for r in ledger_board(conn, ZJJ).items} == {"zjj"}
        assert len(ledger_board(conn, JTJ).items) == 1
        assert len(ledger_board(conn, Scope.district()).items) == 4
        district_one = ledger_board(conn, Scope.district(), {"bureau_id": "jtj"})
        assert len(district_one.items) == 1
        with pytest.raises(InvalidInput):
            ledger_board(conn, ZJJ, {"bureau_id": "jtj"})

    def test_pages_by_cursor_cover_every_item_once_in_sort_order(
        self, store, readmodel_db, conn
    ):
        for day in (3, 1, 2, 1, 5, 4, 2):
            b.ledger_item(store, "zjj", "zjj.u1", deadline=date(2026, 6, day))
        b.ledger_item(store, "zjj", "zjj.u1", deadline=None)
        project(store, readmodel_db)
        for sort in ("deadline", "-deadline", "found_on", "-last_event_at"):
            items = all_pages(ledger_board, conn, ZJJ, sort=sort, limit=3)
            assert len({row["item_id"] for row in items}) == 8
        ascending = all_pages(ledger_board, conn, ZJJ, sort="deadline", limit=2)
        deadlines = [row["deadline"] for row in ascending]
        assert deadlines[:-1] == sorted(deadlines[:-1]) and deadlines[-1] is None

    def test_filters_narrow_by_unit_status_and_category(
        self, store, readmodel_db, conn
    ):
        b.ledger_item(store, "zjj", "zjj.u1", state="closed")
        b.ledger_item(store, "zjj", "zjj.u2", category=b.Category.LAX)
        b.ledger_item(store, "zjj", "zjj.u2")
        project(store, readmodel_db)
        assert len(ledger_board(conn, ZJJ, {"unit_id": "zjj.u2"}).items) == 2
        assert len(ledger_board(conn, ZJJ, {"status": "open,submitted"}).items) == 2
        assert len(ledger_board(conn, ZJJ, {"category": ["lax"]}).items) == 1
        assert len(ledger_board(conn, ZJJ, {"deadline_to": "2026-07-01"}).items) == 3

    @pytest.mark.parametrize(
        ("filters", "sort", "cursor", "field"),
        [
            ({"status": "lost"}, None, None, "status"),
            ({"overdue": "maybe"}, None, None, "overdue"),
            ({"deadline_from": "30 June"}, None, None, "deadline_from"),
            ({"colour": "red"}, None, None, "colour"),
            ({}, "price", None, "sort"),
            ({}, None, "not-a-cursor!", "cursor"),
        ],
    )
    def test_a_bad_filter_sort_or_cursor_is_invalid_input(
        self, store, readmodel_db, conn, filters, sort, cursor, field
    ):
        project(store, readmodel_db)
        with pytest.raises(InvalidInput) as error:
            ledger_board(conn, ZJJ, filters, sort, cursor)
        assert field in error.value.details["fields"]

    def test_a_cursor_made_for_one_sort_is_refused_for_another(
        self, store, readmodel_db, conn
    ):
        for _ in range(3):
            b.ledger_item(store, "zjj", "zjj.u1")
        project(store, readmodel_db)
        page = ledger_board(conn, ZJJ, sort="deadline", limit=1)
        with pytest.raises(InvalidInput):
            ledger_board(conn, ZJJ, sort="found_on", cursor=page.next_cursor)


class TestComplaintQueue:
    def test_rows_follow_each_complaint_without_reporter_data(
        self, store, readmodel_db, conn
    ):
        stages = ["received", "assigned", "concluded", "decided", "closed"]
        made = {s: b.complaint(store, "zjj", "zjj.u1", stage=s) for s in stages}
        project(store, readmodel_db)
        rows = {r["complaint_id"]: r for r in complaint_queue(conn, ZJJ).items}
        assert rows[made["received"].id]["status"] == "received"
        assert rows[made["received"].id]["current_due"] == (
            made["received"].current_due.isoformat()
        )
        assert rows[made["assigned"].id]["investigator_id"] == "zjj.p-investigator"
        assert rows[made["concluded"].id]["outcome"] == "substantiated"
        assert rows[made["decided"].id]["accountability"] == "written_self_criticism"
        assert rows[made["closed"].id]["current_due"] is None
        assert rows[made["closed"].id]["resolved"] is True
        with psycopg.connect(readmodel_db) as raw:
            dump = str(
                raw.execute("SELECT * FROM readmodel.complaint_queue").fetchall()
            )
        assert "reporter-ref-secret" not in dump and "窗口办事拖拉" not in dump

    def test_open_complaints_past_their_running_deadline_are_overdue(
        self, store, readmodel_db, conn
    ):
        late = b.complaint(store, "zjj", "zjj.u1", stage="assigned")
        b.complaint(store, "zjj", "zjj.u1", stage="closed")
        project(store, readmodel_db)
        page = complaint_queue(conn, ZJJ, {"overdue": True}, today=TODAY)
        assert [r["complaint_id"] for r in page.items] == [late.id]
        assert page.items[0]["days_overdue"] > 0
        assert len(complaint_queue(conn, ZJJ, {"open": "false"}).items) == 1

    def test_scoping_paging_and_bad_input(self, store, readmodel_db, conn):
        for n in range(5):
            b.complaint(store, "zjj", f"zjj.u{n % 2}")
        b.complaint(store, "jtj", "jtj.u1")
        project(store, readmodel_db)
        assert {r["bureau_id"] for r in complaint_queue(conn, ZJJ).items} == {"zjj"}
        assert len(complaint_queue(conn, Scope.district()).items) == 6
        items = all_pages(complaint_queue, conn, ZJJ, sort="-received_at", limit=2)
        assert len({r["complaint_id"] for r in items}) == 5
        assert len(complaint_queue(conn, ZJJ, {"unit_id": "zjj.u1"}).items) == 2
        window = {"received_from": "2026-03-02", "received_to": "2026-03-02"}
        assert len(complaint_queue(conn, ZJJ, window).items) == 5
        with pytest.raises(InvalidInput):
            complaint_queue(conn, ZJJ, {"channel": "pigeon"})
        with pytest.raises(InvalidInput):
            complaint_queue(conn, ZJJ, limit=0)


class TestFreshness:
    def test_the_position_says_how_fresh_and_waiting_for_it_is_bounded(
        self, store, readmodel_db, conn
    ):
        b.ledger_item(store, "zjj", "zjj.u1")
        project(store, readmodel_db)
        head = store.head()
        assert ledger_board(conn, ZJJ).position == head
        assert wait_for_position(conn, "ledger_board", head, 0.1)
        b.ledger_item(store, "zjj", "zjj.u1")
        assert not wait_for_position(conn, "ledger_board", store.head(), 0.05)
        project(store, readmodel_db)
        assert wait_for_position(conn, "ledger_board", store.head(), 0.05)

    def test_a_projection_with_nothing_to_apply_still_moves_up_to_the_head(
        self, store, readmodel_db, conn
    ):
        b.ledger_item(store, "zjj", "zjj.u1")
        project(store, readmodel_db)
        assert complaint_queue(conn, ZJJ).position == store.head()
        assert unit_dashboard(conn, ZJJ).position == store.head()


class TestCampaignOverview:
    def test_each_campaign_shows_its_phase_and_counts_from_the_boards(
        self, store, readmodel_db, conn
    ):
        b.campaign(store, "zjj", 2026)
        b.campaign(store, "jtj", 2026)
        b.ledger_item(store, "zjj", "zjj.u1")
        b.ledger_item(store, "zjj", "zjj.u1", state="closed")
        b.complaint(store, "zjj", "zjj.u1", stage="concluded")
        b.complaint(store, "zjj", "zjj.u1", stage="closed")
        project(store, readmodel_db)
        [zjj] = campaign_overview(conn, ZJJ, today=TODAY).items
        assert zjj["phase_today"] == "rectify"
        assert zjj["counts"]["ledger"]["open"] == 1
        assert zjj["counts"]["ledger"]["closed"] == 1
        assert zjj["counts"]["ledger"]["overdue"] == 1
        assert zjj["counts"]["complaints"]["total"] == 2
        assert zjj["counts"]["complaints"]["closed"] == 1
        assert zjj["counts"]["complaints"]["substantiated"] == 2
        district = campaign_overview(conn, Scope.district(), {"year": "2026"})
        assert {c["bureau_id"] for c in district.items} == {"zjj", "jtj"}
        assert campaign_overview(conn, JTJ).items[0]["counts"]["ledger"]["total"] == 0
        with pytest.raises(InvalidInput):
            campaign_overview(conn, ZJJ, {"year": "twenty"})


class TestUnitDashboard:
    def test_each_unit_shows_its_ledger_and_complaint_indicators(
        self, store, readmodel_db, conn
    ):
        b.unit(store, "zjj", "u1")
        b.unit(store, "zjj", "u2", service_window=True)
        b.unit(store, "jtj", "u1")
        b.ledger_item(store, "zjj", "zjj.u1")
        b.ledger_item(store, "zjj", "zjj.u1", state="closed")
        b.ledger_item(store, "jtj", "jtj.u1")
        b.complaint(store, "zjj", "zjj.u1", stage="assigned")
        b.complaint(store, "zjj", "zjj.u2", stage="closed")
        project(store, readmodel_db)
        page = unit_dashboard(conn, ZJJ, today=TODAY)
        units = {u["unit_id"]: u for u in page.items}
        assert set(units) == {"zjj.u1", "zjj.u2"}
        assert units["zjj.u1"]["ledger"] == {
            "found": 2, "open": 1, "closed": 1, "closed_on_time": 1, "overdue": 1,
            "escalated": 0,
        }  # fmt: skip
        assert units["zjj.u1"]["complaints"]["overdue"] == 1
        assert units["zjj.u2"]["complaints"]["substantiated"] == 1
        assert units["zjj.u2"]["ledger"]["found"] == 0
        windows = unit_dashboard(conn, ZJJ, {"service_window": True})
        assert [u["unit_id"] for u in windows.items] == ["zjj.u2"]
        assert len(all_pages(unit_dashboard, conn, Scope.district(), limit=1)) == 3
        other_year = unit_dashboard(conn, ZJJ, {"year": 2025}).items
        assert all(u["ledger"]["found"] == 0 for u in other_year)
        with pytest.raises(InvalidInput):
            unit_dashboard(conn, ZJJ, {"kind": "palace"})


class TestEvaluationResults:
    def test_only_published_results_of_tallied_rounds_are_shown(
        self, store, readmodel_db, conn
    ):
        tallied = b.evaluation_round(store, "zjj", ["zjj.u1", "zjj.u2"])
        b.evaluation_round(store, "zjj", ["zjj.u1"], state="open")
        b.evaluation_round(store, "jtj", ["jtj.u1"])
        project(store, readmodel_db)
        rounds = {r["round_id"]: r for r in evaluation_rounds(conn, ZJJ).items}
        assert len(rounds) == 2 and rounds[tallied]["status"] == "tallied"
        assert rounds[tallied]["admonishments"] == 1
        results = {r["subject_id"]: r for r in evaluation_results(
            conn, ZJJ, {"round_id": tallied}).items}  # fmt: skip
        fired, withheld = results["team.zjj.u1"], results["team.zjj.u2"]
        assert fired["rule_triggered"] and fired["admonishment_talk_id"] == "talk-1"
        assert fired["counts"] == {"excellent": 5, "good": 3, "fair": 2, "poor": 2}
        assert not withheld["published"] and withheld["counts"] == {}
        assert withheld["withheld_reason"] == "below_min_ballots"
        published = evaluation_results(conn, Scope.district(), {"published": True})
        assert {r["bureau_id"] for r in published.items} == {"zjj", "jtj"}
        with psycopg.connect(readmodel_db) as raw:
            dump = str(raw.execute("SELECT * FROM readmodel.evaluation_rounds"
                                   ).fetchall())  # fmt: skip
        assert "voter-1" not in dump  # the electorate is never projected
        with pytest.raises(InvalidInput):
            evaluation_results(conn, ZJJ, {"subject_kind": "pets"})


class TestPublicityCompliance:
    def test_each_unit_and_period_is_met_or_missed(self, store, readmodel_db, conn):
        monday = date(2026, 3, 2)
        b.quota_period(store, "zjj", "zjj.u1", monday, met=True)
        b.quota_period(store, "zjj", "zjj.u1", monday + timedelta(7), met=False)
        b.quota_period(store, "zjj", "zjj.u2", monday, met=False)
        b.quota_period(store, "jtj", "jtj.u1", monday, met=False)
        project(store, readmodel_db)
        missed = publicity_compliance(conn, ZJJ, {"met": "false"})
        assert sorted(r["unit_id"] for r in missed.items) == ["zjj.u1", "zjj.u2"]
        assert missed.items[0]["reason"] == "too_few_articles"
        latest = publicity_compliance(conn, ZJJ, {"unit_id": "zjj.u1"}, limit=1)
        assert latest.items[0]["period_end"] == "2026-03-15"
        assert len(publicity_compliance(conn, Scope.district()).items) == 4


class TestPublicBoard:
    def test_the_board_shows_what_was_published_and_not_what_was_withdrawn(
        self, store, readmodel_db, conn
    ):
        ids = b.published_board(store, "zjj", "zjj.u1")
        b.published_board(store, "jtj", "jtj.u1")
        unit = b.unit(store, "zjj", "u1")
        answerer = Person("zjj.p-answerer")
        answerer.register(unit, "E001", "张三", Position.STAFF, "13800000000")
        b.save(store, b.organization_registry, answerer, "organization", "zjj")
        unit.publish_hotline("0551-12345", answerer)
        b.save(store, b.organization_registry, unit, "organization", "zjj")
        project(store, readmodel_db)
        entries = {e["entry_id"]: e for e in public_board(conn, "zjj").items}
        kinds = sorted(e["kind"] for e in entries.values())
        assert kinds == ["article", "commendation", "commitment", "disclosure",
                         "notice"]  # fmt: skip
        assert f"notice:{ids['withdrawn']}" not in entries
        assert entries[f"commitment:{ids['commitment']}"]["status"] == "kept"
        assert entries["disclosure:zjj.u1:process"]["body"] == "流程 v2"
        assert all(e["bureau_id"] == "zjj" for e in entries.values())
        assert "p-author" not in str(entries) and "p-approver" not in str(entries)
        articles = public_board(conn, "zjj", {"kind": "article"})
        assert len(articles.items) == 1
        [hotline] = public_hotlines(conn, "zjj").items
        assert hotline["hotline_number"] == "0551-12345"
        assert hotline["answered_by"] == "张三" and "13800000000" not in str(hotline)


class TestDomainGauges:
    def test_gauges_count_per_bureau_from_the_read_models(
        self, store, readmodel_db, conn
    ):
        b.ledger_item(store, "zjj", "zjj.u1")
        b.ledger_item(store, "zjj", "zjj.u1", state="closed")
        b.ledger_item(store, "jtj", "jtj.u1")
        b.complaint(store, "zjj", "zjj.u1", stage="assigned")
        b.quota_period(store, "zjj", "zjj.u1", date(2026, 3, 2), met=False)
        b.quota_period(store, "zjj", "zjj.u2", date(2026, 3, 2), met=False)
        b.quota_period(store, "zjj", "zjj.u2", date(2026, 3, 9), met=True)
        b.evaluation_round(store, "zjj", ["zjj.u1"], state="open")
        b.evaluation_round(store, "zjj", ["zjj.u1"])
        project(store, readmodel_db)
        gauges = DomainGauges(readmodel_db, ttl=60, today=lambda: TODAY)
        samples = {
            (s.name, tuple(sorted(s.labels.items()))): s.value
            for family in gauges.collect()
            for s in family.samples
        }
        gauges.close()
        zjj, jtj = (("bureau_id", "zjj"),), (("bureau_id", "jtj"),)
        assert samples[("rectification_ledger_items_overdue", zjj)] == 1
        assert samples[("rectification_ledger_items_overdue", jtj)] == 1
        assert samples[("rectification_complaints_past_deadline", zjj)] == 1
        assert samples[("rectification_units_quota_missed", zjj)] == 1
        assert samples[("rectification_evaluation_rounds_open", ())] == 1

    def test_a_missing_read_model_yields_no_samples_instead_of_failing(
        self, readmodel_db
    ):
        gauges = DomainGauges(readmodel_db, ttl=60, today=lambda: TODAY)
        assert list(gauges.collect()) == []
        gauges.close()


class TestDashboardCache:
    def test_a_cached_dashboard_is_answered_again_only_until_an_event_lands(
        self, store, readmodel_db, conn, monkeypatch
    ):
        clock = [0.0]  # the checkpoints' microcache: its interval passes by hand
        monkeypatch.setattr(RECENT, "clock", lambda: clock[0])
        b.unit(store, "zjj", "u1")
        b.campaign(store, "zjj")
        b.ledger_item(store, "zjj", "zjj.u1")
        project(store, readmodel_db)
        first = unit_dashboard(conn, ZJJ, today=TODAY)
        assert first.items[0]["ledger"]["found"] == 1
        assert unit_dashboard(conn, ZJJ, today=TODAY) is first  # from the cache
        sent = json.loads(first.encoded)  # what the API sends, encoded once
        assert sent["items"][0]["ledger"]["found"] == 1
        assert sent["position"] == first.position
        overview = campaign_overview(conn, ZJJ, today=TODAY)
        assert overview.items[0]["counts"]["ledger"]["total"] == 1
        b.ledger_item(store, "zjj", "zjj.u1")
        project(store, readmodel_db)
        # within the interval the checkpoints are not read again: the same answer
        assert unit_dashboard(conn, ZJJ, today=TODAY) is first
        clock[0] += RECENT.ttl
        again = unit_dashboard(conn, ZJJ, today=TODAY)
        assert again.items[0]["ledger"]["found"] == 2
        assert again.position > first.position
        assert json.loads(again.encoded)["items"][0]["ledger"]["found"] == 2
        overview = campaign_overview(conn, ZJJ, today=TODAY)
        assert overview.items[0]["counts"]["ledger"]["total"] == 2
