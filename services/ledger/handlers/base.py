"""What every ledger handler shares: repositories, the clock, the org chart, scoping.

Every command is scoped to the caller's bureau (`CommandContext.bureau_id`): a record
of another bureau is answered as not found, so tenants cannot probe each other.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from eventing.aggregate import Aggregate, CommandContext, Repository
from eventing.events import Envelope
from eventing.store.base import EventStore
from services.common.context import actor_of, bureau_of
from services.common.errors import NotFound
from services.ledger.domain import (
    EscalationPolicy,
    InspectionTour,
    LedgerItem,
    SelfAnalysis,
    Survey,
    WindowDisclosures,
    registry,
)
from services.ledger.domain.model import ItemState
from services.ledger.handlers.orgchart import OrgChart

SERVICE = "ledger"
ZONE = ZoneInfo("Asia/Shanghai")

A = TypeVar("A", bound=Aggregate)
R = TypeVar("R")
Clock = Callable[[], datetime]
Settings = Mapping[str, Any] | None
Answer = dict[str, Any]


def _new_id() -> str:
    return uuid.uuid4().hex


class LedgerBase:
    """Repositories and the rules of loading within the caller's bureau."""

    def __init__(
        self,
        store: EventStore,
        clock: Clock,
        org: OrgChart,
        new_id: Callable[[], str] = _new_id,
        zone: ZoneInfo = ZONE,
    ) -> None:
        self.store = store
        self.new_id = new_id
        self.clock = clock
        self.org = org
        self.zone = zone
        self.items = Repository(store, registry, LedgerItem, SERVICE)
        self.analyses = Repository(store, registry, SelfAnalysis, SERVICE)
        self.surveys = Repository(store, registry, Survey, SERVICE)
        self.windows = Repository(store, registry, WindowDisclosures, SERVICE)
        self.tours = Repository(store, registry, InspectionTour, SERVICE)

    # -- context ------------------------------------------------------------------

    def today(self) -> date:
        """Today in the bureau's time zone (Asia/Shanghai)."""
        return self.clock().astimezone(self.zone).date()

    @staticmethod
    def policy(settings: Settings = None) -> EscalationPolicy:
        """The campaign's `ledger.*` settings; defaults 30 days, [7, 14]."""
        return EscalationPolicy.from_settings(settings or {})

    _bureau_of = staticmethod(bureau_of)

    _actor = staticmethod(actor_of)

    # -- loading within the caller's bureau ---------------------------------------

    def _item(self, item_id: str, ctx: CommandContext) -> LedgerItem:
        item = self.items.load(item_id)
        if item.state is ItemState.NEW or item.bureau_id != self._bureau_of(ctx):
            raise NotFound(kind="ledger_item", id=item_id)
        return item

    @staticmethod
    def _execute(
        repository: Repository[A],
        id: str,
        decide: Callable[[A], R],
        ctx: CommandContext,
    ) -> R:
        """Run a command on one aggregate (reloading and deciding again on a
        concurrent write, a bounded number of times); answer the decision's result."""
        outcome, _ = repository.execute(id, decide, ctx)
        return outcome

    def _events(
        self, categories: list[str], bureau_id: str | None = None
    ) -> Iterator[Envelope]:
        """Every event of these categories (of one bureau), in global order."""
        after = 0
        while batch := self.store.read_all(
            after, categories=categories, bureau_id=bureau_id
        ):
            yield from batch
            after = batch[-1].position

    def _item_ids(self, bureau_id: str | None) -> list[str]:
        """The ledger items of a bureau (of all bureaus with None), oldest first."""
        return [
            e.stream.split("-", 1)[1]
            for e in self._events([LedgerItem.category], bureau_id)
            if e.version == 1
        ]
