"""整改: measures, a supervising leader of the item's own bureau, and a deadline."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.common.errors import InvalidInput
from services.ledger.domain import LedgerItem, SupervisorEligibility
from services.ledger.domain.errors import (
    DeadlineBeforeFound,
    IllegalTransition,
    ItemClosed,
    MeasureRequired,
    ReasonRequired,
    RectificationIncomplete,
    SupervisorNotEligible,
    SupervisorOfAnotherBureau,
)
from services.ledger.domain.events import DeadlineSet, MeasureAdded, SupervisorNamed
from services.ledger.domain.model import ItemState
from tests.unit.ledger.factory import (
    BUREAU,
    CLERK,
    DEADLINE,
    FOUND_ON,
    INFO_OFFICER,
    LEADER,
    UNIT_HEAD,
    closed,
    eligibility,
    later,
    opened,
    planned,
    submitted,
)


def plan(item, leader=LEADER, leader_bureau=BUREAU, deadline=DEADLINE, **kw):
    item.plan(
        kw.get("measures", ["推行一次告知制"]),
        leader,
        leader_bureau,
        kw.get("eligible", eligibility()),
        deadline,
        INFO_OFFICER,
        later(1),
    )


class TestPlanning:
    def test_a_plan_records_measures_leader_and_deadline(self):
        item = planned()
        assert item.measures == ["精简审批材料清单", "推行一次告知制"]
        assert item.leader_id == LEADER
        assert item.deadline == DEADLINE

    def test_a_unit_head_of_the_bureau_may_supervise(self):
        item = opened()
        plan(item, leader=UNIT_HEAD)
        assert item.leader_id == UNIT_HEAD

    def test_a_leader_of_another_bureau_is_refused(self):
        item = opened()
        with pytest.raises(SupervisorOfAnotherBureau):
            plan(item, leader_bureau="jtj")

    def test_eligibility_of_another_bureau_is_refused(self):
        item = opened()
        with pytest.raises(SupervisorOfAnotherBureau):
            plan(item, eligible=SupervisorEligibility.of("jtj", [LEADER]))

    def test_a_leader_neither_committee_member_nor_unit_head_is_refused(self):
        item = opened()
        with pytest.raises(SupervisorNotEligible) as caught:
            plan(item, leader=CLERK)
        assert CLERK in caught.value.message("en")

    def test_a_deadline_before_the_problem_was_found_is_refused(self):
        item = opened()
        with pytest.raises(DeadlineBeforeFound):
            plan(item, deadline=FOUND_ON - timedelta(days=1))

    def test_a_deadline_on_the_day_found_is_allowed(self):
        item = opened()
        plan(item, deadline=FOUND_ON)
        assert item.deadline == FOUND_ON

    def test_a_plan_needs_a_measure(self):
        item = opened()
        with pytest.raises(MeasureRequired):
            plan(item, measures=["  "])

    def test_a_refused_plan_leaves_nothing_half_applied(self):
        item = opened()
        before = len(item.pending())
        with pytest.raises(SupervisorNotEligible):
            plan(item, leader=CLERK, measures=["a", "b"])
        assert len(item.pending()) == before
        assert item.measures == [] and item.leader_id is None

    def test_planning_raises_one_event_per_measure_then_leader_and_deadline(self):
        item = opened()
        plan(item, measures=["a", "b"])
        kinds = [type(e) for e in item.pending()[1:]]
        assert kinds == [MeasureAdded, MeasureAdded, SupervisorNamed, DeadlineSet]


class TestChanges:
    def test_a_measure_can_be_added_while_rectifying(self):
        item = planned()
        item.add_measure("设立导办员", INFO_OFFICER, later(2))
        assert item.measures[-1] == "设立导办员"

    def test_moving_a_deadline_needs_a_reason(self):
        item = planned()
        with pytest.raises(ReasonRequired):
            item.set_deadline(DEADLINE + timedelta(days=10), LEADER, later(3))
        item.set_deadline(DEADLINE + timedelta(days=10), LEADER, later(3), "需改造系统")
        assert item.deadline == DEADLINE + timedelta(days=10)

    def test_replanning_cannot_move_the_deadline_without_a_reason(self):
        item = planned()
        with pytest.raises(ReasonRequired):
            plan(item, deadline=DEADLINE + timedelta(days=1))
        plan(item, measures=["设立导办员"])
        assert item.measures[-1] == "设立导办员" and item.deadline == DEADLINE

    def test_the_supervisor_can_be_changed_within_the_rules(self):
        item = planned()
        item.name_supervisor(UNIT_HEAD, BUREAU, eligibility(), INFO_OFFICER, later(2))
        assert item.leader_id == UNIT_HEAD
        with pytest.raises(SupervisorOfAnotherBureau):
            item.name_supervisor(LEADER, "jtj", eligibility(), INFO_OFFICER, later(2))

    def test_progress_is_noted(self):
        item = planned()
        item.note_progress("已印发一次告知单", INFO_OFFICER, later(5))
        assert item.notes == ["已印发一次告知单"]

    def test_an_empty_progress_note_is_refused(self):
        with pytest.raises(InvalidInput):
            planned().note_progress(" ", INFO_OFFICER, later(5))


class TestClosedItems:
    def test_a_measure_on_a_closed_item_is_refused(self):
        item = closed()
        with pytest.raises(ItemClosed) as caught:
            item.add_measure("再加一条", INFO_OFFICER, later(40))
        assert "已销号" in caught.value.message("zh-CN")

    def test_a_progress_note_on_a_closed_item_is_refused(self):
        with pytest.raises(ItemClosed):
            closed().note_progress("补充", INFO_OFFICER, later(40))

    def test_a_closed_item_cannot_be_replanned(self):
        with pytest.raises(ItemClosed):
            planned(closed())

    def test_nothing_can_be_done_to_an_item_never_opened(self):
        with pytest.raises(IllegalTransition):
            LedgerItem("x").add_measure("a", INFO_OFFICER, later(1))


class TestSubmission:
    def test_a_planned_item_is_submitted_for_verification(self):
        item = submitted()
        assert item.state is ItemState.SUBMITTED
        assert item.submitted_by == INFO_OFFICER

    def test_an_item_without_a_plan_cannot_be_submitted(self):
        with pytest.raises(RectificationIncomplete) as caught:
            opened().submit("做完了", INFO_OFFICER, later(2))
        assert "督办领导" in caught.value.message("zh-CN")
        assert "a deadline" in caught.value.message("en")

    def test_a_submission_needs_a_summary(self):
        with pytest.raises(InvalidInput):
            planned().submit("", INFO_OFFICER, later(2))

    def test_a_submitted_item_cannot_be_submitted_again(self):
        with pytest.raises(IllegalTransition):
            submitted().submit("again", INFO_OFFICER, later(31))

    def test_the_deadline_stays_after_submission(self):
        assert submitted().deadline == DEADLINE
