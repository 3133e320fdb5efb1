"""Articles: submission by the unit's info officer, review and publication by the
leading group office, queries."""

from __future__ import annotations

from eventing.aggregate import CommandContext
from services.common.validation import not_after
from services.publicity import commands as c
from services.publicity import views
from services.publicity.domain import Article
from services.publicity.handlers.base import Answer, PublicityBase


class ArticleHandlers(PublicityBase):
    """Every command and query on articles."""

    def submit_article(self, cmd: c.SubmitArticle, ctx: CommandContext) -> Answer:
        bureau, actor, now = self._bureau_of(ctx), self._actor(ctx), self.clock()
        unit = self._unit(cmd.unit_id, ctx)
        article_id = self.new_id()
        self._execute(
            self.articles,
            article_id,
            lambda a: a.submit(
                bureau,
                unit.unit_id,
                actor,
                unit.info_officer_id,
                cmd.title,
                cmd.body,
                cmd.body_format,
                cmd.channel_wanted,
                cmd.attachments,
                now,
            ),
            ctx,
        )
        return self.article(article_id, ctx)

    def review_article(self, cmd: c.ReviewArticle, ctx: CommandContext) -> Answer:
        bureau, actor, now = self._bureau_of(ctx), self._actor(ctx), self.clock()
        self._article(cmd.article_id, ctx)
        by_office = actor in self.org.office(bureau)
        self._execute(
            self.articles,
            cmd.article_id,
            lambda a: a.review(cmd.outcome, cmd.reason, actor, by_office, now),
            ctx,
        )
        return self.article(cmd.article_id, ctx)

    def resubmit_article(self, cmd: c.ResubmitArticle, ctx: CommandContext) -> Answer:
        actor, now = self._actor(ctx), self.clock()
        article = self._article(cmd.article_id, ctx)
        unit = self._unit(article.unit_id, ctx)
        self._execute(
            self.articles,
            cmd.article_id,
            lambda a: a.resubmit(
                actor,
                unit.info_officer_id,
                cmd.title,
                cmd.body,
                cmd.body_format,
                cmd.attachments,
                now,
            ),
            ctx,
        )
        return self.article(cmd.article_id, ctx)

    def publish_article(self, cmd: c.PublishArticle, ctx: CommandContext) -> Answer:
        bureau, actor, now = self._bureau_of(ctx), self._actor(ctx), self.clock()
        self._article(cmd.article_id, ctx)
        not_after(self.today(), published_on=cmd.published_on)
        by_office = actor in self.org.office(bureau)
        self._execute(
            self.articles,
            cmd.article_id,
            lambda a: a.publish(
                cmd.channel, cmd.published_on, cmd.issue, actor, by_office, now
            ),
            ctx,
        )
        return self.article(cmd.article_id, ctx)

    def _article(self, article_id: str, ctx: CommandContext) -> Article:
        return self._in_bureau(self.articles, article_id, "article", ctx)

    def article(self, article_id: str, ctx: CommandContext) -> Answer:
        return views.article(self._article(article_id, ctx))

    def unit_articles(self, unit_id: str, ctx: CommandContext) -> Answer:
        """A unit's articles, oldest first."""
        bureau = self._bureau_of(ctx)
        ids = [
            e.stream.split("-", 1)[1]
            for e in self._events([Article.category], bureau)
            if e.version == 1 and e.data.get("unit_id") == unit_id
        ]
        return {
            "unit_id": unit_id,
            "articles": [views.article(self.articles.load(i)) for i in ids],
        }
