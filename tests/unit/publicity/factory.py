"""A bureau for publicity's handler tests: an in-memory store, a fake org chart,
a clock the test moves, and the people who act."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from eventing.aggregate import CommandContext
from eventing.store.memory import MemoryEventStore
from services.organization.domain.campaign import DEFAULT_SETTINGS
from services.publicity import commands as c
from services.publicity.handlers import (
    CampaignFacts,
    MemoryOrgChart,
    PublicityHandlers,
)

BUREAU, OTHER = "zjj", "jtj"
AFFILIATED, OFFICE_UNIT, STATION = "zjj.u001", "zjj.u004", "zjj.u002"
OFFICER_A, OFFICER_O, OFFICER_S = "zjj.001015", "zjj.004015", "zjj.002015"
OFFICE = "zjj.001002"  # the leading group office
LEADER = "zjj.001001"  # the leading group's head
CLERK = "zjj.002004"


class Clock:
    """Starts at 10:00 in Beijing on Monday 2 February 2026."""

    def __init__(self) -> None:
        self.now = datetime(2026, 2, 2, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def set(self, when: datetime) -> None:
        self.now = when


def beijing(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """That wall-clock time in Beijing, as UTC."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - (
        timedelta(hours=8)
    )


def as_(actor: str, bureau: str = BUREAU) -> CommandContext:
    return CommandContext(bureau_id=bureau, actor=actor)


@dataclass
class World:
    handlers: PublicityHandlers
    org: MemoryOrgChart
    clock: Clock
    store: MemoryEventStore

    def submit(
        self, unit: str = AFFILIATED, officer: str = OFFICER_A, **fields: Any
    ) -> dict[str, Any]:
        raw = {
            "unit_id": unit,
            "title": "一次告知制",
            "body": "## 做法\n\n材料一次讲清。",
        }
        return self.handlers.submit_article(
            c.SubmitArticle.parse({**raw, **fields}), as_(officer)
        )

    def review(self, article_id: str, outcome: str = "accepted", reason: str = ""):
        return self.handlers.review_article(
            c.ReviewArticle.parse(
                {"article_id": article_id, "outcome": outcome, "reason": reason}
            ),
            as_(OFFICE),
        )

    def publish(self, article_id: str, channel: str = "website", **more: Any):
        return self.handlers.publish_article(
            c.PublishArticle.parse(
                {
                    "article_id": article_id,
                    "channel": channel,
                    "published_on": "2026-02-02",  # the clock's day
                    **more,
                }
            ),
            as_(OFFICE),
        )


def world(
    years: tuple[int, ...] = (2026,), settings: dict[str, Any] | None = None
) -> World:
    """Campaigns in `years` (February to December); units known since 1 January."""
    clock = Clock()
    store = MemoryEventStore(clock=clock)
    org = MemoryOrgChart()
    org.add_unit(BUREAU, AFFILIATED, "affiliated_unit", OFFICER_A)
    org.add_unit(BUREAU, OFFICE_UNIT, "office", OFFICER_O)
    org.add_unit(BUREAU, STATION, "station", OFFICER_S)
    org.add_unit(OTHER, "jtj.u001", "affiliated_unit", "jtj.001015")
    org.offices[BUREAU] = {OFFICE}
    org.groups[BUREAU] = {LEADER}
    for y in years:
        org.campaigns[(BUREAU, y)] = CampaignFacts(
            y, date(y, 2, 1), date(y, 12, 31), settings or DEFAULT_SETTINGS
        )
    handlers = PublicityHandlers(store, clock, org)
    handlers.observe_units(as_(OFFICE), since=date(min(years), 1, 1))
    return World(handlers, org, clock, store)
