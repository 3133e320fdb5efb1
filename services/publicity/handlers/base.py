"""What every publicity handler shares: repositories, the clock, the org chart and
scoping to the caller's bureau (another bureau's record is answered as not found)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from eventing.aggregate import Aggregate, CommandContext, Repository
from eventing.events import Envelope
from eventing.store.base import EventStore
from services.common.context import actor_of, bureau_of
from services.common.errors import NotFound
from services.publicity.domain import (
    Article,
    BoardListing,
    Commendation,
    Commitment,
    Notice,
    QuotaPeriod,
    UnitProfile,
    registry,
)
from services.publicity.domain.errors import NotTheOffice, UnknownUnit
from services.publicity.domain.periods import DEFAULT_ZONE
from services.publicity.handlers.orgchart import OrgChart, UnitFacts

SERVICE = "publicity"

A = TypeVar("A", bound=Aggregate)
R = TypeVar("R")
Clock = Callable[[], datetime]
Answer = dict[str, Any]


def _new_id() -> str:
    return uuid.uuid4().hex


class PublicityBase:
    """Repositories and the rules of loading within the caller's bureau."""

    def __init__(
        self,
        store: EventStore,
        clock: Clock,
        org: OrgChart,
        new_id: Callable[[], str] = _new_id,
    ) -> None:
        self.store = store
        self.clock = clock
        self.org = org
        self.new_id = new_id
        self.articles = Repository(store, registry, Article, SERVICE)
        self.periods = Repository(store, registry, QuotaPeriod, SERVICE)
        self.profiles = Repository(store, registry, UnitProfile, SERVICE)
        self.notices = Repository(store, registry, Notice, SERVICE)
        self.commitments = Repository(store, registry, Commitment, SERVICE)
        self.commendations = Repository(store, registry, Commendation, SERVICE)
        self.listings = Repository(store, registry, BoardListing, SERVICE)

    _bureau_of = staticmethod(bureau_of)

    def today(self) -> date:
        """Today in Asia/Shanghai, where the campaign's days are counted."""
        return self.clock().astimezone(ZoneInfo(DEFAULT_ZONE)).date()

    _actor = staticmethod(actor_of)

    def _office_only(self, ctx: CommandContext, zh: str, en: str) -> str:
        """The actor, if in the leading group office (or the leading group)."""
        bureau, actor = self._bureau_of(ctx), self._actor(ctx)
        if actor not in self.org.office(bureau) | self.org.leading_group(bureau):
            raise NotTheOffice(action_zh=zh, action_en=en)
        return actor

    def _unit(self, unit_id: str, ctx: CommandContext) -> UnitFacts:
        unit = self.org.unit(self._bureau_of(ctx), unit_id)
        if unit is None:
            raise UnknownUnit(unit_id=unit_id)
        return unit

    def _in_bureau(
        self, repository: Repository[A], id: str, kind: str, ctx: CommandContext
    ) -> A:
        """The record, if it exists in the caller's bureau; NotFound otherwise."""
        record = repository.load(id)
        if record.version == 0 or getattr(record, "bureau_id", None) != (
            self._bureau_of(ctx)
        ):
            raise NotFound(kind=kind, id=id)
        return record

    @staticmethod
    def _execute(
        repository: Repository[A],
        id: str,
        decide: Callable[[A], R],
        ctx: CommandContext,
    ) -> R:
        """Run a command on one aggregate, reloading on a concurrent write."""
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
