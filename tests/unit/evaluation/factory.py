"""A bureau with two units, a clock, handlers over the in-memory store, and rounds."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from eventing.aggregate import CommandContext
from eventing.store.memory import MemoryEventStore
from services.evaluation import commands as c
from services.evaluation.handlers import (
    DefinitionCache,
    EvaluationHandlers,
    MemoryOrgChart,
)
from services.evaluation.keys import MemoryBallotKeys

BUREAU, OTHER = "b01", "b02"
UNIT, UNIT2 = "b01.u001", "b01.u002"
HEAD, HEAD2 = "b01.001001", "b01.002001"  # unit heads (main leaders)
OFFICE = CommandContext(bureau_id=BUREAU, actor="b01.009001")
OPENS = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)  # Monday 09:00 Beijing
CLOSES = OPENS + timedelta(days=4)


class Clock:
    def __init__(self) -> None:
        self.now = OPENS + timedelta(hours=1)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class World:
    clock: Clock = field(default_factory=Clock)
    store: MemoryEventStore = field(init=False)
    org: MemoryOrgChart = field(default_factory=MemoryOrgChart)
    keys: MemoryBallotKeys = field(default_factory=MemoryBallotKeys)

    def __post_init__(self) -> None:
        self.store = MemoryEventStore(clock=self.clock)  # records the fake time
        self.org.add_unit(BUREAU, UNIT, HEAD)
        self.org.add_unit(BUREAU, UNIT2, HEAD2)
        self.org.add_unit(OTHER, "b02.u001", "b02.001001")
        for n in range(2, 12):
            self.org.add_person(BUREAU, UNIT, f"b01.0010{n:02d}")

    @property
    def handlers(self) -> EvaluationHandlers:
        return EvaluationHandlers(
            self.store, self.clock, self.org, self.keys, definitions=DefinitionCache()
        )

    def set_evaluation(self, **settings: Any) -> None:
        self.org.settings[BUREAU, 2026] = {"evaluation": settings}


def staff(n: int) -> str:
    return f"b01.0010{n + 2:02d}"


def voters(count: int, constituency: str = "staff") -> list[dict[str, str]]:
    return [
        {"voter_id": f"v{uuid.uuid4().hex[:12]}", "constituency": constituency}
        for _ in range(count)
    ]


def open_round(world: World, **fields: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "kind": "leadership",
        "title": "2026 年度领导班子作风评议",
        "year": 2026,
        "opens_at": OPENS.isoformat(),
        "closes_at": CLOSES.isoformat(),
        "subjects": [
            {"kind": "team", "unit_id": UNIT, "subject_id": "team-u001"},
            {"kind": "leader", "person_id": HEAD2, "subject_id": "leader-h2"},
        ],
        "electorate": voters(10),
        **fields,
    }
    return world.handlers.open_round(c.OpenRound.parse(payload), OFFICE)


def as_voter(voter_id: str) -> CommandContext:
    return CommandContext(bureau_id=BUREAU, actor=voter_id)


def vote(
    world: World, round_id: str, voter_id: str, *choices: dict[str, Any]
) -> dict[str, Any]:
    cmd = c.CastVote.parse({"round_id": round_id, "choices": list(choices)})
    return world.handlers.vote(cmd, as_voter(voter_id))


def close(world: World, round_id: str) -> dict[str, Any]:
    return world.handlers.close_round(c.RoundRef(round_id), OFFICE)
