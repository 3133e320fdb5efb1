"""LedgerService: Nameko RPC entrypoints over the ledger handlers, the consumer of
complaints' ComplaintSubstantiated, and the escalation scheduler.

Every RPC entrypoint takes `payload` (the command's fields) and `context` (who calls,
for which bureau: {"bureau_id": "zjj", "actor": "zjj.p-wang", "correlation_id":
"..."}) and answers a JSON-safe dict, or raises a typed DomainError that crosses RPC
intact. Commands that compute a default deadline take the campaign's settings as an
optional `settings` in the payload ({"ledger": {"default_deadline_days": 30}}). The
org chart (supervising leaders, the leading group office, service windows) is asked
of the organization service by RPC.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from nameko.events import event_handler

from eventing.consumer import caused_by, idempotent
from eventing.events import Envelope
from eventing.nameko import ClockProvider, CommandMetrics, EventStoreProvider
from services.common.context import command_context
from services.common.errors import InvalidInput
from services.common.rpc import BoundedRpcProxy, deserializable, rpc, translated
from services.common.timers import configured_timer
from services.common.validation import Check
from services.ledger import campaign_commands as cc
from services.ledger import commands as c
from services.ledger.domain import errors as ledger_errors
from services.ledger.handlers import SERVICE, LedgerHandlers, RpcOrgChart

EXPECTED = deserializable(ledger_errors)

ESCALATION_INTERVAL = 3600.0  # seconds; LEDGER_ESCALATION_INTERVAL overrides

Payload = dict[str, Any] | None
Context = dict[str, Any] | None
Answer = dict[str, Any]


def _settings(payload: Payload) -> dict[str, Any]:
    raw = (payload or {}).get("settings")
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise InvalidInput(fields={"settings": "bad_format"})
    return raw


def _id(payload: Payload, name: str) -> str:
    check = Check()
    value = check.identifier(name, (payload or {}).get(name))
    check.done()
    return value


class LedgerService:
    """The problem ledger (问题台账) and 整改销号制."""

    name = SERVICE

    store = EventStoreProvider()
    clock = ClockProvider()
    metrics = CommandMetrics()
    organization = BoundedRpcProxy("organization")

    @property
    def handlers(self) -> LedgerHandlers:
        return LedgerHandlers(self.store, self.clock, RpcOrgChart(self.organization))

    # -- items --------------------------------------------------------------------

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def open_item(self, payload: Payload = None, context: Context = None) -> Answer:
        """Enter a problem. {"level": "unit", "unit_id": "zjj.u003", "person_id":
        null, "category": "slow", "check_dimension": "work_standards", "source":
        "self_inspection", "reference": "...", "description": "...", "evidence": [],
        "found_on": "2026-03-12"}"""
        return self.handlers.open(
            c.OpenItem.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def plan_rectification(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """Measures, supervising leader (committee member or unit head) and deadline.
        {"item_id": "...", "measures": ["..."], "leader_id": "zjj.1001",
        "deadline": "2026-08-31", "settings": {}}"""
        return self.handlers.plan(
            c.PlanRectification.parse(payload or {}),
            command_context(context),
            _settings(payload),
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def add_measure(self, payload: Payload = None, context: Context = None) -> Answer:
        """{"item_id": "...", "text": "推行一次告知制"}"""
        return self.handlers.add_measure(
            c.AddMeasure.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def name_supervisor(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """挂名督办. {"item_id": "...", "leader_id": "zjj.1001"}"""
        return self.handlers.name_supervisor(
            c.NameSupervisor.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def set_deadline(self, payload: Payload = None, context: Context = None) -> Answer:
        """Moving a set deadline needs a reason. {"item_id": "...",
        "deadline": "2026-09-30", "reason": "..."}"""
        return self.handlers.set_deadline(
            c.SetDeadline.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def note_progress(self, payload: Payload = None, context: Context = None) -> Answer:
        """{"item_id": "...", "note": "...", "evidence": []}"""
        return self.handlers.note_progress(
            c.NoteProgress.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def submit_rectification(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """Hand in for verification. {"item_id": "...", "summary": "...",
        "evidence": []}"""
        return self.handlers.submit(
            c.SubmitRectification.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def verify_rectification(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """销号 by the supervising leader or the leading group office:
        {"item_id": "...", "verdict": "verified", "verified_on": "2026-08-20",
        "remarks": ""} or {"item_id": "...", "verdict": "rejected", "reasons": "..."}"""
        return self.handlers.verify(
            c.VerifyRectification.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def reopen_item(self, payload: Payload = None, context: Context = None) -> Answer:
        """A later inspection found it again. {"item_id": "...", "source":
        "spot_check", "reference": "...", "found_on": "2026-10-09",
        "deadline": "2026-11-08", "reason": "...", "settings": {}}"""
        return self.handlers.reopen(
            c.ReopenItem.parse(payload or {}),
            command_context(context),
            _settings(payload),
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def get_item(self, payload: Payload = None, context: Context = None) -> Answer:
        """One item. {"item_id": "..."}"""
        return self.handlers.item(_id(payload, "item_id"), command_context(context))

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def get_complaint_item(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """The item a substantiated complaint opened. {"complaint_id": "..."}"""
        return self.handlers.complaint_item(
            _id(payload, "complaint_id"), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def list_unit_items(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """A unit's ledger. {"unit_id": "zjj.u003"}"""
        return self.handlers.unit_items(
            _id(payload, "unit_id"), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def list_overdue_items(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """The bureau's overdue items today. {}"""
        return self.handlers.overdue_items(command_context(context))

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def get_indicators(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """The bureau's figures for a period. {"start": "2026-01-01",
        "end": "2026-06-30"}"""
        check = Check()
        start = check.day("start", (payload or {}).get("start"))
        end = check.day("end", (payload or {}).get("end"))
        if start and end and end < start:
            check.fail("end", "out_of_range")
        check.done()
        assert start is not None and end is not None
        return self.handlers.indicators(start, end, command_context(context))

    # -- self-analysis materials --------------------------------------------------

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def submit_self_analysis(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """The caller's own material. {"year": 2026, "text": "...",
        "attachments": []}"""
        return self.handlers.submit_self_analysis(
            cc.SubmitSelfAnalysis.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def review_self_analysis(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """{"self_analysis_id": "...", "outcome": "rejected", "reasons": "避重就轻"}"""
        return self.handlers.review_self_analysis(
            cc.ReviewSelfAnalysis.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def file_self_criticism(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """书面检查. {"self_analysis_id": "...", "text": "..."}"""
        return self.handlers.file_self_criticism(
            cc.FileSelfCriticism.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def get_self_analysis(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """{"self_analysis_id": "..."}"""
        return self.handlers.self_analysis(
            _id(payload, "self_analysis_id"), command_context(context)
        )

    # -- surveys, disclosures, tours ------------------------------------------------

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def record_survey(self, payload: Payload = None, context: Context = None) -> Answer:
        """Each problem raised opens an item. {"unit_id": "zjj.u003", "kind":
        "forum", "held_on": "2026-03-20", "participants": ["..."], "problems":
        [{"category": "slow", "description": "...", "person_id": null}]}"""
        return self.handlers.record_survey(
            cc.RecordSurvey.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def publish_disclosure(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """四亮 at a service window. {"unit_id": "zjj.u003", "kind": "commitments",
        "content": "..."}"""
        return self.handlers.publish_disclosure(
            cc.PublishDisclosure.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def get_disclosures(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """{"unit_id": "zjj.u003"}"""
        return self.handlers.disclosures(
            _id(payload, "unit_id"), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def start_tour(self, payload: Payload = None, context: Context = None) -> Answer:
        """{"title": "2026 上半年巡查", "inspector_ids": ["zjj.1001"],
        "started_on": "2026-06-15"}"""
        return self.handlers.start_tour(
            cc.StartTour.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def record_tour_findings(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """{"tour_id": "...", "unit_id": "zjj.u003", "verdict":
        "going_through_motions", "findings": [{"category": "false", "description":
        "...", "open_item": true}], "remarks": "问题不具体、不细化"}"""
        return self.handlers.record_tour_findings(
            cc.RecordTourFindings.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def conclude_tour(self, payload: Payload = None, context: Context = None) -> Answer:
        """{"tour_id": "...", "summary": "..."}"""
        check = Check()
        tour_id = check.identifier("tour_id", (payload or {}).get("tour_id"))
        summary = check.text("summary", (payload or {}).get("summary"), max_len=2000)
        check.done()
        return self.handlers.conclude_tour(tour_id, summary, command_context(context))

    # -- events of other services -------------------------------------------------

    @event_handler("complaints", "ComplaintSubstantiated")
    @idempotent(SERVICE)
    def on_complaint_substantiated(self, envelope: Envelope) -> None:
        """有查必果 → 问题台账: one item per substantiated complaint, however often
        the event is delivered (deterministic item id; causation-derived event ids)."""
        data = envelope.data
        unit_id = data.get("unit_id")
        self.handlers.open_from_complaint(
            str(data["complaint_id"]),
            str(unit_id) if unit_id else None,
            str(data["category"]),
            str(data["findings"]),
            datetime.fromisoformat(str(data["at"])),
            str(data["actor"]),
            caused_by(envelope, SERVICE),
        )

    # -- the scheduler --------------------------------------------------------------

    @configured_timer(interval=ESCALATION_INTERVAL, key="LEDGER_ESCALATION_INTERVAL")
    def escalate_overdue_items(self) -> Answer:
        """Every interval: overdue and escalation events due today (Asia/Shanghai)
        for every bureau's unclosed items, each raised once."""
        return self.handlers.escalate_due()
