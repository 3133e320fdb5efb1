"""The ledger handlers on the in-memory store with a fake org chart: load, decide,
append, scoped to the caller's bureau."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from eventing.aggregate import CommandContext
from eventing.consumer import caused_by
from eventing.events import Envelope, Metadata
from eventing.store.memory import MemoryEventStore
from services.common.errors import InvalidInput, NotFound
from services.complaints.domain import registry as complaints_registry
from services.complaints.domain.events import ComplaintSubstantiated
from services.complaints.domain.model import Category as ComplaintCategory
from services.complaints.domain.model import Outcome
from services.ledger import campaign_commands as cc
from services.ledger import commands as c
from services.ledger.domain import EscalationPolicy, item_id_for_complaint
from services.ledger.domain.errors import (
    IllegalTransition,
    ItemClosed,
    NotAServiceWindow,
    NotAVerifier,
    NotSubmittedForVerification,
    OwnItem,
    SupervisorNotEligible,
    SupervisorOfAnotherBureau,
)
from services.ledger.handlers import LedgerHandlers, MemoryOrgChart

BUREAU, OTHER = "zjj", "jtj"
UNIT, WINDOW = "zjj.u002", "zjj.u006"
COMMITTEE = "zjj.1001"  # committee member, head of zjj.u001
HEAD = "zjj.2001"  # head of zjj.u002, not on the committee
CLERK = "zjj.2005"
OFFICE = "zjj.1002"  # the leading group office
OFFICER = "zjj.2009"  # the unit's info officer, who keeps its ledger
FOREIGN_LEADER = "jtj.1001"  # a committee member of another bureau

AS_OFFICER = CommandContext(bureau_id=BUREAU, actor=OFFICER)
AS_LEADER = CommandContext(bureau_id=BUREAU, actor=COMMITTEE)
AS_HEAD = CommandContext(bureau_id=BUREAU, actor=HEAD)
AS_CLERK = CommandContext(bureau_id=BUREAU, actor=CLERK)
AS_OFFICE = CommandContext(bureau_id=BUREAU, actor=OFFICE)
JTJ = CommandContext(bureau_id=OTHER, actor="jtj.1002")


class Clock:
    def __init__(self) -> None:
        # 10:00 in Beijing, Friday 10 April 2026.
        self.now = datetime(2026, 4, 10, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, days: float) -> None:
        self.now += timedelta(days=days)


def org_chart() -> MemoryOrgChart:
    org = MemoryOrgChart()
    org.add_unit(BUREAU, "zjj.u001")
    org.add_unit(BUREAU, UNIT)
    org.add_unit(BUREAU, WINDOW, service_window=True)
    org.add_unit(OTHER, "jtj.u001")
    org.add_person(BUREAU, "zjj.u001", COMMITTEE, committee=True, head=True)
    org.add_person(BUREAU, "zjj.u001", OFFICE, office=True)
    org.add_person(BUREAU, UNIT, HEAD, head=True)
    org.add_person(BUREAU, UNIT, CLERK)
    org.add_person(BUREAU, UNIT, OFFICER)
    org.add_person(OTHER, "jtj.u001", FOREIGN_LEADER, committee=True, head=True)
    return org


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store() -> MemoryEventStore:
    return MemoryEventStore()


@pytest.fixture
def handlers(store: MemoryEventStore, clock: Clock) -> LedgerHandlers:
    return LedgerHandlers(store, clock, org_chart())


def open_item(handlers: LedgerHandlers, **fields: Any) -> str:
    payload = {
        "level": "unit",
        "unit_id": UNIT,
        "category": "slow",
        "source": "spot_check",
        "reference": "spot-check-2026-04",
        "description": "窗口审批环节多，材料齐全仍需往返两次",
        "found_on": "2026-04-10",
        **fields,
    }
    return str(handlers.open(c.OpenItem.parse(payload), AS_OFFICER)["item_id"])


def plan(
    handlers: LedgerHandlers, item_id: str, leader: str = COMMITTEE, **fields: Any
) -> dict[str, Any]:
    payload = {
        "item_id": item_id,
        "measures": ["精简审批材料清单", "推行一次告知制"],
        "leader_id": leader,
        "deadline": "2026-05-31",
        **fields,
    }
    return handlers.plan(c.PlanRectification.parse(payload), AS_OFFICER)


def submit(handlers: LedgerHandlers, item_id: str, ctx: CommandContext = AS_OFFICER):
    return handlers.submit(
        c.SubmitRectification.parse({"item_id": item_id, "summary": "已整改到位"}), ctx
    )


def verify(handlers: LedgerHandlers, item_id: str, ctx: CommandContext, **fields: Any):
    payload = {"item_id": item_id, "verdict": "verified", **fields}
    if payload["verdict"] == "verified":
        payload.setdefault("verified_on", "2026-04-10")
    return handlers.verify(c.VerifyRectification.parse(payload), ctx)


def substantiated(
    store: MemoryEventStore, complaint_id: str = "c42", unit_id: str | None = UNIT
) -> Envelope:
    """A ComplaintSubstantiated as the complaints service stores and the relay
    delivers it."""
    event = ComplaintSubstantiated(
        complaint_id,
        BUREAU,
        unit_id,
        ComplaintCategory.SLOW,
        Outcome.SUBSTANTIATED,
        "查实：窗口人员多次要求重复提交材料",
        "zjj.p-investigator",
        datetime(2026, 4, 12, 3, 0, tzinfo=UTC),
    )
    stream = f"complaint-{complaint_id}"
    store.append(
        stream,
        [complaints_registry.to_new_event(event)],
        store.stream_version(stream),
        Metadata(service="complaints", bureau_id=BUREAU, actor="zjj.p-investigator"),
    )
    return store.read_stream(stream)[-1]


def deliver(handlers: LedgerHandlers, envelope: Envelope) -> bool:
    data = envelope.data
    return handlers.open_from_complaint(
        str(data["complaint_id"]),
        data.get("unit_id"),  # type: ignore[arg-type]
        str(data["category"]),
        str(data["findings"]),
        datetime.fromisoformat(str(data["at"])),
        str(data["actor"]),
        caused_by(envelope, "ledger"),
    )


def ledger_items(store: MemoryEventStore) -> list[str]:
    return sorted(
        {e.stream for e in store.read_all(categories=["ledger_item"]) if e.version == 1}
    )


class TestOpeningAndScoping:
    def test_an_item_is_opened_in_the_callers_bureau(self, handlers):
        item = handlers.item(open_item(handlers), AS_OFFICER)
        assert item == {
            **item,
            "bureau_id": BUREAU,
            "state": "open",
            "source": "spot_check",
            "found_on": "2026-04-10",
        }

    def test_another_bureau_cannot_see_or_touch_the_item(self, handlers):
        item_id = open_item(handlers)
        with pytest.raises(NotFound):
            handlers.item(item_id, JTJ)
        with pytest.raises(NotFound):
            handlers.add_measure(
                c.AddMeasure.parse({"item_id": item_id, "text": "x"}), JTJ
            )

    def test_a_units_ledger_lists_its_items_only(self, handlers):
        mine = open_item(handlers)
        open_item(handlers, unit_id=WINDOW)
        listed = handlers.unit_items(UNIT, AS_OFFICER)
        assert [i["item_id"] for i in listed["items"]] == [mine]
        assert handlers.unit_items(UNIT, JTJ)["items"] == []


class TestOpeningAgainstTheOrgChart:
    def test_an_item_for_a_unit_or_person_not_on_the_chart_is_refused(self, handlers):
        from services.common.errors import NotFound

        with pytest.raises(NotFound):
            open_item(handlers, unit_id="zjj.nowhere")
        with pytest.raises(NotFound):
            open_item(handlers, unit_id="jtj.u001")  # another bureau's unit
        with pytest.raises(NotFound):
            open_item(handlers, level="individual", person_id="zjj.ghost")


class TestSupervisingLeader:
    def test_a_committee_member_or_a_unit_head_may_supervise(self, handlers):
        item_id = open_item(handlers)
        assert plan(handlers, item_id)["leader_id"] == COMMITTEE
        named = handlers.name_supervisor(
            c.NameSupervisor.parse({"item_id": item_id, "leader_id": HEAD}), AS_OFFICER
        )
        assert named["leader_id"] == HEAD

    def test_a_leader_from_another_bureau_is_refused_and_nothing_is_written(
        self, handlers, store
    ):
        item_id = open_item(handlers)
        before = store.stream_version(f"ledger_item-{item_id}")
        with pytest.raises(SupervisorOfAnotherBureau) as raised:
            plan(handlers, item_id, leader=FOREIGN_LEADER)
        assert "not of bureau zjj" in raised.value.message("en")
        assert store.stream_version(f"ledger_item-{item_id}") == before

    def test_someone_neither_on_the_committee_nor_a_head_is_refused(self, handlers):
        with pytest.raises(SupervisorNotEligible):
            plan(handlers, open_item(handlers), leader=CLERK)

    def test_with_no_deadline_the_campaign_default_runs_from_the_finding(
        self, handlers
    ):
        item_id = open_item(handlers)
        planned = handlers.plan(
            c.PlanRectification.parse(
                {"item_id": item_id, "measures": ["一次告知"], "leader_id": HEAD}
            ),
            AS_OFFICER,
            {"ledger": {"default_deadline_days": 20}},
        )
        assert planned["deadline"] == "2026-04-30"


class TestVerification:
    def test_an_item_is_not_closed_on_a_day_still_to_come(self, handlers):
        item_id = open_item(handlers)
        plan(handlers, item_id)
        submit(handlers, item_id)
        with pytest.raises(InvalidInput) as refused:
            verify(handlers, item_id, AS_LEADER, verified_on="2026-04-11")
        assert refused.value.details["fields"] == {"verified_on": "out_of_range"}
        assert verify(handlers, item_id, AS_LEADER)["state"] == "closed"

    def test_the_supervising_leader_closes_the_item(self, handlers):
        item_id = open_item(handlers)
        plan(handlers, item_id)
        submit(handlers, item_id)
        closed = verify(handlers, item_id, AS_LEADER)
        assert closed == {
            **closed,
            "state": "closed",
            "verifier_id": COMMITTEE,
            "verified_on": "2026-04-10",
        }
        with pytest.raises(ItemClosed):
            handlers.add_measure(
                c.AddMeasure.parse({"item_id": item_id, "text": "再加一条"}), AS_OFFICER
            )

    def test_the_leading_group_office_may_verify_too(self, handlers):
        item_id = open_item(handlers)
        plan(handlers, item_id)
        submit(handlers, item_id)
        assert verify(handlers, item_id, AS_OFFICE)["state"] == "closed"

    def test_anyone_else_is_not_a_verifier(self, handlers):
        item_id = open_item(handlers)
        plan(handlers, item_id)
        submit(handlers, item_id)
        with pytest.raises(NotAVerifier):
            verify(handlers, item_id, AS_HEAD)

    def test_nobody_verifies_their_own_item(self, handlers):
        item_id = open_item(handlers, level="individual", person_id=HEAD)
        plan(handlers, item_id, leader=HEAD)
        submit(handlers, item_id)
        with pytest.raises(OwnItem):
            verify(handlers, item_id, AS_HEAD)
        assert handlers.item(item_id, AS_OFFICER)["state"] == "submitted"

    def test_a_rejection_returns_the_item_with_reasons(self, handlers):
        item_id = open_item(handlers)
        plan(handlers, item_id)
        submit(handlers, item_id)
        back = verify(
            handlers, item_id, AS_LEADER, verdict="rejected", reasons="整改不彻底"
        )
        assert (back["state"], back["rejections"]) == ("open", 1)

    def test_a_closed_item_is_reopened_by_a_later_inspection(self, handlers):
        item_id = open_item(handlers)
        plan(handlers, item_id)
        submit(handlers, item_id)
        verify(handlers, item_id, AS_LEADER)
        reopened = handlers.reopen(
            c.ReopenItem.parse(
                {
                    "item_id": item_id,
                    "source": "secret_visit",
                    "reference": "暗访-2026-06",
                    "found_on": "2026-06-02",
                    "reason": "暗访发现问题反弹",
                }
            ),
            AS_OFFICE,
        )
        assert reopened == {
            **reopened,
            "state": "open",
            "reopenings": 1,
            "deadline": "2026-07-02",
        }


class TestFromComplaints:
    def test_a_substantiated_complaint_opens_one_unit_item(self, handlers, store):
        assert deliver(handlers, substantiated(store)) is True
        item = handlers.complaint_item("c42", AS_OFFICER)
        assert item == {
            **item,
            "item_id": item_id_for_complaint("c42"),
            "source": "complaint",
            "reference": "c42",
            "level": "unit",
            "unit_id": UNIT,
            "category": "slow",
            "found_on": "2026-04-12",
        }

    def test_however_often_it_is_delivered_there_is_exactly_one_item(
        self, handlers, store
    ):
        envelope = substantiated(store)
        assert deliver(handlers, envelope) is True
        for _ in range(3):
            assert deliver(handlers, envelope) is False
        # A new substantiation of the same complaint (after an appeal) neither.
        assert deliver(handlers, substantiated(store)) is False
        assert ledger_items(store) == [f"ledger_item-{item_id_for_complaint('c42')}"]
        [opened] = store.read_stream(f"ledger_item-{item_id_for_complaint('c42')}")
        assert opened.causation_id == envelope.event_id

    def test_the_item_is_rectified_and_closed_like_any_other(
        self, handlers, store, clock
    ):
        deliver(handlers, substantiated(store))
        item_id = item_id_for_complaint("c42")
        plan(handlers, item_id)
        submit(handlers, item_id)
        clock.advance(10)  # found on 12 April: closed on the 20th
        closed = verify(handlers, item_id, AS_LEADER, verified_on="2026-04-20")
        assert closed["state"] == "closed"


class TestEscalation:
    def test_the_run_raises_overdue_then_each_level_once(self, handlers, clock):
        item_id = open_item(handlers)
        plan(handlers, item_id)  # deadline 31 May
        policy = EscalationPolicy()
        assert handlers.escalate_due(policy, date(2026, 5, 31))["events"] == 0
        assert handlers.escalate_due(policy, date(2026, 6, 1))["events"] == 1
        assert handlers.escalate_due(policy, date(2026, 6, 1))["events"] == 0
        item = handlers.item(item_id, AS_OFFICER)
        assert (item["overdue_since"], item["escalation_level"]) == ("2026-06-01", 0)
        # A missed week and more: both levels at once, and never again.
        assert handlers.escalate_due(policy, date(2026, 6, 20))["events"] == 2
        assert handlers.escalate_due(policy, date(2026, 6, 21))["events"] == 0
        assert handlers.item(item_id, AS_OFFICER)["escalation_level"] == 2

    def test_the_bureaus_campaign_sets_the_escalation_intervals(self, store, clock):
        org = org_chart()
        org.settings[(BUREAU, 2026)] = {"ledger": {"escalation_days": [2, 4]}}
        handlers = LedgerHandlers(store, clock, org)
        item_id = open_item(handlers)
        plan(handlers, item_id)  # deadline 31 May
        assert handlers.escalate_due(today=date(2026, 6, 1))["events"] == 1
        assert handlers.escalate_due(today=date(2026, 6, 3))["events"] == 1  # 2 days
        assert handlers.item(item_id, AS_OFFICER)["escalation_level"] == 1
        assert handlers.escalate_due(today=date(2026, 6, 5))["events"] == 1  # 4 days
        # with the defaults (7 and 14 days) nothing would have been raised by now
        assert handlers.item(item_id, AS_OFFICER)["escalation_level"] == 2

    def test_the_run_takes_todays_date_in_beijing(self, handlers, clock):
        item_id = open_item(handlers)
        plan(handlers, item_id)
        clock.now = datetime(2026, 5, 31, 16, 30, tzinfo=UTC)  # 00:30 on 1 June
        assert handlers.escalate_due()["date"] == "2026-06-01"
        assert handlers.item(item_id, AS_OFFICER)["overdue_since"] == "2026-06-01"

    def test_closed_items_and_items_without_a_deadline_are_left_alone(self, handlers):
        closed = open_item(handlers)
        plan(handlers, closed)
        submit(handlers, closed)
        verify(handlers, closed, AS_LEADER)
        open_item(handlers)
        run = handlers.escalate_due(EscalationPolicy(), date(2026, 12, 31))
        assert (run["open_items"], run["events"]) == (0, 0)

    def test_overdue_items_of_the_bureau_are_listed(self, handlers, clock):
        late = open_item(handlers)
        plan(handlers, late)
        plan(handlers, open_item(handlers), deadline="2026-12-31")
        clock.advance(60)  # 9 June
        overdue = handlers.overdue_items(AS_OFFICER)
        assert [(i["item_id"], i["overdue_days"]) for i in overdue["items"]] == [
            (late, 9)
        ]
        assert handlers.overdue_items(JTJ)["items"] == []


class TestCampaignRecords:
    def test_a_survey_opens_one_item_per_problem_in_one_command(self, handlers, store):
        payload = {
            "unit_id": UNIT,
            "kind": "forum",
            "held_on": "2026-04-08",
            "participants": ["企业代表甲", "群众乙"],
            "problems": [
                {"category": "slow", "description": "审批慢"},
                {"category": "lax", "description": "上班迟到", "person_id": CLERK},
            ],
        }
        survey = handlers.record_survey(cc.RecordSurvey.parse(payload), AS_OFFICER)
        items = [handlers.item(i, AS_OFFICER) for i in survey["item_ids"]]
        assert [(i["source"], i["level"]) for i in items] == [
            ("survey", "unit"),
            ("survey", "individual"),
        ]
        assert len(ledger_items(store)) == 2

    def test_a_tour_finding_marked_for_the_ledger_opens_an_item(self, handlers):
        tour = handlers.start_tour(
            cc.StartTour.parse(
                {
                    "title": "上半年巡查",
                    "inspector_ids": [OFFICE],
                    "started_on": "2026-04-09",
                }
            ),
            AS_OFFICE,
        )
        recorded = handlers.record_tour_findings(
            cc.RecordTourFindings.parse(
                {
                    "tour_id": tour["tour_id"],
                    "unit_id": UNIT,
                    "verdict": "going_through_motions",
                    "findings": [
                        {"category": "false", "description": "台账不细化"},
                        {
                            "category": "low",
                            "description": "已当场纠正",
                            "open_item": False,
                        },
                    ],
                    "remarks": "问题不具体、不细化",
                }
            ),
            AS_OFFICE,
        )
        [item_id] = recorded["item_ids"]
        assert handlers.item(item_id, AS_OFFICER)["source"] == "inspection_tour"
        assert recorded["inspected"] == {UNIT: "going_through_motions"}

    def test_a_committee_members_material_goes_to_the_website(self, handlers):
        material = handlers.submit_self_analysis(
            cc.SubmitSelfAnalysis.parse({"year": 2026, "text": "对照五查五看..."}),
            AS_LEADER,
        )
        assert (material["target"], material["unit_id"]) == ("website", "zjj.u001")
        clerk = handlers.submit_self_analysis(
            cc.SubmitSelfAnalysis.parse({"year": 2026, "text": "本人存在..."}), AS_CLERK
        )
        assert clerk["target"] == "office_board"
        reviewed = handlers.review_self_analysis(
            cc.ReviewSelfAnalysis.parse(
                {
                    "self_analysis_id": clerk["self_analysis_id"],
                    "outcome": "rejected",
                    "reasons": "避重就轻",
                }
            ),
            AS_OFFICE,
        )
        assert reviewed["state"] == "rejected"

    def test_disclosures_only_at_a_service_window(self, handlers):
        published = handlers.publish_disclosure(
            cc.PublishDisclosure.parse(
                {"unit_id": WINDOW, "kind": "commitments", "content": "一次办结"}
            ),
            AS_OFFICER,
        )
        assert published["disclosures"]["commitments"]["version"] == 1
        with pytest.raises(NotAServiceWindow):
            handlers.publish_disclosure(
                cc.PublishDisclosure.parse(
                    {"unit_id": UNIT, "kind": "commitments", "content": "一次办结"}
                ),
                AS_OFFICER,
            )

    def test_indicators_count_the_bureaus_items(self, handlers, store):
        item_id = open_item(handlers)
        plan(handlers, item_id)
        submit(handlers, item_id)
        verify(handlers, item_id, AS_LEADER)
        deliver(handlers, substantiated(store))
        report = handlers.indicators(date(2026, 1, 1), date(2026, 6, 30), AS_OFFICE)
        assert report["bureau"] == {
            **report["bureau"],
            "found": 2,
            "found_by_source": {"complaint": 1, "spot_check": 1},
            "closed": 1,
            "closed_on_time": 1,
        }
        assert (
            handlers.indicators(date(2026, 1, 1), date(2026, 6, 30), JTJ)["bureau"][
                "found"
            ]
            == 0
        )


class RacingStore(MemoryEventStore):
    """Runs `before_append` once, just before the next append: a competing writer."""

    def __init__(self) -> None:
        super().__init__()
        self.before_append: Callable[[], object] | None = None

    def append(self, *args: Any, **kwargs: Any) -> Any:
        hook, self.before_append = self.before_append, None
        if hook is not None:
            hook()
        return super().append(*args, **kwargs)


class TestConcurrentDecisions:
    def test_a_verification_that_lost_to_a_rejection_meets_its_typed_error(self, clock):
        store = RacingStore()
        handlers = LedgerHandlers(store, clock, org_chart())
        item_id = open_item(handlers)
        plan(handlers, item_id)
        submit(handlers, item_id)
        store.before_append = lambda: verify(
            handlers, item_id, AS_OFFICE, verdict="rejected", reasons="证据不足"
        )
        with pytest.raises(NotSubmittedForVerification):
            verify(handlers, item_id, AS_LEADER)
        item = handlers.item(item_id, AS_OFFICER)
        assert (item["state"], item["rejections"]) == ("open", 1)
        types = [e.type for e in store.read_stream(f"ledger_item-{item_id}")]
        assert "ItemVerified" not in types

    def test_a_rejection_that_lost_to_a_verification_meets_its_typed_error(self, clock):
        store = RacingStore()
        handlers = LedgerHandlers(store, clock, org_chart())
        item_id = open_item(handlers)
        plan(handlers, item_id)
        submit(handlers, item_id)
        store.before_append = lambda: verify(handlers, item_id, AS_OFFICE)
        with pytest.raises(IllegalTransition):
            verify(handlers, item_id, AS_LEADER, verdict="rejected", reasons="x")
        assert handlers.item(item_id, AS_OFFICER)["state"] == "closed"
