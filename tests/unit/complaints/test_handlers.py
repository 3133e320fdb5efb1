"""The complaints handlers on the in-memory store: load, decide, append, scoped."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from eventing.aggregate import CommandContext
from eventing.events import Metadata, NewEvent
from eventing.store.base import AppendResult
from eventing.store.memory import MemoryEventStore
from services.common.errors import Conflict, NotFound
from services.complaints import commands as c
from services.complaints.domain.errors import (
    AccountabilityUndecided,
    FindingsRequired,
    IllegalTransition,
)
from services.complaints.domain.model import (
    AccountabilityKind,
    Category,
    Channel,
    Outcome,
    Satisfaction,
)
from services.complaints.handlers import ComplaintHandlers
from services.complaints.protection import commands as p
from services.complaints.protection.errors import ReceiptCodeUnknown
from services.complaints.protection.keys import MemoryKeyStore
from services.complaints.protection.receipts import hash_code
from tests.unit.complaints.factory import directory

INVESTIGATOR = "zjj.p-investigator"
ZJJ = CommandContext(bureau_id="zjj", actor="zjj.p-operator")
AS_INVESTIGATOR = CommandContext(bureau_id="zjj", actor=INVESTIGATOR)
JTJ = CommandContext(bureau_id="jtj", actor="jtj.p-operator")


class Clock:
    def __init__(self) -> None:
        # 10:00 in Beijing, Monday 2 March 2026.
        self.now = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, days: float) -> None:
        self.now += timedelta(days=days)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store() -> MemoryEventStore:
    return MemoryEventStore()


@pytest.fixture
def handlers(store: MemoryEventStore, clock: Clock) -> ComplaintHandlers:
    return ComplaintHandlers(store, clock, MemoryKeyStore(), directory())


def report(**fields: Any) -> c.ReceiveComplaint:
    return c.ReceiveComplaint.parse(
        {
            "unit_id": "zjj.u003",
            "channel": Channel.HOTLINE.value,
            "category": Category.SLOW.value,
            "description": "窗口办事拖拉，材料齐全仍让跑三趟",
            "reporter_name": "王小明",
            "reporter_contact": "13800000000",
            **fields,
        }
    )


def receive(handlers: ComplaintHandlers, **fields: Any) -> tuple[str, str]:
    answer = handlers.receive(report(**fields), ZJJ)
    return answer["complaint"]["complaint_id"], answer["receipt_code"]


def investigating(handlers: ComplaintHandlers) -> tuple[str, str]:
    cid, code = receive(handlers)
    handlers.accept(c.AcceptComplaint(cid, ""), ZJJ)
    handlers.assign(c.AssignInvestigator(cid, INVESTIGATOR, ""), ZJJ)
    handlers.start(c.StartInvestigation(cid), AS_INVESTIGATOR)
    return cid, code


def conclude(
    handlers: ComplaintHandlers, cid: str, outcome: Outcome = Outcome.SUBSTANTIATED
) -> dict[str, Any]:
    return handlers.conclude(
        c.ConcludeInvestigation(cid, outcome, "查实：窗口人员多次要求重复提交材料"),
        AS_INVESTIGATOR,
    )


def types(store: MemoryEventStore, stream: str) -> list[str]:
    return [e.type for e in store.read_stream(stream)]


class TestLifecycleThroughHandlers:
    def test_a_substantiated_report_runs_from_intake_to_a_resolved_closure(
        self, handlers, store, clock
    ):
        cid, _ = investigating(handlers)
        clock.advance(5)
        assert conclude(handlers, cid)["state"] == "concluded"
        handlers.decide_accountability(
            c.DecideAccountability(
                cid,
                AccountabilityKind.WRITTEN_SELF_CRITICISM,
                ("zjj.p-clerk",),
                "情节较轻",
            ),
            ZJJ,
        )
        handlers.reply(c.ReplyToReporter(cid, "经查属实，已责令整改"), ZJJ)
        handlers.record_satisfaction(
            c.RecordSatisfaction(cid, Satisfaction.SATISFIED, ""), ZJJ
        )
        closed = handlers.close(c.CloseComplaint(cid, True, "已整改到位"), ZJJ)

        assert closed["state"] == "closed"
        assert closed["resolved"] is True
        assert "ComplaintSubstantiated" in types(store, f"complaint-{cid}")
        assert all(e.bureau_id == "zjj" for e in store.read_all())

    def test_a_dissatisfied_reporter_reopens_the_case_for_the_same_investigator(
        self, handlers
    ):
        cid, _ = investigating(handlers)
        conclude(handlers, cid, Outcome.UNSUBSTANTIATED)
        handlers.reply(c.ReplyToReporter(cid, "经查不属实"), ZJJ)
        reopened = handlers.record_satisfaction(
            c.RecordSatisfaction(cid, Satisfaction.DISSATISFIED, ""), ZJJ
        )
        assert reopened["state"] == "assigned"
        assert reopened["investigator_id"] == INVESTIGATOR
        assert reopened["reopen_count"] == 1

    def test_a_reply_before_the_conclusion_is_an_illegal_transition(self, handlers):
        cid, _ = investigating(handlers)
        with pytest.raises(IllegalTransition) as raised:
            handlers.reply(c.ReplyToReporter(cid, "已处理"), ZJJ)
        assert raised.value.details["state"] == "investigating"

    def test_a_substantiated_case_is_not_replied_to_before_accountability(
        self, handlers
    ):
        cid, _ = investigating(handlers)
        conclude(handlers, cid)
        with pytest.raises(AccountabilityUndecided):
            handlers.reply(c.ReplyToReporter(cid, "已处理"), ZJJ)

    def test_a_conclusion_without_findings_is_refused(self, handlers, store):
        cid, _ = investigating(handlers)
        with pytest.raises(FindingsRequired):
            handlers.conclude(
                c.ConcludeInvestigation(cid, Outcome.SUBSTANTIATED, "  "),
                AS_INVESTIGATOR,
            )
        assert "ComplaintConcluded" not in types(store, f"complaint-{cid}")

    def test_campaign_settings_set_the_investigation_deadline(self, store, clock):
        settings = {"complaints": {"investigation_working_days": 5}}
        handlers = ComplaintHandlers(
            store, clock, MemoryKeyStore(), directory({("zjj", 2026): settings})
        )
        answer = handlers.receive(report(), ZJJ)
        # Five working days after Monday 2 March 2026.
        assert answer["complaint"]["due"]["investigation"] == "2026-03-09"
        assert answer["complaint"]["due"]["acceptance"] == "2026-03-03"
        assert answer["settings_warning"] is None


class RacingStore(MemoryEventStore):
    """Lets a rival conclusion land just before the first one is appended."""

    def __init__(self) -> None:
        super().__init__()
        self.rival: Any = None

    def append(
        self,
        stream: str,
        events: Sequence[NewEvent],
        expected_version: int | None,
        metadata: Metadata,
    ) -> AppendResult:
        if self.rival is not None and events[0].type == "ComplaintConcluded":
            rival, self.rival = self.rival, None
            rival()
        return super().append(stream, events, expected_version, metadata)


class TestConcurrency:
    def test_two_conclusions_at_once_one_wins_and_the_other_gets_a_conflict(
        self, clock
    ):
        store = RacingStore()
        handlers = ComplaintHandlers(store, clock, MemoryKeyStore(), directory())
        cid, _ = investigating(handlers)
        store.rival = lambda: conclude(handlers, cid, Outcome.UNSUBSTANTIATED)

        with pytest.raises(Conflict):
            conclude(handlers, cid, Outcome.SUBSTANTIATED)

        assert types(store, f"complaint-{cid}").count("ComplaintConcluded") == 1
        assert handlers.complaint(cid, ZJJ)["outcome"] == "unsubstantiated"


class TestTenancy:
    def test_another_bureaus_complaint_is_not_found(self, handlers):
        cid, _ = receive(handlers)
        with pytest.raises(NotFound):
            handlers.complaint(cid, JTJ)
        with pytest.raises(NotFound):
            handlers.accept(c.AcceptComplaint(cid, ""), JTJ)

    def test_an_unknown_complaint_is_not_found(self, handlers):
        with pytest.raises(NotFound):
            handlers.accept(c.AcceptComplaint("no-such-case", ""), ZJJ)

    def test_a_receipt_code_does_not_open_another_bureaus_case(self, handlers):
        _, code = receive(handlers)
        with pytest.raises(ReceiptCodeUnknown):
            handlers.follow(p.FollowComplaint(code), JTJ)


class TestReceiptCodes:
    def test_only_the_hash_of_the_code_is_stored(self, handlers, store):
        _, code = receive(handlers)
        everything = json.dumps([e.data for e in store.read_all()], ensure_ascii=False)
        assert code not in everything
        assert code.replace("-", "") not in everything
        assert types(store, f"complaintcode-{hash_code(code)}") == ["ReceiptCodeIssued"]

    def test_codes_are_unguessable_and_differ_between_cases(self, handlers):
        codes = {receive(handlers)[1] for _ in range(20)}
        assert len(codes) == 20
        assert all(len(code.replace("-", "")) == 16 for code in codes)

    def test_a_code_already_taken_is_drawn_again(self, store, clock):
        drawn = iter(["AAAA-BBBB-CCCC-DDDD", "AAAA-BBBB-CCCC-DDDD", "EEEE-FFFF-GGGG"])
        handlers = ComplaintHandlers(
            store, clock, MemoryKeyStore(), directory(), new_code=lambda: next(drawn)
        )
        first, second = receive(handlers)[1], receive(handlers)[1]
        assert (first, second) == ("AAAA-BBBB-CCCC-DDDD", "EEEE-FFFF-GGGG")

    def test_the_reporter_follows_the_case_however_the_code_is_typed(self, handlers):
        _, code = receive(handlers)
        typed = code.lower().replace("-", " ")
        assert handlers.follow(p.FollowComplaint(typed), ZJJ)["state"] == "received"

    def test_a_wrong_code_is_unknown(self, handlers):
        receive(handlers)
        with pytest.raises(ReceiptCodeUnknown):
            handlers.follow(p.FollowComplaint("ZZZZ-ZZZZ-ZZZZ-ZZZZ"), ZJJ)

    def test_the_public_view_reveals_no_internal_names_and_no_reporter(self, handlers):
        cid, code = investigating(handlers)
        conclude(handlers, cid)
        handlers.decide_accountability(
            c.DecideAccountability(
                cid, AccountabilityKind.ADMONISHMENT_TALK, ("zjj.p-clerk",), ""
            ),
            ZJJ,
        )
        handlers.reply(c.ReplyToReporter(cid, "经查属实，已诫勉谈话"), ZJJ)
        public = handlers.follow(p.FollowComplaint(code), ZJJ)
        text = json.dumps(public, ensure_ascii=False)

        assert public["replies"] == ["经查属实，已诫勉谈话"]
        assert public["outcome"] == "substantiated"
        for secret in (INVESTIGATOR, "zjj.p-clerk", ZJJ.actor, "王小明", "138000"):
            assert secret not in text
        assert "查实：窗口人员" not in text  # findings are internal

    def test_the_reporter_adds_information_staff_then_see(self, handlers):
        cid, code = receive(handlers)
        added = handlers.add_information(
            p.AddInformation(code, "补充：当天下午三点在二号窗口", ()), ZJJ
        )
        assert added["your_additions"][0]["text"] == "补充：当天下午三点在二号窗口"
        staff = handlers.complaint(cid, ZJJ)
        assert staff["reporter_additions"][0]["text"] == "补充：当天下午三点在二号窗口"


SCHEDULE_2027 = {
    "year": 2027,
    "holidays": ["2027-01-01", "2027-01-02", "2027-01-03"],
    "workdays": [],
}


class TestWorkCalendar:
    def test_a_case_running_into_an_unknown_year_warns(self, handlers, clock):
        clock.now = datetime(2026, 12, 28, 2, 0, tzinfo=UTC)
        staff = handlers.receive(report(), ZJJ)["complaint"]
        assert staff["assumed_years"] == [2027]
        assert "2027" in staff["calendar_warning"]

    def test_loading_the_years_schedule_recomputes_open_deadlines_through_events(
        self, handlers, store, clock
    ):
        clock.now = datetime(2026, 12, 28, 2, 0, tzinfo=UTC)
        cid, _ = receive(handlers)
        closed_id, _ = receive(handlers)
        handlers.reject(c.RejectComplaint(closed_id, "重复举报"), ZJJ)
        before = handlers.complaint(cid, ZJJ)["due"]["investigation"]

        answer = handlers.load_work_schedule(SCHEDULE_2027, ZJJ)

        assert answer["recomputed"] == [cid]
        after = handlers.complaint(cid, ZJJ)
        assert after["due"]["investigation"] > before
        assert after["assumed_years"] == []
        assert after["calendar_warning"] is None
        assert types(store, f"complaint-{cid}")[-1] == "DeadlinesRecomputed"

    def test_loading_the_same_schedule_again_changes_nothing(
        self, handlers, store, clock
    ):
        clock.now = datetime(2026, 12, 28, 2, 0, tzinfo=UTC)
        receive(handlers)
        handlers.load_work_schedule(SCHEDULE_2027, ZJJ)
        head = store.head()
        assert handlers.load_work_schedule(SCHEDULE_2027, ZJJ)["recomputed"] == []
        assert store.head() == head

    def test_another_bureaus_cases_are_left_to_that_bureau(self, handlers, clock):
        clock.now = datetime(2026, 12, 28, 2, 0, tzinfo=UTC)
        receive(handlers)
        assert handlers.load_work_schedule(SCHEDULE_2027, JTJ)["recomputed"] == []
