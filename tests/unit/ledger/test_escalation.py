"""Overdue items escalate: once at the deadline, then after each further interval."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.common.errors import InvalidInput
from services.ledger.domain import (
    EscalationPolicy,
    due_escalations,
    is_overdue,
    overdue_days,
)
from services.ledger.domain.events import ItemEscalated, ItemOverdue
from services.ledger.domain.model import Source
from tests.unit.ledger.factory import (
    DEADLINE,
    FOUND_ON,
    LEADER,
    closed,
    later,
    opened,
    planned,
    submitted,
)

POLICY = EscalationPolicy()


def day(n: int) -> date:
    """n days past the deadline."""
    return DEADLINE + timedelta(days=n)


class TestOverdue:
    def test_an_item_is_not_overdue_on_its_deadline(self):
        item = planned()
        assert not is_overdue(item, DEADLINE)
        assert due_escalations(item, DEADLINE, POLICY) == []

    def test_an_unclosed_item_is_overdue_the_day_after_its_deadline(self):
        item = planned()
        (event,) = item.escalate(day(1), POLICY)
        assert isinstance(event, ItemOverdue)
        assert (event.supervising_leader_id, event.deadline, event.on) == (
            LEADER,
            DEADLINE,
            day(1),
        )

    def test_a_submitted_but_unverified_item_still_goes_overdue(self):
        assert is_overdue(submitted(), day(1))

    def test_the_overdue_event_is_raised_once(self):
        item = planned()
        item.escalate(day(1), POLICY)
        assert item.escalate(day(2), POLICY) == []

    def test_overdue_days_keep_counting(self):
        item = planned()
        item.escalate(day(1), POLICY)
        assert overdue_days(item, day(1)) == 1
        assert overdue_days(item, day(40)) == 40

    def test_a_closed_item_is_never_overdue(self):
        assert due_escalations(closed(), day(30), POLICY) == []

    def test_a_late_closure_keeps_its_overdue_days(self):
        item = submitted()
        item.verify(LEADER, False, day(5), later(90))
        assert overdue_days(item, day(30)) == 5
        assert not is_overdue(item, day(30))

    def test_an_item_without_a_deadline_is_not_overdue(self):
        assert due_escalations(opened(), day(100), POLICY) == []


class TestEscalation:
    def test_the_first_level_comes_after_the_first_interval(self):
        item = planned()
        item.escalate(day(1), POLICY)
        assert item.escalate(day(6), POLICY) == []
        (event,) = item.escalate(day(7), POLICY)
        assert isinstance(event, ItemEscalated)
        assert (event.level, event.overdue_days) == (1, 7)

    def test_the_second_level_comes_after_the_second_interval(self):
        item = planned()
        item.escalate(day(1), POLICY)
        item.escalate(day(7), POLICY)
        (event,) = item.escalate(day(14), POLICY)
        assert event.level == 2
        assert item.escalate(day(60), POLICY) == []

    def test_a_missed_run_catches_up_every_level_in_order(self):
        item = planned()
        raised = item.escalate(day(20), POLICY)
        assert [type(e).__name__ for e in raised] == [
            "ItemOverdue",
            "ItemEscalated",
            "ItemEscalated",
        ]
        assert [e.level for e in raised[1:]] == [1, 2]

    def test_intervals_come_from_the_campaign_settings(self):
        policy = EscalationPolicy.from_settings(
            {"ledger": {"default_deadline_days": 10, "escalation_days": [3]}}
        )
        item = planned()
        assert [type(e).__name__ for e in item.escalate(day(3), policy)] == [
            "ItemOverdue",
            "ItemEscalated",
        ]
        assert policy.default_deadline(FOUND_ON) == FOUND_ON + timedelta(days=10)

    def test_missing_settings_take_the_defaults(self):
        policy = EscalationPolicy.from_settings({})
        assert policy == EscalationPolicy(30, (7, 14))

    @pytest.mark.parametrize("days", [[14, 7], [0, 7], [7, 7], ["7"], 7])
    def test_intervals_must_be_increasing_positive_days(self, days):
        with pytest.raises(InvalidInput):
            EscalationPolicy.from_settings({"ledger": {"escalation_days": days}})

    def test_a_reopened_item_starts_a_new_round(self):
        item = submitted()
        item.escalate(day(20), POLICY)
        item.verify(LEADER, False, day(21), later(100))
        item.reopen(
            Source.SPOT_CHECK,
            "spot-check-2026-09",
            date(2026, 9, 1),
            date(2026, 9, 30),
            "抽查发现问题复现",
            LEADER,
            later(150),
        )
        raised = item.escalate(date(2026, 10, 1), POLICY)
        assert [type(e).__name__ for e in raised] == ["ItemOverdue"]
        assert raised[0].deadline == date(2026, 9, 30)
