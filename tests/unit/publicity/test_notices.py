"""Notices (drafted, approved by the leading group, published, withdrawn as an
event), public commitments with their later review, and commendations."""

from __future__ import annotations

from datetime import date

import pytest

from services.common.errors import InvalidInput, NotFound
from services.publicity import commands as c
from services.publicity.domain import Notice
from services.publicity.domain.errors import (
    AlreadyReviewed,
    IllegalTransition,
    NotAnApprover,
    NotApproved,
    NotTheOffice,
    UnsafeBody,
)
from services.publicity.domain.model import NoticeKind
from tests.unit.publicity.factory import (
    AFFILIATED,
    CLERK,
    LEADER,
    OFFICE,
    OTHER,
    as_,
    beijing,
    world,
)


def drafted(w, **fields):
    raw = {
        "kind": "criticism",
        "unit_id": AFFILIATED,
        "title": "关于城建监察大队测试成绩较差的通报",
        "body": "闭卷测试平均分低于全局平均。",
    }
    return w.handlers.draft_notice(c.DraftNotice.parse({**raw, **fields}), as_(OFFICE))


class TestNotices:
    def test_a_notice_is_drafted_approved_and_published(self):
        w = world()
        notice_id = drafted(w)["notice_id"]
        approved = w.handlers.approve_notice(notice_id, as_(LEADER))
        assert approved["state"] == "approved" and approved["approver_id"] == LEADER
        published = w.handlers.publish_notice(notice_id, as_(OFFICE))
        assert published["state"] == "published"
        assert published["html"] == "<p>闭卷测试平均分低于全局平均。</p>\n"

    def test_a_notice_without_an_approver_cannot_be_published(self):
        w = world()
        notice_id = drafted(w)["notice_id"]
        with pytest.raises(NotApproved) as raised:
            w.handlers.publish_notice(notice_id, as_(OFFICE))
        assert "审批" in raised.value.message("zh-CN")
        assert "approver" in raised.value.message("en")

    def test_only_the_leading_group_approves_and_only_the_office_publishes(self):
        w = world()
        with pytest.raises(NotTheOffice):
            w.handlers.draft_notice(
                c.DraftNotice.parse({"kind": "criticism", "title": "t", "body": "b"}),
                as_(CLERK),
            )
        notice_id = drafted(w)["notice_id"]
        with pytest.raises(NotAnApprover):
            w.handlers.approve_notice(notice_id, as_(CLERK))
        w.handlers.approve_notice(notice_id, as_(LEADER))
        with pytest.raises(NotTheOffice):
            w.handlers.publish_notice(notice_id, as_(CLERK))

    def test_withdrawing_is_an_event_and_the_notice_stays_readable(self):
        w = world()
        notice_id = drafted(w)["notice_id"]
        w.handlers.approve_notice(notice_id, as_(LEADER))
        w.handlers.publish_notice(notice_id, as_(OFFICE))
        withdrawn = w.handlers.withdraw_notice(notice_id, "事实有误", as_(OFFICE))
        assert withdrawn["state"] == "withdrawn"
        assert withdrawn["withdrawal_reason"] == "事实有误"
        types = [e.type for e in w.store.read_stream(f"notice-{notice_id}")]
        assert types == [
            "NoticeDrafted",
            "NoticeApproved",
            "NoticePublished",
            "NoticeWithdrawn",
        ]
        with pytest.raises(IllegalTransition):
            w.handlers.withdraw_notice(notice_id, "again", as_(OFFICE))

    def test_a_notice_body_with_script_is_refused(self):
        with pytest.raises(UnsafeBody):
            drafted(world(), body="<script>alert(1)</script>")

    def test_a_draft_from_another_services_event_is_made_once(self):
        w = world()
        ctx = as_("service:publicity")

        def draft():
            return w.handlers.draft_from_event(
                "formality/tour-1/" + AFFILIATED,
                NoticeKind.CRITICISM,
                AFFILIATED,
                "关于活动走过场单位的通报",
                "问题不具体、不细化",
                ("ledger", "UnitNoticedForFormality", "tour-1"),
                ctx,
            )

        first, second = draft(), draft()
        assert first == second
        assert len(w.store.read_stream(f"{Notice.category}-{first}")) == 1
        notice = w.handlers.notice(first, as_(OFFICE))
        assert notice["source"] == {
            "service": "ledger",
            "event": "UnitNoticedForFormality",
            "reference": "tour-1",
        }
        assert [
            n["notice_id"] for n in w.handlers.notices_list(as_(OFFICE))["notices"]
        ] == [first]

    def test_another_bureau_cannot_see_or_touch_a_notice(self):
        w = world()
        notice_id = drafted(w)["notice_id"]
        with pytest.raises(NotFound):
            w.handlers.approve_notice(notice_id, as_("jtj.001001", OTHER))


def committed(w, **fields):
    raw = {
        "unit_id": None,
        "maker_id": LEADER,
        "text": "一年内审批时限压缩一半",
        "made_on": "2026-02-02",
        "channel": "tv_interview",
    }
    return w.handlers.make_commitment(
        c.MakeCommitment.parse({**raw, **fields}), as_(OFFICE)
    )


def reviewed(w, commitment_id, status="kept", remarks=""):
    w.clock.set(beijing(date(2026, 12, 20)))  # reviewed at the year's end
    return w.handlers.review_commitment(
        c.ReviewCommitment.parse(
            {
                "commitment_id": commitment_id,
                "status": status,
                "remarks": remarks,
                "reviewed_on": "2026-12-20",
            }
        ),
        as_(OFFICE),
    )


class TestCommitments:
    def test_a_commitment_is_made_published_and_reviewed_once(self):
        w = world()
        commitment_id = committed(w)["commitment_id"]
        with pytest.raises(IllegalTransition):
            reviewed(w, commitment_id)
        assert w.handlers.publish_commitment(commitment_id, as_(OFFICE))["status"] == (
            "published"
        )
        answer = reviewed(w, commitment_id, "partly_kept", "压缩了三成")
        assert (answer["status"], answer["remarks"]) == ("partly_kept", "压缩了三成")
        with pytest.raises(AlreadyReviewed):
            reviewed(w, commitment_id)

    def test_only_the_office_records_publishes_and_reviews_commitments(self):
        w = world()
        with pytest.raises(NotTheOffice):
            w.handlers.make_commitment(
                c.MakeCommitment.parse(
                    {"maker_id": LEADER, "text": "t", "made_on": "2026-02-12",
                     "channel": "bulletin_board"}
                ),
                as_(CLERK),
            )  # fmt: skip
        commitment_id = committed(w)["commitment_id"]
        with pytest.raises(NotTheOffice):
            w.handlers.publish_commitment(commitment_id, as_(CLERK))

    def test_a_unit_commits_on_a_display_panel(self):
        w = world()
        made = committed(w, unit_id=AFFILIATED, channel="display_panel")
        assert (made["unit_id"], made["channel"]) == (AFFILIATED, "display_panel")

    def test_not_kept_needs_remarks_and_bad_fields_are_named(self):
        w = world()
        commitment_id = committed(w)["commitment_id"]
        w.handlers.publish_commitment(commitment_id, as_(OFFICE))
        with pytest.raises(InvalidInput):
            reviewed(w, commitment_id, "not_kept")
        with pytest.raises(InvalidInput) as raised:
            c.MakeCommitment.parse({"channel": "skywriting", "made_on": "2026-13-01"})
        assert set(raised.value.details["fields"]) == {
            "maker_id",
            "text",
            "made_on",
            "channel",
        }


class TestCommendations:
    def test_a_model_window_is_announced_once_per_award(self):
        w = world()
        cmd = c.AnnounceCommendation.parse(
            {"kind": "model_window", "unit_id": AFFILIATED, "title": "示范窗口",
             "year": 2026}
        )  # fmt: skip
        first = w.handlers.announce_commendation(cmd, as_(OFFICE), key="award/a1")
        second = w.handlers.announce_commendation(cmd, as_(OFFICE), key="award/a1")
        assert first == second
        assert first["kind"] == "model_window" and first["year"] == 2026
        events = w.store.read_all(0, categories=["commendation"])
        assert [e.type for e in events] == ["CommendationAnnounced"]

    def test_an_advanced_individual_needs_a_person(self):
        cmd = c.AnnounceCommendation.parse(
            {"kind": "advanced_individual", "title": "先进个人", "year": 2026}
        )
        with pytest.raises(InvalidInput):
            world().handlers.announce_commendation(cmd, as_(OFFICE))


class TestTheBoardListings:
    def test_hotlines_and_disclosures_are_listed_once_per_change(self):
        w = world()
        ctx = as_("service:publicity")
        assert w.handlers.list_hotline(AFFILIATED, "0311-8000000", "p1", ctx)
        assert not w.handlers.list_hotline(AFFILIATED, "0311-8000000", "p1", ctx)
        assert w.handlers.list_disclosure(AFFILIATED, "process", "流程", 1, ctx)
        assert not w.handlers.list_disclosure(AFFILIATED, "process", "流程", 1, ctx)
        assert w.handlers.list_disclosure(AFFILIATED, "process", "新流程", 2, ctx)
        types = [e.type for e in w.store.read_stream(f"board_listing-{AFFILIATED}")]
        assert types == ["HotlineListed", "DisclosureListed", "DisclosureListed"]


class TestDaysStillToCome:
    """A commitment is recorded once made and reviewed once judged; an article is
    published on a day that has come (the clock says 2 February 2026)."""

    def test_a_commitment_made_tomorrow_is_refused_naming_the_field(self):
        w = world()
        with pytest.raises(InvalidInput) as raised:
            committed(w, made_on="2026-02-03")
        assert raised.value.details["fields"] == {"made_on": "out_of_range"}
        assert committed(w, made_on="2026-02-02")["status"] == "made"

    def test_a_review_dated_after_today_is_refused(self):
        w = world()
        commitment_id = committed(w)["commitment_id"]
        w.handlers.publish_commitment(commitment_id, as_(OFFICE))
        with pytest.raises(InvalidInput) as raised:
            w.handlers.review_commitment(
                c.ReviewCommitment.parse(
                    {"commitment_id": commitment_id, "status": "kept",
                     "reviewed_on": "2026-12-20"}
                ),
                as_(OFFICE),
            )  # fmt: skip
        assert raised.value.details["fields"] == {"reviewed_on": "out_of_range"}

    def test_an_article_published_on_a_day_to_come_is_refused(self):
        w = world()
        article_id = w.submit()["article_id"]
        w.review(article_id)
        with pytest.raises(InvalidInput) as raised:
            w.publish(article_id, published_on="2026-02-09")
        assert raised.value.details["fields"] == {"published_on": "out_of_range"}
        assert w.publish(article_id)["state"] == "published"
