"""What every evaluation handler shares: repositories, clock, ports, bureau scoping.

Every command is scoped to the caller's bureau (`CommandContext.bureau_id`): a record
of another bureau is answered as not found, so tenants cannot probe each other.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from eventing.aggregate import CommandContext, Repository
from eventing.events import Envelope
from eventing.store.base import EventStore
from services.common.context import actor_of, bureau_of
from services.common.errors import NotFound
from services.complaints.domain.deadlines import ChineseWorkCalendar, add_working_days
from services.evaluation.domain import (
    EvaluationRound,
    RollShard,
    RoundDefinition,
    StudyTest,
    Talk,
    registry,
)
from services.evaluation.domain.activities import SpeechContest, StudySession
from services.evaluation.domain.innovation import (
    Innovation,
    InnovationSelection,
    ModelNomination,
)
from services.evaluation.domain.publication import Assessment
from services.evaluation.handlers.orgchart import OrgChart
from services.evaluation.keys import BallotKeys

SERVICE = "evaluation"
ZONE = ZoneInfo("Asia/Shanghai")
DEFAULTS: dict[str, Any] = {
    "threshold": 0.30,
    "min_ballots": 5,
    "talk_working_days": 10,
}

Clock = Callable[[], datetime]
Answer = dict[str, Any]


def _new_id() -> str:
    return uuid.uuid4().hex


ShardSeen = tuple[int, frozenset[str], bool]  # version, voters, closed


class DefinitionCache:
    """Opened rounds' definitions (immutable once opened), so a vote does not decode
    the round's electorate every time, and what this process last saw of each roll
    shard (a snapshot: the store stays the truth, a vote catches up from it and
    appends at the expected version). Shared by the workers of one process."""

    def __init__(self) -> None:
        self._rounds: dict[str, RoundDefinition] = {}
        self._shards: dict[str, ShardSeen] = {}
        self._lock = threading.Lock()

    def shard(self, shard_id: str) -> ShardSeen | None:
        with self._lock:
            return self._shards.get(shard_id)

    def remember_shard(self, shard_id: str, seen: ShardSeen) -> None:
        with self._lock:
            known = self._shards.get(shard_id)
            if known is not None and known[0] >= seen[0]:
                return  # never step back to an older snapshot
            if len(self._shards) > 20_000:
                self._shards.clear()
            self._shards[shard_id] = seen

    def get(self, round_id: str) -> RoundDefinition | None:
        with self._lock:
            return self._rounds.get(round_id)

    def put(self, definition: RoundDefinition) -> None:
        with self._lock:
            if len(self._rounds) > 1000:
                self._rounds.clear()
            self._rounds[definition.round_id] = definition


DEFINITIONS = DefinitionCache()


class EvaluationBase:
    """Repositories and the rules of loading within the caller's bureau."""

    def __init__(
        self,
        store: EventStore,
        clock: Clock,
        org: OrgChart,
        keys: BallotKeys,
        new_id: Callable[[], str] = _new_id,
        definitions: DefinitionCache = DEFINITIONS,
        calendar: ChineseWorkCalendar | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.org = org
        self.keys = keys
        self.new_id = new_id
        self.definitions = definitions
        self.calendar = calendar or ChineseWorkCalendar()
        self.rounds = Repository(store, registry, EvaluationRound, SERVICE)
        self.shards = Repository(store, registry, RollShard, SERVICE)
        self.talks = Repository(store, registry, Talk, SERVICE)
        self.tests = Repository(store, registry, StudyTest, SERVICE)
        self.sessions = Repository(store, registry, StudySession, SERVICE)
        self.contests = Repository(store, registry, SpeechContest, SERVICE)
        self.innovations = Repository(store, registry, Innovation, SERVICE)
        self.selections = Repository(store, registry, InnovationSelection, SERVICE)
        self.nominations = Repository(store, registry, ModelNomination, SERVICE)
        self.assessments = Repository(store, registry, Assessment, SERVICE)

    def today(self) -> date:
        """Today in the bureau's time zone (Asia/Shanghai)."""
        return self.clock().astimezone(ZONE).date()

    def working_days_after(self, start: date, days: int) -> date:
        return add_working_days(start, days, self.calendar)

    def settings(self, bureau_id: str, year: int) -> dict[str, Any]:
        """The campaign's settings of that year ({} when the bureau has none)."""
        return self.org.campaign_settings(bureau_id, year) or {}

    def evaluation_settings(self, bureau_id: str, year: int) -> Mapping[str, Any]:
        section = self.settings(bureau_id, year).get("evaluation") or {}
        return {**DEFAULTS, **section}

    @staticmethod
    def exact(value: Any) -> Fraction:
        """A setting as an exact number: 0.30 is 3/10, not the float."""
        return Fraction(str(value))

    bureau_of = staticmethod(bureau_of)

    actor_of = staticmethod(actor_of)

    def round_in_bureau(self, round_id: str, ctx: CommandContext) -> EvaluationRound:
        found = self.rounds.load(round_id)
        if found.definition is None or found.bureau_id != self.bureau_of(ctx):
            raise NotFound(kind="round", id=round_id)
        self.definitions.put(found.definition)
        return found

    def events(
        self, categories: list[str], bureau_id: str, as_of: datetime | None = None
    ) -> Iterator[Envelope]:
        """Every event of these categories of one bureau, in global order (only
        those recorded by `as_of`, when given)."""
        after = 0
        while batch := self.store.read_all(
            after, categories=categories, bureau_id=bureau_id
        ):
            yield from (e for e in batch if as_of is None or e.recorded_at <= as_of)
            after = batch[-1].position

    def stream_ids(
        self, category: str, bureau_id: str, as_of: datetime | None = None
    ) -> list[str]:
        """Ids of the bureau's aggregates of one category, oldest first."""
        return [
            e.stream.split("-", 1)[1]
            for e in self.events([category], bureau_id, as_of)
            if e.version == 1
        ]
