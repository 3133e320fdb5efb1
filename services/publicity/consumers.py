# mypy: disallow-untyped-decorators=False
# (Nameko's decorators are untyped, as in every services.*.service module.)
"""PublicityConsumers: the publicity service's consumers of other services' events
(drafted notices, commendations, board listings, unit profiles) and its quota
timer; mixed into `PublicityService`, whose dependencies they use."""

from __future__ import annotations

import logging
import os
from dataclasses import replace
from typing import Any

from nameko.events import event_handler

from eventing.consumer import caused_by, idempotent
from eventing.events import Envelope
from services.common.errors import InvalidInput
from services.common.timers import configured_timer
from services.publicity import commands as c
from services.publicity.domain import local_year
from services.publicity.domain.model import CommendationKind, NoticeKind
from services.publicity.handlers import SERVICE, PublicityHandlers

QUOTA_INTERVAL = 600.0  # seconds; PUBLICITY_QUOTA_INTERVAL overrides
QUOTA_GRACE = 300.0  # seconds after a period's end; PUBLICITY_QUOTA_GRACE overrides

log = logging.getLogger(__name__)

Answer = dict[str, Any]


def _unit_of(envelope: Envelope) -> str:
    return envelope.stream.split("-", 1)[1]


class PublicityConsumers:
    """Event handlers and the timer; `handlers` and `config` come from the service."""

    config: Any

    @property
    def handlers(self) -> PublicityHandlers:
        raise NotImplementedError  # the service's

    # -- events of other services ---------------------------------------------------

    @event_handler("ledger", "UnitNoticedForFormality")
    @idempotent(SERVICE)
    def on_unit_noticed_for_formality(self, envelope: Envelope) -> None:
        """走过场 → a draft bureau-wide notice of criticism, one per tour and unit."""
        data = envelope.data
        unit_id, tour_id = str(data.get("unit_id") or ""), str(data.get("tour_id"))
        self.handlers.draft_from_event(
            f"formality/{tour_id}/{unit_id}",
            NoticeKind.CRITICISM,
            unit_id or None,
            "关于活动走过场单位的通报",
            f"巡查发现单位 {unit_id} 开展活动走过场：{data.get('reasons') or ''}",
            ("ledger", envelope.type, tour_id),
            caused_by(envelope, SERVICE),
        )

    @event_handler("ledger", "ItemEscalated")
    @idempotent(SERVICE)
    def on_item_escalated(self, envelope: Envelope) -> None:
        """An overdue item escalated → one draft notice of criticism per item."""
        data = envelope.data
        item_id = str(data.get("item_id") or _unit_of(envelope))
        unit_id = data.get("unit_id")
        self.handlers.draft_from_event(
            f"overdue/{item_id}",
            NoticeKind.CRITICISM,
            str(unit_id) if unit_id else None,
            "关于整改逾期问题的通报",
            f"问题 {item_id} 整改期限 {data.get('deadline')} 已过，"
            f"逾期 {data.get('overdue_days')} 天。",
            ("ledger", envelope.type, item_id),
            caused_by(envelope, SERVICE),
        )

    @event_handler("evaluation", "UnitFlaggedForCriticism")
    @idempotent(SERVICE)
    def on_unit_flagged_for_criticism(self, envelope: Envelope) -> None:
        """A poor test result (or another finding of evaluation) → a draft notice.
        Tolerant: whatever fields are missing, the bureau comes from the envelope."""
        data = envelope.data
        if not (envelope.bureau_id or data.get("bureau_id")):
            log.warning(
                "UnitFlaggedForCriticism without a bureau: %s", envelope.event_id
            )
            return
        ctx = caused_by(envelope, SERVICE)
        if ctx.bureau_id is None:
            ctx = replace(ctx, bureau_id=str(data["bureau_id"]))
        unit_id = str(data.get("unit_id") or "") or None
        reference = str(data.get("test_id") or envelope.event_id)
        self.handlers.draft_from_event(
            f"flagged/{reference}/{unit_id}",
            NoticeKind.CRITICISM,
            unit_id,
            "关于学习测试成绩较差单位的通报",
            f"单位 {unit_id or ''} 被通报批评：{data.get('reason') or '测试成绩较差'}",
            ("evaluation", envelope.type, reference),
            ctx,
        )

    @event_handler("evaluation", "ModelAwarded")
    @idempotent(SERVICE)
    def on_award_granted(self, envelope: Envelope) -> None:
        """A model window / office awarded by evaluation (示范窗口/科室) → a
        commendation, once. Data: {"nomination_id", "kind" (model_window |
        model_office), "unit_id", "year"}; an unknown kind is logged and skipped."""
        data = envelope.data
        try:
            kind = CommendationKind(str(data.get("kind")))
        except ValueError:
            log.warning("ModelAwarded of unknown kind %r", data.get("kind"))
            return
        cmd = c.AnnounceCommendation(
            kind,
            str(data.get("unit_id") or "") or None,
            str(data.get("person_id") or "") or None,
            str(data.get("title") or kind.value),
            str(data.get("citation") or ""),
            # evaluation always says; else the campaign's year where it is held,
            # not in UTC (an award of 1 January before 08:00 in Beijing was
            # counted in the year before)
            int(str(data.get("year") or local_year(envelope.recorded_at))),
        )
        reference = str(data.get("nomination_id") or envelope.event_id)
        try:
            self.handlers.announce_commendation(
                cmd, caused_by(envelope, SERVICE), key=f"award/{reference}"
            )
        except InvalidInput as error:
            log.warning("ModelAwarded %s not announced: %s", reference, error)

    @event_handler("ledger", "DisclosurePublished")
    @idempotent(SERVICE)
    def on_disclosure_published(self, envelope: Envelope) -> None:
        """四亮 at a window → the public board."""
        self._list_disclosure(envelope)

    @event_handler("ledger", "DisclosureReplaced")
    @idempotent(SERVICE)
    def on_disclosure_replaced(self, envelope: Envelope) -> None:
        """A new text of one of the four disclosures → the public board."""
        self._list_disclosure(envelope)

    def _list_disclosure(self, envelope: Envelope) -> None:
        data = envelope.data
        self.handlers.list_disclosure(
            str(data["unit_id"]),
            str(data["kind"]),
            str(data["content"]),
            int(str(data["version"])),
            caused_by(envelope, SERVICE),
        )

    @event_handler("organization", "HotlinePublished")
    @idempotent(SERVICE)
    def on_hotline_published(self, envelope: Envelope) -> None:
        """公示监督投诉电话 → the public board."""
        data = envelope.data
        self.handlers.list_hotline(
            _unit_of(envelope),
            str(data["number"]),
            str(data["answered_by"]),
            caused_by(envelope, SERVICE),
        )

    @event_handler("organization", "UnitRegistered")
    @idempotent(SERVICE)
    def on_unit_registered(self, envelope: Envelope) -> None:
        """A unit's kind from the moment it was registered."""
        self._observe(envelope)

    @event_handler("organization", "UnitKindChanged")
    @idempotent(SERVICE)
    def on_unit_kind_changed(self, envelope: Envelope) -> None:
        """A kind change, observed as of when the organization recorded it."""
        self._observe(envelope)

    @event_handler("organization", "InfoOfficerAppointed")
    @idempotent(SERVICE)
    def on_info_officer_appointed(self, envelope: Envelope) -> None:
        """A unit's new info officer."""
        self._observe(envelope)

    @event_handler("organization", "InfoOfficerVacated")
    @idempotent(SERVICE)
    def on_info_officer_vacated(self, envelope: Envelope) -> None:
        """A unit left without an info officer."""
        self._observe(envelope)

    def _observe(self, envelope: Envelope) -> None:
        if not envelope.bureau_id:
            return
        self.handlers.observe_unit(
            envelope.bureau_id,
            _unit_of(envelope),
            envelope.recorded_at,
            caused_by(envelope, SERVICE),
        )

    # -- the scheduler --------------------------------------------------------------

    def _grace(self) -> float:
        raw = self.config.get("PUBLICITY_QUOTA_GRACE") or os.environ.get(
            "PUBLICITY_QUOTA_GRACE"
        )
        return float(raw) if raw not in (None, "") else QUOTA_GRACE

    @configured_timer(interval=QUOTA_INTERVAL, key="PUBLICITY_QUOTA_INTERVAL")
    def decide_quota_periods(self) -> Answer:
        """Every interval: every known bureau's ended periods decided, each once."""
        return self.handlers.decide_all(grace=self._grace())
