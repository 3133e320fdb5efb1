"""PublicityService: Nameko RPC entrypoints over the publicity handlers, consumers
of other services' events (notices drafted, commendations, board listings, unit
profiles) and the quota timer.

Every RPC entrypoint takes `payload` and `context` ({"bureau_id": "zjj", "actor":
"zjj.1005", "correlation_id": "..."}) and answers a JSON-safe dict, or raises a
typed DomainError that crosses RPC intact. The org chart is asked of the
organization service by RPC.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from nameko.dependency_providers import Config

from eventing.nameko import ClockProvider, CommandMetrics, EventStoreProvider
from services.common.context import command_context
from services.common.errors import NotFound
from services.common.rpc import BoundedRpcProxy, deserializable, rpc, translated
from services.common.validation import Check
from services.publicity import commands as c
from services.publicity import consumers
from services.publicity.domain import errors as publicity_errors
from services.publicity.handlers import SERVICE, PublicityHandlers, RpcOrgChart

EXPECTED = deserializable(publicity_errors)

log = logging.getLogger(__name__)

Payload = dict[str, Any] | None
Context = dict[str, Any] | None
Answer = dict[str, Any]


def _id(payload: Payload, name: str) -> str:
    check = Check()
    value = check.identifier(name, (payload or {}).get(name))
    check.done()
    return value


# The mixin's module, not its class: `nameko run` would take a class of this module
# with entrypoints for a second service.
class PublicityService(consumers.PublicityConsumers):
    """Publicity (宣传), public commitments (公开承诺) and notices (通报)."""

    name = SERVICE

    store = EventStoreProvider()
    clock = ClockProvider()
    metrics = CommandMetrics()
    config = Config()
    organization = BoundedRpcProxy("organization")

    @property
    def handlers(self) -> PublicityHandlers:
        return PublicityHandlers(self.store, self.clock, RpcOrgChart(self.organization))

    # -- articles -----------------------------------------------------------------

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def submit_article(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """By the unit's info officer (the caller). {"unit_id": "zjj.u003",
        "title": "房管所推行一次告知制", "body": "## 做法\\n...", "body_format":
        "markdown", "channel_wanted": "bulletin", "attachments": [{"name":
        "photo.jpg", "media_type": "image/jpeg", "size": 1024, "sha256": "..."}]}"""
        return self.handlers.submit_article(
            c.SubmitArticle.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def review_article(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """By the leading group office. {"article_id": "...", "outcome":
        "accepted"} or {"article_id": "...", "outcome": "returned", "reason": "..."}"""
        return self.handlers.review_article(
            c.ReviewArticle.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def resubmit_article(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """A returned article, revised. {"article_id": "...", "title": "...",
        "body": "...", "body_format": "plain"}"""
        return self.handlers.resubmit_article(
            c.ResubmitArticle.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def publish_article(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """An accepted article on a channel. {"article_id": "...", "channel":
        "bulletin", "published_on": "2026-03-02", "issue": "2026年第5期"}"""
        return self.handlers.publish_article(
            c.PublishArticle.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def get_article(self, payload: Payload = None, context: Context = None) -> Answer:
        """{"article_id": "..."}"""
        return self.handlers.article(
            _id(payload, "article_id"), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def list_unit_articles(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """{"unit_id": "zjj.u003"}"""
        return self.handlers.unit_articles(
            _id(payload, "unit_id"), command_context(context)
        )

    # -- quotas and indicators ------------------------------------------------------

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def decide_quotas(self, payload: Payload = None, context: Context = None) -> Answer:
        """Decide the caller's bureau's ended periods now (the timer does it for
        every known bureau). {}"""
        ctx = command_context(context)
        if not ctx.bureau_id:
            raise NotFound(kind="bureau", id="")
        return self.handlers.decide_quotas(ctx.bureau_id, grace=self._grace())

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def observe_units(self, payload: Payload = None, context: Context = None) -> Answer:
        """Record the bureau's units as the org chart has them, known from `since`
        (deploying publicity mid-campaign) or now. {"since": "2026-02-01"}"""
        check = Check()
        since = check.day("since", (payload or {}).get("since"), required=False)
        check.done()
        return self.handlers.observe_units(command_context(context), since)

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def list_quota_periods(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """A unit's decided periods (QuotaMet / QuotaMissed). {"unit_id": "zjj.u003"}"""
        return self.handlers.quota_periods(
            _id(payload, "unit_id"), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def get_indicators(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """Per unit and bureau. {"bureau_id": "zjj", "from": "2026-01-01", "to":
        "2026-12-31", "unit_id": null, "as_of": "2027-01-05T00:00:00+08:00"} →
        {"units": {"zjj.u003": {"submitted": 4, "accepted": 3, "published": 2,
        "acceptance_rate": "0.75", "quota_compliance_rate": "0.5",
        "missed_periods": 1}}, "bureau": {...}}"""
        query = c.IndicatorsQuery.parse(payload or {})
        ctx = command_context(context)
        if ctx.bureau_id is None and query.bureau_id:
            ctx = replace(ctx, bureau_id=query.bureau_id)
        elif query.bureau_id and query.bureau_id != ctx.bureau_id:
            raise NotFound(kind="bureau", id=query.bureau_id)
        return self.handlers.indicators(
            query.start, query.end, ctx, query.unit_id, query.as_of
        )

    # -- notices --------------------------------------------------------------------

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def draft_notice(self, payload: Payload = None, context: Context = None) -> Answer:
        """By hand. {"kind": "criticism", "unit_id": "zjj.u003", "title":
        "关于……的通报", "body": "..."}"""
        return self.handlers.draft_notice(
            c.DraftNotice.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def approve_notice(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """By a leading group member (the caller). {"notice_id": "..."}"""
        return self.handlers.approve_notice(
            _id(payload, "notice_id"), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def publish_notice(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """An approved notice, by the office. {"notice_id": "..."}"""
        return self.handlers.publish_notice(
            _id(payload, "notice_id"), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def withdraw_notice(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """An event, never a deletion. {"notice_id": "...", "reason": "..."}"""
        check = Check()
        notice_id = check.identifier("notice_id", (payload or {}).get("notice_id"))
        reason = check.text("reason", (payload or {}).get("reason"), max_len=2000)
        check.done()
        return self.handlers.withdraw_notice(
            notice_id, reason, command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def get_notice(self, payload: Payload = None, context: Context = None) -> Answer:
        """{"notice_id": "..."}"""
        return self.handlers.notice(_id(payload, "notice_id"), command_context(context))

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def list_notices(self, payload: Payload = None, context: Context = None) -> Answer:
        """The bureau's notices in every state, oldest first. {}"""
        return self.handlers.notices_list(command_context(context))

    # -- commitments, commendations, board ----------------------------------------

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def make_commitment(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """公开承诺. {"unit_id": null, "maker_id": "zjj.1001", "text": "...",
        "made_on": "2026-02-12", "channel": "tv_interview"}"""
        return self.handlers.make_commitment(
            c.MakeCommitment.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def publish_commitment(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """{"commitment_id": "..."}"""
        return self.handlers.publish_commitment(
            _id(payload, "commitment_id"), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def review_commitment(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """Was it kept? {"commitment_id": "...", "status": "partly_kept",
        "remarks": "...", "reviewed_on": "2026-12-20"}"""
        return self.handlers.review_commitment(
            c.ReviewCommitment.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def get_commitment(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """{"commitment_id": "..."}"""
        return self.handlers.commitment(
            _id(payload, "commitment_id"), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def announce_commendation(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """{"kind": "model_window", "unit_id": "zjj.u006", "title":
        "2026年度示范窗口", "citation": "...", "year": 2026}"""
        return self.handlers.announce_commendation(
            c.AnnounceCommendation.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def refresh_hotlines(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """List every unit's hotline on the public board from the org chart. {}"""
        return self.handlers.refresh_hotlines(command_context(context))
