"""Notices (通报), public commitments (公开承诺), commendations and the public
board's listings — by hand, or from other services' events."""

from __future__ import annotations

from eventing.aggregate import CommandContext
from services.common.validation import not_after
from services.publicity import commands as c
from services.publicity import views
from services.publicity.domain import Commitment, Notice
from services.publicity.domain.model import NoticeKind, derived_id
from services.publicity.handlers.base import Answer
from services.publicity.handlers.quotas import QuotaHandlers

SOURCE_ACTOR = "service:publicity"


class NoticeHandlers(QuotaHandlers):
    """Notices, commitments, commendations, board listings."""

    # -- notices --------------------------------------------------------------------

    def draft_notice(self, cmd: c.DraftNotice, ctx: CommandContext) -> Answer:
        actor = self._office_only(ctx, "起草通报", "draft notices")
        bureau, now = self._bureau_of(ctx), self.clock()
        if cmd.unit_id:
            self._unit(cmd.unit_id, ctx)
        notice_id = self.new_id()
        self._execute(
            self.notices,
            notice_id,
            lambda n: n.draft(
                bureau, cmd.kind, cmd.unit_id, cmd.title, cmd.body, actor, now
            ),
            ctx,
        )
        return self.notice(notice_id, ctx)

    def draft_from_event(
        self,
        key: str,
        kind: NoticeKind,
        unit_id: str | None,
        title: str,
        body: str,
        source: tuple[str, str, str],
        ctx: CommandContext,
    ) -> str:
        """A draft another service's event causes: one per `key`, however often
        the event is delivered."""
        bureau, now = self._bureau_of(ctx), self.clock()
        notice_id = derived_id("n", bureau, key)
        self._execute(
            self.notices,
            notice_id,
            lambda n: n.draft(
                bureau, kind, unit_id, title, body, SOURCE_ACTOR, now, source
            ),
            ctx,
        )
        return notice_id

    def approve_notice(self, notice_id: str, ctx: CommandContext) -> Answer:
        bureau, actor, now = self._bureau_of(ctx), self._actor(ctx), self.clock()
        self._notice(notice_id, ctx)
        member = actor in self.org.leading_group(bureau)
        self._execute(
            self.notices, notice_id, lambda n: n.approve(actor, member, now), ctx
        )
        return self.notice(notice_id, ctx)

    def publish_notice(self, notice_id: str, ctx: CommandContext) -> Answer:
        bureau, actor, now = self._bureau_of(ctx), self._actor(ctx), self.clock()
        self._notice(notice_id, ctx)
        by_office = actor in self.org.office(bureau)
        self._execute(
            self.notices, notice_id, lambda n: n.publish(actor, by_office, now), ctx
        )
        return self.notice(notice_id, ctx)

    def withdraw_notice(
        self, notice_id: str, reason: str, ctx: CommandContext
    ) -> Answer:
        actor = self._office_only(ctx, "撤回通报", "withdraw notices")
        now = self.clock()
        self._notice(notice_id, ctx)
        self._execute(
            self.notices, notice_id, lambda n: n.withdraw(reason, actor, now), ctx
        )
        return self.notice(notice_id, ctx)

    def _notice(self, notice_id: str, ctx: CommandContext) -> Notice:
        return self._in_bureau(self.notices, notice_id, "notice", ctx)

    def notice(self, notice_id: str, ctx: CommandContext) -> Answer:
        return views.notice(self._notice(notice_id, ctx))

    def notices_list(self, ctx: CommandContext) -> Answer:
        bureau = self._bureau_of(ctx)
        ids = [
            e.stream.split("-", 1)[1]
            for e in self._events([Notice.category], bureau)
            if e.version == 1
        ]
        return {"notices": [views.notice(self.notices.load(i)) for i in ids]}

    # -- public commitments ---------------------------------------------------------

    def make_commitment(self, cmd: c.MakeCommitment, ctx: CommandContext) -> Answer:
        actor = self._office_only(ctx, "登记公开承诺", "record commitments")
        bureau, now = self._bureau_of(ctx), self.clock()
        if cmd.unit_id:
            self._unit(cmd.unit_id, ctx)
        not_after(self.today(), made_on=cmd.made_on)
        commitment_id = self.new_id()
        self._execute(
            self.commitments,
            commitment_id,
            lambda k: k.make(
                bureau,
                cmd.unit_id,
                cmd.maker_id,
                cmd.text,
                cmd.made_on,
                cmd.channel,
                actor,
                now,
            ),
            ctx,
        )
        return self.commitment(commitment_id, ctx)

    def publish_commitment(self, commitment_id: str, ctx: CommandContext) -> Answer:
        actor = self._office_only(ctx, "公开承诺", "publish commitments")
        now = self.clock()
        self._commitment(commitment_id, ctx)
        self._execute(
            self.commitments, commitment_id, lambda k: k.publish(actor, now), ctx
        )
        return self.commitment(commitment_id, ctx)

    def review_commitment(self, cmd: c.ReviewCommitment, ctx: CommandContext) -> Answer:
        actor = self._office_only(ctx, "评议承诺", "review commitments")
        now = self.clock()
        self._commitment(cmd.commitment_id, ctx)
        not_after(self.today(), reviewed_on=cmd.reviewed_on)
        self._execute(
            self.commitments,
            cmd.commitment_id,
            lambda k: k.review(cmd.status, cmd.remarks, cmd.reviewed_on, actor, now),
            ctx,
        )
        return self.commitment(cmd.commitment_id, ctx)

    def _commitment(self, commitment_id: str, ctx: CommandContext) -> Commitment:
        return self._in_bureau(self.commitments, commitment_id, "commitment", ctx)

    def commitment(self, commitment_id: str, ctx: CommandContext) -> Answer:
        return views.commitment(self._commitment(commitment_id, ctx))

    # -- commendations --------------------------------------------------------------

    def announce_commendation(
        self,
        cmd: c.AnnounceCommendation,
        ctx: CommandContext,
        key: str | None = None,
    ) -> Answer:
        """By hand (the office), or (with `key`) once per award of evaluation."""
        bureau, actor, now = self._bureau_of(ctx), self._actor(ctx), self.clock()
        if key is None:
            self._office_only(ctx, "表彰", "announce commendations")
        if cmd.unit_id:
            self._unit(cmd.unit_id, ctx)
        commendation_id = derived_id("k", bureau, key) if key else self.new_id()
        self._execute(
            self.commendations,
            commendation_id,
            lambda k: k.announce(
                bureau,
                cmd.kind,
                cmd.unit_id,
                cmd.person_id,
                cmd.title,
                cmd.citation,
                cmd.year,
                key,
                actor,
                now,
            ),
            ctx,
        )
        announced = self.commendations.load(commendation_id).announced
        assert announced is not None
        return {"commendation_id": commendation_id, **announced.to_data()}

    # -- the public board's listings ------------------------------------------------

    def list_hotline(
        self, unit_id: str, number: str, answered_by: str, ctx: CommandContext
    ) -> bool:
        bureau, now = self._bureau_of(ctx), self.clock()
        name = self.org.person_name(bureau, answered_by)
        listed: bool = self._execute(
            self.listings,
            unit_id,
            lambda b: b.list_hotline(bureau, number, answered_by, name, now),
            ctx,
        )
        return listed

    def list_disclosure(
        self,
        unit_id: str,
        kind: str,
        content: str,
        version: int,
        ctx: CommandContext,
    ) -> bool:
        bureau, now = self._bureau_of(ctx), self.clock()
        listed: bool = self._execute(
            self.listings,
            unit_id,
            lambda b: b.list_disclosure(bureau, kind, content, version, now),
            ctx,
        )
        return listed

    def refresh_hotlines(self, ctx: CommandContext) -> Answer:
        """List every unit's hotline as the org chart has it now."""
        bureau = self._bureau_of(ctx)
        listed = 0
        for unit in self.org.units(bureau):
            if unit.hotline and self.list_hotline(unit.unit_id, *unit.hotline, ctx):
                listed += 1
        return {"bureau_id": bureau, "listed": listed}
