"""销号: only a verified rectification closes an item, never by the person concerned."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from eventing.aggregate import CommandContext, Repository
from eventing.errors import WrongExpectedVersion
from eventing.store.memory import MemoryEventStore
from services.common.errors import InvalidInput
from services.ledger.domain import LedgerItem, registry
from services.ledger.domain.errors import (
    DeadlineBeforeFound,
    FoundBeforeClosing,
    IllegalTransition,
    NotAnInspection,
    NotAVerifier,
    NotSubmittedForVerification,
    OwnItem,
    OwnSubmission,
    ReasonRequired,
)
from services.ledger.domain.events import ItemReopened, ItemVerified
from services.ledger.domain.model import ItemState, Source
from tests.unit.ledger.factory import (
    BUREAU,
    CLERK,
    DEADLINE,
    INFO_OFFICER,
    LEADER,
    OFFICE,
    UNIT_HEAD,
    about_the_clerk,
    closed,
    later,
    opened,
    planned,
    submitted,
)

ON = date(2026, 5, 15)


class TestVerifying:
    def test_the_supervising_leader_closes_a_verified_item(self):
        item = submitted()
        item.verify(LEADER, False, ON, later(35))
        assert item.state is ItemState.CLOSED
        event = item.pending()[-1]
        assert isinstance(event, ItemVerified)
        assert (event.verifier_id, event.verified_on, event.on_time) == (
            LEADER,
            ON,
            True,
        )

    def test_the_leading_group_office_may_verify(self):
        item = submitted()
        item.verify(OFFICE, True, ON, later(35))
        assert item.verifier_id == OFFICE

    def test_a_closure_after_the_deadline_is_not_on_time(self):
        item = submitted()
        item.verify(LEADER, False, DEADLINE + timedelta(days=1), later(90))
        assert item.pending()[-1].on_time is False

    def test_a_closure_on_the_deadline_is_on_time(self):
        item = submitted()
        item.verify(LEADER, False, DEADLINE, later(80))
        assert item.pending()[-1].on_time is True

    def test_anyone_else_may_not_verify(self):
        with pytest.raises(NotAVerifier):
            submitted().verify(UNIT_HEAD, False, ON, later(35))

    def test_an_item_cannot_close_without_verification(self):
        with pytest.raises(NotSubmittedForVerification) as caught:
            planned().verify(LEADER, False, ON, later(35))
        assert "销号" in caught.value.message("zh-CN")

    def test_nobody_verifies_an_item_about_themselves(self):
        item = submitted(about_the_clerk())
        with pytest.raises(OwnItem):
            item.verify(CLERK, True, ON, later(35))

    def test_the_person_concerned_cannot_reject_either(self):
        item = submitted(about_the_clerk())
        with pytest.raises(OwnItem):
            item.reject("不行", CLERK, True, later(35))

    def test_nobody_verifies_their_own_submission(self):
        item = submitted(by=LEADER)
        with pytest.raises(OwnSubmission):
            item.verify(LEADER, False, ON, later(35))
        item.verify(OFFICE, True, ON, later(35))
        assert item.is_closed

    def test_a_verification_date_before_the_finding_is_refused(self):
        with pytest.raises(InvalidInput):
            submitted().verify(LEADER, False, date(2026, 1, 1), later(35))


class TestRejecting:
    def test_a_rejected_rectification_returns_to_rectifying(self):
        item = submitted()
        item.reject("告知单未上墙", LEADER, False, later(33))
        assert item.state is ItemState.OPEN
        assert item.rejections == 1
        item.submit("已上墙", INFO_OFFICER, later(34))
        item.verify(LEADER, False, ON, later(35))
        assert item.is_closed

    def test_a_rejection_needs_reasons(self):
        with pytest.raises(ReasonRequired):
            submitted().reject(" ", LEADER, False, later(33))


class TestConcurrentDecisions:
    def test_a_rejection_after_a_verification_is_refused(self):
        item = submitted()
        item.verify(LEADER, False, ON, later(35))
        with pytest.raises(IllegalTransition):
            item.reject("迟到的退回", OFFICE, True, later(35))

    def test_a_verification_after_a_rejection_is_refused(self):
        item = submitted()
        item.reject("告知单未上墙", OFFICE, True, later(35))
        with pytest.raises(NotSubmittedForVerification):
            item.verify(LEADER, False, ON, later(35))

    def test_the_refusal_says_why_in_both_languages(self):
        item = closed()
        with pytest.raises(IllegalTransition) as caught:
            item.reject("迟到的退回", OFFICE, True, later(35))
        assert caught.value.code == "illegal_transition"
        assert caught.value.message("en") == (
            f"Ledger item {item.id} is closed: reject is not allowed"
        )
        assert caught.value.message("zh-CN") == (
            f"问题 {item.id} 当前状态为「closed」，不能执行「reject」"
        )

    def test_a_second_verification_is_refused(self):
        item = closed()
        with pytest.raises(IllegalTransition):
            item.verify(OFFICE, True, ON, later(36))

    def test_a_rejection_racing_a_saved_verification_ends_in_a_typed_error(self):
        store = MemoryEventStore()
        repository = Repository(store, registry, LedgerItem, "ledger")
        context = CommandContext(bureau_id=BUREAU, actor=OFFICE)
        item = submitted()
        repository.save(item, context)
        stale = repository.load(item.id)  # the office opens the item ...
        fresh = repository.load(item.id)
        fresh.verify(LEADER, False, ON, later(35))  # ... the leader verifies first
        repository.save(fresh, context)
        stale.reject("迟到的退回", OFFICE, True, later(35))
        with pytest.raises(WrongExpectedVersion):
            repository.save(stale, context)
        with pytest.raises(IllegalTransition):
            repository.execute(
                item.id,
                lambda again: again.reject("迟到的退回", OFFICE, True, later(35)),
                context,
            )
        assert repository.load(item.id).is_closed

    def test_the_refused_decision_changes_nothing(self):
        item = closed()
        before = list(item.pending())
        with pytest.raises(IllegalTransition):
            item.reject("x", OFFICE, True, later(36))
        assert item.pending() == before and item.is_closed


class TestReopening:
    def reopen(self, item, source=Source.SPOT_CHECK, found_on=date(2026, 9, 1), **kw):
        item.reopen(
            source,
            kw.get("reference", "spot-check-2026-09"),
            found_on,
            kw.get("deadline", date(2026, 9, 30)),
            kw.get("reason", "抽查发现仍要求重复提交材料"),
            OFFICE,
            later(150),
        )

    def test_a_later_inspection_reopens_a_closed_item(self):
        item = closed()
        self.reopen(item)
        assert item.state is ItemState.OPEN
        assert item.found_on == date(2026, 9, 1)
        assert item.deadline == date(2026, 9, 30)
        assert item.verified_on is None and item.reopenings == 1
        assert isinstance(item.pending()[-1], ItemReopened)

    def test_a_reopened_item_is_rectified_and_closed_again(self):
        item = closed()
        self.reopen(item)
        item.add_measure("每月回访", INFO_OFFICER, later(151))
        item.submit("已整改", INFO_OFFICER, later(160))
        item.verify(LEADER, False, date(2026, 9, 20), later(161))
        assert item.is_closed

    @pytest.mark.parametrize("source", [Source.SELF_INSPECTION, Source.SURVEY])
    def test_only_an_inspection_reopens(self, source):
        with pytest.raises(NotAnInspection):
            self.reopen(closed(), source=source)

    def test_an_open_item_cannot_be_reopened(self):
        with pytest.raises(IllegalTransition):
            self.reopen(opened())

    def test_a_finding_before_the_closure_cannot_reopen(self):
        with pytest.raises(FoundBeforeClosing):
            self.reopen(closed(), found_on=date(2026, 5, 1))

    def test_the_new_deadline_cannot_precede_the_new_finding(self):
        with pytest.raises(DeadlineBeforeFound):
            self.reopen(closed(), deadline=date(2026, 8, 1))

    def test_a_reopening_needs_a_reason(self):
        with pytest.raises(ReasonRequired):
            self.reopen(closed(), reason="")
