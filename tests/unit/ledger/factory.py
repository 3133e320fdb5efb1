"""Ledger items at each stage of their life, built through their own commands."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from services.ledger.domain import ItemOpening, LedgerItem, SupervisorEligibility
from services.ledger.domain.model import Category, CheckDimension, Level, Source

BUREAU = "zjj"
UNIT = "zjj.zwzx"
FOUND_ON = date(2026, 4, 10)
DEADLINE = date(2026, 6, 30)
AT = datetime(2026, 4, 10, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
LEADER = "zjj.p-committee-wang"
UNIT_HEAD = "zjj.p-head-li"
CLERK = "zjj.p-clerk-zhao"
OFFICE = "zjj.p-office-sun"  # the leading group office
INFO_OFFICER = "zjj.p-info-qian"


def later(days: float) -> datetime:
    return AT + timedelta(days=days)


def eligibility(bureau_id: str = BUREAU) -> SupervisorEligibility:
    return SupervisorEligibility.of(bureau_id, [LEADER], [UNIT_HEAD])


def opening(**overrides: object) -> ItemOpening:
    fields: dict[str, object] = {
        "bureau_id": BUREAU,
        "unit_id": UNIT,
        "person_id": None,
        "level": Level.UNIT,
        "category": Category.SLOW,
        "check_dimension": CheckDimension.WORK_STANDARDS,
        "source": Source.SELF_INSPECTION,
        "reference": "self-inspection-2026-04",
        "description": "窗口审批环节多，材料齐全仍需往返两次",
        "evidence": (),
        "found_on": FOUND_ON,
        **overrides,
    }
    return ItemOpening(**fields)  # type: ignore[arg-type]


def opened(**overrides: object) -> LedgerItem:
    item = LedgerItem(str(uuid.uuid4()))
    item.open(opening(**overrides), INFO_OFFICER, AT)
    return item


def about_the_clerk() -> LedgerItem:
    return opened(level=Level.INDIVIDUAL, person_id=CLERK, category=Category.LAX)


def planned(item: LedgerItem | None = None, deadline: date = DEADLINE) -> LedgerItem:
    item = item or opened()
    item.plan(
        ["精简审批材料清单", "推行一次告知制"],
        LEADER,
        BUREAU,
        eligibility(),
        deadline,
        INFO_OFFICER,
        later(1),
    )
    return item


def submitted(item: LedgerItem | None = None, by: str = INFO_OFFICER) -> LedgerItem:
    item = planned(item)
    item.submit("清单已精简，一次告知制已上墙", by, later(30))
    return item


def closed(item: LedgerItem | None = None) -> LedgerItem:
    item = submitted(item)
    item.verify(LEADER, False, date(2026, 5, 15), later(35))
    return item
