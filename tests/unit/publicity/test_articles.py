"""Articles through the handlers: the info officer submits, the leading group
office reviews and publishes; every refusal is a typed, bilingual error."""

from __future__ import annotations

import pytest

from services.common.errors import InvalidInput, NotFound
from services.publicity import commands as c
from services.publicity.domain.errors import (
    AlreadyPublished,
    IllegalTransition,
    NotAccepted,
    NotTheInfoOfficer,
    NotTheOffice,
    UnknownUnit,
    UnsafeBody,
)
from tests.unit.publicity.factory import (
    AFFILIATED,
    CLERK,
    OFFICE,
    OFFICER_A,
    OTHER,
    as_,
    world,
)


class TestSubmitting:
    def test_the_info_officer_submits_and_the_body_is_stored_with_safe_html(self):
        w = world()
        article = w.submit(
            body="## 做法\n\n材料**一次**讲清。", channel_wanted="bulletin"
        )
        assert article["state"] == "submitted"
        assert article["author_id"] == OFFICER_A
        assert article["body"] == "## 做法\n\n材料**一次**讲清。"
        assert "<h2>做法</h2>" in article["html"]
        assert article["channel_wanted"] == "bulletin"

    def test_someone_who_is_not_the_units_info_officer_is_refused(self):
        w = world()
        with pytest.raises(NotTheInfoOfficer) as raised:
            w.submit(officer=CLERK)
        assert "信息员" in raised.value.message("zh-CN")
        assert "info officer" in raised.value.message("en")

    def test_a_unit_without_an_info_officer_cannot_submit(self):
        w = world()
        w.org.change(AFFILIATED, info_officer_id=None)
        with pytest.raises(NotTheInfoOfficer):
            w.submit()

    def test_a_body_with_script_is_refused_and_nothing_is_stored(self):
        w = world()
        with pytest.raises(UnsafeBody):
            w.submit(body="好经验<img src=x onerror=alert(1)>")
        assert w.store.read_all(0, categories=["article"]) == []

    def test_bad_fields_and_unknown_units_are_typed_errors(self):
        w = world()
        with pytest.raises(InvalidInput) as raised:
            c.SubmitArticle.parse({"unit_id": "", "body": 5, "channel_wanted": "fax"})
        assert set(raised.value.details["fields"]) == {
            "unit_id",
            "title",
            "body",
            "channel_wanted",
        }
        with pytest.raises(UnknownUnit):
            w.submit(unit="jtj.u001")

    def test_another_bureau_cannot_see_the_article(self):
        w = world()
        article_id = w.submit()["article_id"]
        with pytest.raises(NotFound):
            w.handlers.article(article_id, as_("jtj.001002", OTHER))


class TestReviewingAndPublishing:
    def test_an_accepted_article_is_published_on_channels_with_an_issue(self):
        w = world()
        article_id = w.submit()["article_id"]
        w.review(article_id)
        w.publish(article_id, "website")
        published = w.publish(article_id, "bulletin", issue="2026年第5期")
        assert published["state"] == "published"
        assert [p["channel"] for p in published["publications"]] == [
            "website",
            "bulletin",
        ]
        assert published["publications"][1]["issue"] == "2026年第5期"
        with pytest.raises(AlreadyPublished):
            w.publish(article_id, "website")

    def test_publishing_an_article_that_was_not_accepted_is_refused(self):
        w = world()
        article_id = w.submit()["article_id"]
        with pytest.raises(NotAccepted) as raised:
            w.publish(article_id)
        assert "尚未采用" in raised.value.message("zh-CN")
        w.review(article_id, "returned", "事例不具体")
        with pytest.raises(NotAccepted):
            w.publish(article_id)

    def test_the_bulletin_needs_an_issue_number(self):
        with pytest.raises(InvalidInput) as raised:
            c.PublishArticle.parse(
                {
                    "article_id": "a1",
                    "channel": "bulletin",
                    "published_on": "2026-02-06",
                }
            )
        assert raised.value.details["fields"] == {"issue": "required"}

    def test_only_the_office_reviews_and_publishes(self):
        w = world()
        article_id = w.submit()["article_id"]
        with pytest.raises(NotTheOffice):
            w.handlers.review_article(
                c.ReviewArticle.parse(
                    {"article_id": article_id, "outcome": "accepted"}
                ),
                as_(CLERK),
            )

    def test_a_returned_article_is_resubmitted_and_then_accepted(self):
        w = world()
        article_id = w.submit()["article_id"]
        returned = w.review(article_id, "returned", "事例不具体")
        assert returned["state"] == "returned"
        assert returned["returns"] == ["事例不具体"]
        again = w.handlers.resubmit_article(
            c.ResubmitArticle.parse(
                {
                    "article_id": article_id,
                    "title": "一次告知制（修改稿）",
                    "body": "补充了三个事例。",
                    "body_format": "plain",
                }
            ),
            as_(OFFICER_A),
        )
        assert again["state"] == "submitted" and again["resubmissions"] == 1
        assert again["html"] == "<p>补充了三个事例。</p>\n"
        assert w.review(article_id)["state"] == "accepted"
        with pytest.raises(IllegalTransition):
            w.review(article_id)

    def test_a_return_needs_a_reason(self):
        with pytest.raises(InvalidInput):
            c.ReviewArticle.parse({"article_id": "a1", "outcome": "returned"})

    def test_the_unit_lists_its_articles(self):
        w = world()
        first = w.submit()["article_id"]
        second = w.submit(title="第二篇")["article_id"]
        listed = w.handlers.unit_articles(AFFILIATED, as_(OFFICE))
        assert [a["article_id"] for a in listed["articles"]] == [first, second]
