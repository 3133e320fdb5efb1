"""The publicity service for real: `nameko run` of publicity and organization,
RabbitMQ RPC (also publicity → organization for the org chart and the campaign),
PostgreSQL store, the quota timer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from eventing.store import open_store
from services.common.errors import NotFound
from services.common.rpc import deserializable
from services.publicity.domain import errors as publicity_errors
from services.publicity.domain.errors import (
    NotAccepted,
    NotApproved,
    NotTheInfoOfficer,
    UnsafeBody,
)
from tests.support.nameko_run import with_organization
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

deserializable(publicity_errors)  # typed errors arrive as their classes on this side

ADMIN = {"bureau_id": "b01", "actor": "account:admin01"}
UNIT = "b01.u001"  # an affiliated unit in the sample chart (weekly quota)
OFFICER = {"bureau_id": "b01", "actor": "b01.001004"}  # its info officer
CLERK = {"bureau_id": "b01", "actor": "b01.001003"}
OFFICE = {"bureau_id": "b01", "actor": "b01.001002"}  # the leading group office
LEADER = {"bureau_id": "b01", "actor": "b01.001001"}  # heads the leading group
ARTICLE = {
    "unit_id": UNIT,
    "title": "城建监察大队推行一次告知制",
    "body": "## 做法\n\n- 材料一次讲清\n- 限时办结",
    "channel_wanted": "bulletin",
}


def recent_campaign(today: date) -> tuple[int, list[dict[str, str]]]:
    """A campaign whose four phases cover the last 40 days and the next 30."""
    days = [-40, -31, -30, -21, -20, -11, -10, 30]
    spans = [today + timedelta(days=d) for d in days]
    names = ["study", "find_problems", "rectify", "evaluate"]
    phases = [
        {
            "phase": name,
            "starts_on": spans[2 * i].isoformat(),
            "ends_on": spans[2 * i + 1].isoformat(),
        }
        for i, name in enumerate(names)
    ]
    return spans[0].year, phases


def running(
    directory: Path, store_uri: str, amqp_uri: str
) -> AbstractContextManager[Any]:
    """Organization (with a small chart imported) and publicity running, the quota
    timer every second; a proxy."""
    return with_organization(
        "publicity", directory, store_uri, amqp_uri, {"PUBLICITY_QUOTA_INTERVAL": 1}
    )


@pytest.fixture(scope="module")
def proxy(
    tmp_path_factory: pytest.TempPathFactory,
    module_store_db: str,
    module_amqp_uri: str,
) -> Iterator[Any]:
    """The services shared by this module's article and notice tests, started once
    (starting and stopping them is most of a test's time). Module-scoped, so each
    test works on the articles and notices it made itself (random ids); none
    launches a campaign, so the quota timer decides no period here. The module's
    own vhost and store keep them apart from `own_proxy`'s services."""
    with running(
        tmp_path_factory.mktemp("publicity_rpc"), module_store_db, module_amqp_uri
    ) as cluster:
        yield cluster


@pytest.fixture
def own_proxy(tmp_path: Path, store_db: str, amqp_uri: str) -> Iterator[Any]:
    """Services of one test alone, on an empty store: for the quota timer's test,
    which counts every article of the unit and every quota period in the log."""
    with running(tmp_path, store_db, amqp_uri) as cluster:
        yield cluster


class TestAnArticleOverRpc:
    def test_an_article_is_submitted_reviewed_and_published(self, proxy):
        publicity = proxy.publicity
        article = publicity.submit_article(ARTICLE, OFFICER)
        assert "<li>材料一次讲清</li>" in article["html"]
        article_id = article["article_id"]
        with pytest.raises(NotAccepted):
            publicity.publish_article(
                {"article_id": article_id, "channel": "website",
                 "published_on": "2026-03-02"},
                OFFICE,
            )  # fmt: skip
        publicity.review_article(
            {"article_id": article_id, "outcome": "accepted"}, OFFICE
        )
        published = publicity.publish_article(
            {"article_id": article_id, "channel": "bulletin",
             "published_on": "2026-03-02", "issue": "2026年第5期"},
            OFFICE,
        )  # fmt: skip
        assert published["publications"] == [
            {
                "channel": "bulletin",
                "published_on": "2026-03-02",
                "issue": "2026年第5期",
            }
        ]

    def test_the_org_chart_decides_who_submits_and_bad_bodies_are_refused(self, proxy):
        publicity = proxy.publicity
        with pytest.raises(NotTheInfoOfficer) as raised:
            publicity.submit_article(ARTICLE, CLERK)
        assert "信息员" in raised.value.message("zh-CN")
        with pytest.raises(UnsafeBody):
            publicity.submit_article(
                {**ARTICLE, "body": '<iframe src="https://evil.example">'}, OFFICER
            )
        article_id = publicity.submit_article(ARTICLE, OFFICER)["article_id"]
        with pytest.raises(NotFound):
            publicity.get_article(
                {"article_id": article_id}, {"bureau_id": "b02", "actor": "x"}
            )


class TestNoticesOverRpc:
    def test_a_notice_needs_the_leading_groups_approval(self, proxy):
        publicity = proxy.publicity
        notice = publicity.draft_notice(
            {"kind": "criticism", "unit_id": UNIT, "title": "关于……的通报",
             "body": "测试成绩较差。"},
            OFFICE,
        )  # fmt: skip
        with pytest.raises(NotApproved):
            publicity.publish_notice({"notice_id": notice["notice_id"]}, OFFICE)
        publicity.approve_notice({"notice_id": notice["notice_id"]}, LEADER)
        published = publicity.publish_notice({"notice_id": notice["notice_id"]}, OFFICE)
        assert published["state"] == "published"
        assert published["approver_id"] == LEADER["actor"]


class TestTheQuotaTimer:
    def test_ended_periods_are_decided_once_and_feed_the_indicators(
        self, own_proxy, store_db
    ):
        today = datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the bureau's day
        year, phases = recent_campaign(today)
        own_proxy.organization.launch_campaign({"year": year, "phases": phases}, ADMIN)
        publicity = own_proxy.publicity
        since = (today - timedelta(days=35)).isoformat()
        observed = publicity.observe_units({"since": since}, OFFICE)
        assert observed["units"] == 3
        publicity.submit_article(ARTICLE, OFFICER)  # this week: not yet decided

        def decided() -> list[dict[str, Any]]:
            periods: list[dict[str, Any]] = publicity.list_quota_periods(
                {"unit_id": UNIT}, OFFICE
            )["periods"]
            return periods

        # the timer (every second) finds the bureau by its observed units
        def every_unit_decided() -> bool:
            return len(decided()) >= 4 and all(
                publicity.list_quota_periods({"unit_id": u}, OFFICE)["periods"]
                for u in ("b01.u002", "b01.u003")
            )

        wait_until(
            every_unit_decided,
            timeout=60,
            interval=0.5,
            describe=lambda: f"every unit's ended periods decided: {decided()}",
        )
        weeks = decided()
        assert {p["period_type"] for p in weeks} == {"week"}
        assert all(p["verdict"] == "missed" for p in weeks)
        assert {p["reason"] for p in weeks} == {"too_few_articles"}
        publicity.decide_quotas({}, OFFICE)  # races the timer; neither decides twice
        rerun = publicity.decide_quotas({}, OFFICE)
        assert (rerun["met"], rerun["missed"]) == (0, 0)

        indicators = publicity.get_indicators(
            {"bureau_id": "b01", "from": since, "to": today.isoformat()},
            {"actor": "service:evaluation"},
        )
        unit = indicators["units"][UNIT]
        assert unit["submitted"] == 1
        assert unit["missed_periods"] == len(weeks)
        assert unit["quota_compliance_rate"] == "0"
        assert indicators["bureau"]["missed_periods"] >= len(weeks) + 2

        store = open_store(store_db)
        try:
            streams: dict[str, int] = {}
            for e in store.read_all(0, limit=10_000, categories=["quota_period"]):
                streams[e.stream] = streams.get(e.stream, 0) + 1
            assert streams and set(streams.values()) == {1}
            assert store.verify().ok
        finally:
            store.close()
