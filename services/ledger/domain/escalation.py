"""Overdue items and their escalation, as pure functions of an item and a day.

A scheduler (to come) asks each open item daily what is due and emits it. An item is
overdue from the day after its deadline (the deadline day itself is still on time,
matching `ItemVerified.on_time`); `ItemOverdue` is raised once per round (a reopening
starts a new round), then `ItemEscalated` level n once the item has been overdue for
`escalation_days[n-1]` days. A missed run catches up: every level due is raised, in
order, each once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from services.common.errors import InvalidInput
from services.ledger.domain.events import ItemEscalated, ItemOverdue
from services.ledger.domain.item_state import LedgerItemState
from services.ledger.domain.model import ItemState

DEFAULT_DEADLINE_DAYS = 30
DEFAULT_ESCALATION_DAYS = (7, 14)


@dataclass(frozen=True)
class EscalationPolicy:
    """The campaign's `ledger` settings: default deadline and escalation intervals."""

    default_deadline_days: int = DEFAULT_DEADLINE_DAYS
    escalation_days: tuple[int, ...] = DEFAULT_ESCALATION_DAYS

    def __post_init__(self) -> None:
        days = self.escalation_days
        if self.default_deadline_days < 1 or isinstance(
            self.default_deadline_days, bool
        ):
            raise InvalidInput(fields={"ledger.default_deadline_days": "out_of_range"})
        if any(d < 1 for d in days) or list(days) != sorted(set(days)):
            raise InvalidInput(fields={"ledger.escalation_days": "bad_format"})

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> EscalationPolicy:
        """From a campaign's resolved settings; missing keys take the defaults."""
        ledger: Mapping[str, Any] = settings.get("ledger") or {}
        days: Sequence[int] = ledger.get("escalation_days", DEFAULT_ESCALATION_DAYS)
        default = ledger.get("default_deadline_days", DEFAULT_DEADLINE_DAYS)
        if not isinstance(default, int) or isinstance(default, bool):
            raise InvalidInput(fields={"ledger.default_deadline_days": "not_a_number"})
        if not isinstance(days, list | tuple) or not all(
            isinstance(d, int) and not isinstance(d, bool) for d in days
        ):
            raise InvalidInput(fields={"ledger.escalation_days": "bad_format"})
        return cls(default, tuple(days))

    def default_deadline(self, found_on: date) -> date:
        return found_on + timedelta(days=self.default_deadline_days)

    def level_for(self, overdue_days: int) -> int:
        """How many escalation intervals an item overdue this long has passed."""
        return sum(1 for d in self.escalation_days if overdue_days >= d)


def overdue_days(item: LedgerItemState, today: date) -> int:
    """Days past the deadline an unclosed item has run (0 when not overdue); a
    closed item's count stopped on the day it was verified."""
    if item.deadline is None or item.state is ItemState.NEW:
        return 0
    end = item.verified_on if item.verified_on is not None else today
    return max(0, (end - item.deadline).days)


def is_overdue(item: LedgerItemState, today: date) -> bool:
    return not item.is_closed and overdue_days(item, today) > 0


def due_escalations(
    item: LedgerItemState, today: date, policy: EscalationPolicy
) -> list[ItemOverdue | ItemEscalated]:
    """The events an item should raise today; empty when nothing new is due."""
    if not is_overdue(item, today):
        return []
    assert item.deadline is not None
    days = overdue_days(item, today)
    due: list[ItemOverdue | ItemEscalated] = []
    if item.overdue_since is None:
        due.append(
            ItemOverdue(
                item.id,
                item.bureau_id,
                item.unit_id,
                item.leader_id,
                item.deadline,
                today,
            )
        )
    for level in range(item.escalation_level + 1, policy.level_for(days) + 1):
        due.append(
            ItemEscalated(
                item.id,
                item.bureau_id,
                item.unit_id,
                item.leader_id,
                level,
                days,
                item.deadline,
                today,
            )
        )
    return due
