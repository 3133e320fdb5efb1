"""Survey (调查问计帮查): a forum, questionnaire or visit and the problems it raised.

A unit records the survey once with everything raised; `item_openings` turns each
raised problem into the opening of a ledger item with a deterministic id, so the
handler opens them all in one command and a retried command opens none twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from eventing.aggregate import Aggregate, DomainEvent
from services.common.errors import InvalidInput
from services.ledger.domain.errors import already_exists
from services.ledger.domain.events import SurveyRecorded
from services.ledger.domain.model import (
    Category,
    Level,
    Source,
    SurveyKind,
    item_id_for_survey,
)
from services.ledger.domain.opening import ItemOpening


@dataclass(frozen=True)
class RaisedProblem:
    """One problem raised in a survey, against the unit or one of its people."""

    category: Category
    description: str
    person_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "category": self.category.value,
            "description": self.description,
            "person_id": self.person_id,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> RaisedProblem:
        return cls(Category(raw["category"]), raw["description"], raw.get("person_id"))


class Survey(Aggregate):
    """A unit's survey of the public and enterprises, with the problems raised."""

    category = "survey"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.recorded: SurveyRecorded | None = None

    def record(
        self,
        bureau_id: str,
        unit_id: str,
        kind: SurveyKind,
        held_on: date,
        participants: Sequence[str],
        problems: Sequence[RaisedProblem],
        actor: str,
        at: datetime,
    ) -> None:
        if self.recorded is not None:
            raise already_exists(self.category, self.id)
        people = tuple(dict.fromkeys(p.strip() for p in participants if p.strip()))
        if not people:
            raise InvalidInput(fields={"participants": "required"})
        if not problems:
            raise InvalidInput(fields={"problems": "required"})
        for n, problem in enumerate(problems):
            if not problem.description.strip():
                raise InvalidInput(fields={f"problems[{n}].description": "required"})
        self._raise(
            SurveyRecorded(
                self.id,
                bureau_id,
                unit_id,
                kind,
                held_on,
                people,
                tuple(
                    RaisedProblem(
                        p.category, p.description.strip(), p.person_id or None
                    ).to_dict()
                    for p in problems
                ),
                actor,
                at,
            )
        )

    def apply(self, event: DomainEvent) -> None:
        match event:
            case SurveyRecorded():
                self.recorded = event


def item_openings(recorded: SurveyRecorded) -> list[tuple[str, ItemOpening]]:
    """(item id, opening) for every problem the survey raised, in order."""
    openings: list[tuple[str, ItemOpening]] = []
    for n, raw in enumerate(recorded.problems, start=1):
        problem = RaisedProblem.from_dict(raw)
        openings.append(
            (
                item_id_for_survey(recorded.survey_id, n),
                ItemOpening(
                    recorded.bureau_id,
                    recorded.unit_id,
                    problem.person_id,
                    Level.INDIVIDUAL if problem.person_id else Level.UNIT,
                    problem.category,
                    None,
                    Source.SURVEY,
                    recorded.survey_id,
                    problem.description,
                    (),
                    recorded.held_on,
                ),
            )
        )
    return openings
